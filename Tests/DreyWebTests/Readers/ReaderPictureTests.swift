import DreyCore
import DreyImages
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import DreyApp
@testable import DreyWeb

/// A reader's uploaded picture as their face (libvips in this process: `scripts/test.sh` runs it with the image tests).
@Suite struct ReaderPictureTests {
    static func upload(_ client: any TestClientProtocol, token: String, _ form: Multipart) async throws -> TestResponse {
        let headers: HTTPFields = [
            .xForwardedHost: TestBlog.host, .contentType: "multipart/form-data; boundary=\(form.boundary)",
            .cookie: "\(ReaderWeb.cookie)=\(token)",
        ]
        return try await client.execute(uri: "/account/picture", method: .post, headers: headers, body: form.finished())
    }

    @Test(
        "an uploaded picture is checked, made small, served, and shown with the reader's comments; removing it restores the generated face",
        arguments: TestDatabase.allCases)
    func picture(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.wordPressRulesOnly(blog)
            let post = try await blog.post("Thread")
            let identity = ReaderIdentity(
                method: .email, issuer: "email", subject: "phil@example.org", provider: "email", email: "phil@example.org", emailVerified: true)
            let (session, token) = try await blog.drey.readers.signIn(siteID: blog.site.id, identity: identity)
            let cookie: HTTPFields = [.cookie: "\(ReaderWeb.cookie)=\(token)"]
            let sent = try await client.postForm(
                "/wp-comments-post.php",
                [
                    ("comment_post_ID", String(post.id)), ("comment_parent", "0"), ("comment", "With a face."), ("hp_website", ""),
                    ("drey_token", SpamTest.token(blog, post, shownAt: Date().addingTimeInterval(-60))),
                ], headers: cookie)
            let commentID = try #require(Int64(sent.location?.split(separator: "-").last ?? ""))
            _ = try await blog.drey.comments.setStatus(.approved, commentID: commentID)
            let generated = ReaderFaces.generated(
                session.reader, links: SiteLinks(base: "http://blog.test", settings: blog.siteNow.settings), settings: blog.siteNow.settings)
            #expect(try await client.get("/2008/01/27/thread/").text.contains(generated))

            let account = try await client.get("/account", headers: cookie)
            let csrf = try #require(ReaderAccountTests.csrf(account.text))
            // Not an image: refused with a clear message.
            var bad = Multipart()
            bad.field("_csrf", csrf)
            bad.file("picture", filename: "face.png", type: "image/png", Data("not an image at all".utf8))
            let refused = try await Self.upload(client, token: token, bad)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("The picture could not be used"))
            // Without the form's token: nothing happens.
            var forged = Multipart()
            forged.file("picture", filename: "face.png", type: "image/png", try SyntheticImage.make(width: 400, height: 300, format: .png))
            #expect(try await Self.upload(client, token: token, forged).status == .forbidden)

            var good = Multipart()
            good.field("_csrf", csrf)
            good.file("picture", filename: "face.png", type: "image/png", try SyntheticImage.make(width: 400, height: 300, format: .png))
            let uploaded = try await Self.upload(client, token: token, good)
            #expect(uploaded.status == .seeOther)
            let reader = try #require(try await blog.drey.store.reader(id: session.reader.id, siteID: blog.site.id))
            let name = try #require(reader.avatar)
            #expect(ReaderFaceName.isValid(name))
            let face = try await client.get("/faces/\(name)")
            #expect(face.status == .ok)
            #expect(face.headers[.contentType] == "image/png")
            let facts = try ImageProcessor().inspect(file: try #require(blog.drey.readers.faceFile(name)))
            #expect(max(facts.width, facts.height) <= 192)
            // The post's cached page shows the new face at once.
            let page = try await client.get("/2008/01/27/thread/")
            #expect(page.text.contains("/faces/\(name)"))
            #expect(try await client.get("/account", headers: cookie).text.contains("/faces/\(name)"))

            var remove = Multipart()
            remove.field("_csrf", csrf)
            remove.field("remove", "1")
            #expect(try await Self.upload(client, token: token, remove).status == .seeOther)
            #expect(try await client.get("/faces/\(name)").status == .notFound)
            #expect(try await client.get("/2008/01/27/thread/").text.contains(generated))
        }
    }
}
