import DreyCore
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Signed cookies, flashes, form tokens and CSRF tokens each carry their purpose: none opens what another is for.
@Suite struct SignedValueTests {
    static let purposes: [Signer.Purpose] = [
        .heldComments, .unlockedPosts, .commentForm, .csrf, .flash(session: "a"), .flash(session: "b"),
    ]

    @Test("a value signed for one purpose verifies for that purpose only")
    func purposes() {
        let signer = Signer(secret: "s3cret")
        for value in ["7", "7-8", "comment:7:1700000000000:abc", "Settings saved."] {
            for made in Self.purposes {
                let signed = signer.sign(value, purpose: made)
                #expect(signer.verify(signed, purpose: made) == value)
                for other in Self.purposes where other != made {
                    #expect(signer.verify(signed, purpose: other) == nil, "\(made.name) opened \(other.name)")
                }
                #expect(signer.signature(value, purpose: made) != signer.signature(value, purpose: .flash(session: made.name)))
            }
        }
    }

    /// A published post, and a password-protected one.
    static func protectedPost(_ blog: TestBlog) async throws -> (open: Post, locked: Post) {
        let open = try await blog.post("Open")
        var input = PostInput(title: "Locked", source: "The secret recipe.", authorID: blog.author.id)
        input.publishedAt = ISO8601DateFormatter().date(from: "2008-01-27T00:04:00Z")
        input.password = "opensesame"
        let locked = try await blog.drey.posts.create(input, siteID: blog.site.id)
        return (open, locked)
    }

    static func cookiePair(_ response: TestResponse, _ name: String) throws -> String {
        let header = try #require(response.headers[values: .setCookie].first { $0.hasPrefix(name + "=") }, "no \(name) cookie")
        return String(header.split(separator: ";")[0])
    }

