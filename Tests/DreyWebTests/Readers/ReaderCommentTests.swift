import DreyCore
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Commenting as oneself: the form shows the account, the comment carries its name and links to it, the spam filter
/// counts the account's history.
@Suite struct ReaderCommentTests {
    static func cookie(_ token: String) -> HTTPFields { [.cookie: "\(ReaderWeb.cookie)=\(token)"] }

    static func emailIdentity(_ address: String) -> ReaderIdentity {
        ReaderIdentity(method: .email, issuer: "email", subject: address, provider: "email", email: address, emailVerified: true)
    }

    static func form(_ blog: TestBlog, _ post: Post, text: String) -> [(String, String)] {
        let token = SpamTest.token(blog, post, shownAt: Date().addingTimeInterval(-60))
        return [
            ("comment_post_ID", String(post.id)), ("comment_parent", "0"), ("author", "Impostor"), ("email", "impostor@example.org"),
            ("url", "http://spam.example"), ("comment", text), ("hp_website", ""), ("drey_token", token),
        ]
    }

    @Test("a signed-in reader sees their account in the form and comments under its name, linked to it", arguments: TestDatabase.allCases)
    func commentAsOneself(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.wordPressRulesOnly(blog)
            let post = try await blog.post("Thread")
            let (session, token) = try await blog.drey.readers.signIn(siteID: blog.site.id, identity: Self.emailIdentity("phil@example.org"))
            let guest = try await client.get("/2008/01/27/thread/")
            #expect(guest.text.contains("id=\"author\""))
            #expect(guest.text.contains("to comment as yourself"))
            let page = try await client.get("/2008/01/27/thread/", headers: Self.cookie(token))
            #expect(page.text.contains("You are commenting using your email account (phil)."))
            #expect(page.text.contains(">Log out</button>"))
            #expect(page.text.contains("/signin?return_to=%2F2008%2F01%2F27%2Fthread%2F%23respond\">Change</a>"))
            #expect(!page.text.contains("id=\"author\""))
            #expect(page.text.contains("Signed in as phil"))
            // The page stays cached for readers: each response fills in who is reading it.
            #expect(page.headers[.init("X-Drey-Cache")!] == "HIT")
            #expect(page.headers[.cacheControl] == "private, no-cache")
            let again = try await client.get("/2008/01/27/thread/")
            #expect(again.headers[.init("X-Drey-Cache")!] == "HIT")
            #expect(!again.text.contains("You are commenting using"))
            #expect(again.text.contains("Reader sign-in"))
            #expect(!again.text.contains("drey_hole_"))

            let sent = try await client.postForm("/wp-comments-post.php", Self.form(blog, post, text: "As myself."), headers: Self.cookie(token))
            #expect(sent.status == .seeOther)
            let id = try #require(Int64(sent.location?.split(separator: "-").last ?? ""))
            let stored = try #require(try await blog.drey.store.comment(id: id))
            #expect(stored.authorName == "phil")
            #expect(stored.authorEmail == "phil@example.org")
            #expect(stored.authorURL == "")
            let mine = try await blog.drey.store.readerComments(readerID: session.reader.id, siteID: blog.site.id)
            #expect(mine.map(\.id) == [id])
            _ = try await blog.drey.comments.setStatus(.approved, commentID: id)
            let shown = try await client.get("/2008/01/27/thread/")
            #expect(shown.text.contains("As myself."))
            #expect(shown.text.contains(">phil<"))
        }
    }

    @Test("a reader without an address may comment; the spam filter counts their account's history", arguments: TestDatabase.allCases)
    func reputation(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.wordPressRulesOnly(blog)
            try await blog.set(.commentFloodSeconds, "0")
            let post = try await blog.post("Thread")
            let identity = ReaderIdentity(
                method: .indieauth, issuer: "https://auth.example/", subject: "https://phil.example/", provider: "website", name: "Phil",
                website: "https://phil.example/")
            let (session, token) = try await blog.drey.readers.signIn(siteID: blog.site.id, identity: identity)
            var ids: [Int64] = []
            for n in 1...3 {
                let sent = try await client.postForm(
                    "/wp-comments-post.php", Self.form(blog, post, text: "Comment number \(n) here."),
                    headers: Self.cookie(token))
                #expect(sent.status == .seeOther, "\(sent.text)")
                ids.append(try #require(Int64(sent.location?.split(separator: "-").last ?? "")))
            }
            let first = try #require(try await blog.drey.store.comment(id: ids[0]))
            #expect(first.authorName == "Phil")
            #expect(first.authorEmail == "")
            #expect(first.authorURL == "https://phil.example/")
            _ = try await blog.drey.comments.setStatus(.spam, commentID: ids[0])
            _ = try await blog.drey.comments.setStatus(.spam, commentID: ids[1])
            let sent = try await client.postForm(
                "/wp-comments-post.php", Self.form(blog, post, text: "Yet another comment."),
                headers: Self.cookie(token))
            let id = try #require(Int64(sent.location?.split(separator: "-").last ?? ""))
            let judged = try #require(try await blog.drey.store.comment(id: id))
            #expect(judged.moderationNote.contains("account had 2 spam"), "\(judged.moderationNote)")
            #expect(try await blog.drey.store.readerHistory(siteID: blog.site.id, readerID: session.reader.id).spam == 2)
        }
    }
}