    @Test("the held-comment cookie and the post-password cookie cannot stand in for each other", arguments: TestDatabase.allCases)
    func cookieSwap(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.wordPressRulesOnly(blog)
            let (open, locked) = try await Self.protectedPost(blog)
            // The held comment gets the locked post's number, so both cookies carry the same signed value "N".
            var last: Int64 = 0
            while last < locked.id - 1 { last = try await blog.comment(open, "Filler \(last)", email: "filler@example.org").id }
            let token = SpamTest.token(blog, open, shownAt: Date().addingTimeInterval(-60))
            let sent = try await client.postForm("/wp-comments-post.php", SpamTest.fields(token, open, text: "Held words."))
            let held = try await SpamTest.stored(blog, sent)
            #expect(held.status == .pending)
            try #require(held.id == locked.id)
            let heldCookie = try Self.cookiePair(sent, CommentController.pendingCookie)

            let unlocked = try await client.postForm(
                "/wp-login.php?action=postpass", [("post_id", String(locked.id)), ("post_password", "opensesame")])
            let passCookie = try Self.cookiePair(unlocked, CommentController.postPassCookie)

            // Each cookie does its own job.
            #expect(try await client.get("/2008/01/27/open/", headers: [.cookie: heldCookie]).text.contains("Held words."))
            #expect(try await client.get("/2008/01/27/locked/", headers: [.cookie: passCookie]).text.contains("The secret recipe."))

            // Swapped, neither does the other's.
            let heldValue = heldCookie.split(separator: "=", maxSplits: 1)[1]
            let passValue = passCookie.split(separator: "=", maxSplits: 1)[1]
            let lockedPage = try await client.get(
                "/2008/01/27/locked/", headers: [.cookie: "\(CommentController.postPassCookie)=\(heldValue)"])
            #expect(!lockedPage.text.contains("The secret recipe."))
            #expect(lockedPage.text.contains("This content is password protected"))
            let openPage = try await client.get("/2008/01/27/open/", headers: [.cookie: "\(CommentController.pendingCookie)=\(passValue)"])
            #expect(openPage.status == .ok)
            #expect(!openPage.text.contains("Held words."))

            // Neither opens a comment form's token slot, nor does a form token open a cookie.
            let formToken = try #require(SpamTest.token(in: try await client.get("/2008/01/27/open/").text))
            for value in [String(heldValue), String(passValue)] {
                let fields = SpamTest.fields(value.removingPercentEncoding ?? value, open, email: "new@example.org", text: "Swapped token.")
                #expect(try await client.postForm("/wp-comments-post.php", fields).status == .forbidden)
            }
            let encodedToken = formToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let withToken = try await client.get(
                "/2008/01/27/locked/", headers: [.cookie: "\(CommentController.postPassCookie)=\(encodedToken)"])
            #expect(!withToken.text.contains("The secret recipe."))
        }
    }

    @Test("a comment sent straight to a protected post is refused with the form and the text back", arguments: TestDatabase.allCases)
    func protectedPostComment(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.wordPressRulesOnly(blog)
            let (_, locked) = try await Self.protectedPost(blog)
            let token = SpamTest.token(blog, locked, shownAt: Date().addingTimeInterval(-60))
            let refused = try await client.postForm(
                "/wp-comments-post.php", SpamTest.fields(token, locked, name: "Mallory", text: "Words typed blind."))
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("This post is password protected"))
            #expect(refused.text.contains("Words typed blind."))
            #expect(refused.text.contains("value=\"Mallory\""))
            #expect(!refused.text.contains("The secret recipe."))
            #expect(try await blog.drey.store.comments(postID: locked.id, statuses: CommentStatus.allCases).isEmpty)

            // Unlocked, the same reader may comment.
            let unlocked = try await client.postForm(
                "/wp-login.php?action=postpass", [("post_id", String(locked.id)), ("post_password", "opensesame")])
            let passCookie = try Self.cookiePair(unlocked, CommentController.postPassCookie)
            let fresh = SpamTest.token(blog, locked, shownAt: Date().addingTimeInterval(-60))
            let sent = try await client.postForm(
                "/wp-comments-post.php", SpamTest.fields(fresh, locked, name: "Mallory", text: "Words typed blind."),
                headers: [.cookie: passCookie])
            #expect(sent.status == .seeOther)
            #expect(try await SpamTest.stored(blog, sent).postID == locked.id)
        }
    }

    @Test("a flash link made in one session shows nothing in another, so nobody can phrase a notice for the admin", arguments: TestDatabase.allCases)
    func flashBoundToSession(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (_, edPassword) = try await blog.member(.editor, "ed")
            let (_, adaPassword) = try await blog.member(.administrator, "ada")
            var ed = AdminSession(client: client)
            _ = try await ed.signIn("ed@blog.test", edPassword)
            _ = try await ed.get("/admin/terms?taxonomy=tag")
            let phishing = "Security notice: your password expired, sign in again at evil.example"
            let added = try await ed.post("/admin/terms", [("taxonomy", "tag"), ("action", "create"), ("name", phishing), ("slug", "notice")])
            #expect(added.status == .seeOther)
            let location = try #require(added.location)
            let link = String(location.dropFirst("http://\(TestBlog.host)".count))
            #expect(link.contains("flash="))
            let notice = "<p class=\"notice\" role=\"status\">"
            // The session that did the work reads its message.
            let own = try await ed.get(link)
            #expect(own.text.contains(notice + "Added “\(phishing)”."))

            var ada = AdminSession(client: client)
            _ = try await ada.signIn("ada@blog.test", adaPassword)
            let replayed = try await ada.get(link)
            #expect(replayed.status == .ok)
            #expect(!replayed.text.contains(notice))
            // Nor does a flash signed for no session, or for another purpose, show.
            let signer = Signer(secret: blog.siteNow.settings.secret)
            for forged in [signer.sign(phishing, purpose: .flash(session: "")), signer.sign(phishing, purpose: .csrf)] {
                let encoded = forged.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                #expect(!(try await ada.get("/admin/terms?taxonomy=tag&flash=\(encoded)").text.contains(notice)))
            }
            // A signed-out visitor following the link is sent to sign in, message unseen.
            let stranger = try await client.get(link)
            #expect(stranger.status == .seeOther && !stranger.text.contains(phishing))
        }
    }
}
