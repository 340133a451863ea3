import DreyCore
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

@Suite struct CommentFormTests {
    /// The form fields as the post page renders them, with a token for a form shown a minute ago.
    func fields(
        _ blog: TestBlog, _ post: Post, name: String = "Phil", email: String = "phil@example.org", url: String = "",
        text: String = "A thoughtful reply.", parent: Int64 = 0
    ) -> [(String, String)] {
        let token = SpamTest.token(blog, post, shownAt: Date().addingTimeInterval(-60))
        return [
            ("comment_post_ID", String(post.id)), ("comment_parent", String(parent)), ("author", name), ("email", email),
            ("url", url), ("comment", text), ("hp_website", ""), ("drey_token", token),
        ]
    }

    @Test("a first comment is held and shown only to its author, then approved and shown to all", arguments: TestDatabase.allCases)
    func heldThenApproved(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.wordPressRulesOnly(blog)
            let post = try await blog.post("Thread")
            _ = try await client.get("/2008/01/27/thread/")  // warm the cache
            let sent = try await client.postForm("/wp-comments-post.php", fields(blog, post, text: "Hello <b>there</b> <script>x()</script>"))
            #expect(sent.status == .seeOther)
            let location = try #require(sent.location)
            #expect(location.hasPrefix("http://blog.test/2008/01/27/thread/#comment-"))
            let cookie = try #require(sent.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            let mine = try await client.get("/2008/01/27/thread/", headers: [.cookie: String(cookie.split(separator: ";")[0])])
            #expect(mine.text.contains("Your comment is awaiting moderation"))
            #expect(mine.text.contains("Hello <b>there</b>"))
            #expect(!mine.text.contains("<script>"))
            let theirs = try await client.get("/2008/01/27/thread/")
            #expect(!theirs.text.contains("Hello <b>there</b>"))
            let id = try #require(Int64(location.split(separator: "-").last ?? ""))
            let held = try #require(try await blog.drey.store.comment(id: id))
            #expect(held.status == .pending)
            #expect(held.moderationNote.contains("first comment"))
            _ = try await blog.drey.comments.setStatus(.approved, commentID: id)
            let after = try await client.get("/2008/01/27/thread/")
            #expect(after.text.contains("Hello <b>there</b>"))
            #expect(after.text.contains("1 Comment"))
            // Now known, the same person is approved at once.
            let again = try await client.postForm("/wp-comments-post.php", fields(blog, post, text: "Second thought."))
            let secondID = try #require(Int64(again.location?.split(separator: "-").last ?? ""))
            #expect(try await blog.drey.store.comment(id: secondID)?.status == .approved)
        }
    }

    @Test("replies thread under their parent and link back to it", arguments: [TestDatabase.sqlite])
    func reply(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.wordPressRulesOnly(blog)
            try await blog.set(.commentPreviouslyApproved, "off")
            let post = try await blog.post("Thread")
            let parent = try await blog.comment(post, "First", by: "Charlie")
            let form = try await client.get("/2008/01/27/thread/?replytocom=\(parent.id)")
            #expect(form.text.contains("Reply to Charlie"))
            #expect(form.text.contains("name=\"comment_parent\" value=\"\(parent.id)\""))
            let sent = try await client.postForm("/wp-comments-post.php", fields(blog, post, text: "Hi Charlie", parent: parent.id))
            let id = try #require(Int64(sent.location?.split(separator: "-").last ?? ""))
            #expect(try await blog.drey.store.comment(id: id)?.parentID == parent.id)
            let page = try await client.get("/2008/01/27/thread/")
            #expect(page.text.contains("<ol class=\"children\">\n<li id=\"comment-\(id)\""))
        }
    }

    @Test("refused comments come back with everything typed and a clear message", arguments: TestDatabase.allCases)
    func refused(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let post = try await blog.post("Thread")
            let missing = try await client.postForm(
                "/wp-comments-post.php",
                fields(blog, post, name: "", email: "not-an-email", url: "javascript:alert(1)", text: "Kept <i>words</i> & more"))
            #expect(missing.status == .unprocessableContent)
            #expect(missing.text.contains("Please enter your name."))
            #expect(missing.text.contains("Please enter a valid email address."))
            #expect(missing.text.contains("The website must be an http or https address."))
            #expect(missing.text.contains("Kept &lt;i&gt;words&lt;/i&gt; &amp; more</textarea>"))
            #expect(missing.text.contains("value=\"not-an-email\""))
            let tooLong = try await client.postForm("/wp-comments-post.php", fields(blog, post, text: String(repeating: "a", count: 70_000)))
            #expect(tooLong.status == .unprocessableContent)
            #expect(tooLong.text.contains("the limit is 65525"))
            let empty = try await client.postForm("/wp-comments-post.php", fields(blog, post, text: "   "))
            #expect(empty.text.contains("Please type your comment."))
            let forged = try await client.postForm("/wp-comments-post.php", fields(blog, post).map { $0.0 == "drey_token" ? ($0.0, "forged.x") : $0 })
            #expect(forged.status == .forbidden)
            #expect(forged.text.contains("A thoughtful reply."))
            let unknown = try await client.postForm("/wp-comments-post.php", [("comment_post_ID", "999999"), ("comment", "hi")])
            #expect(unknown.status == .notFound)
            let closedPost = try await blog.post("Closed", date: "2008-01-28T00:00:00Z", commentStatus: .closed)
            let closed = try await client.postForm("/wp-comments-post.php", fields(blog, closedPost))
            #expect(closed.status == .forbidden)
            #expect(closed.text.contains("Comments are closed"))
            #expect(try await blog.drey.store.comments(postID: post.id, statuses: CommentStatus.allCases).isEmpty)
        }
    }

    @Test("WordPress's discussion rules decide the status", arguments: [TestDatabase.sqlite])
    func discussionRules(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.wordPressRulesOnly(blog)
            try await blog.set(.commentPreviouslyApproved, "off")
            try await blog.set(.moderationKeys, "casino")
            try await blog.set(.disallowedKeys, "viagra\n203.0.113.")
            let post = try await blog.post("Rules")
            func send(_ text: String, name: String = "Phil", headers: HTTPFields = [:]) async throws -> DreyCore.Comment? {
                let r = try await client.postForm("/wp-comments-post.php", fields(blog, post, name: name, text: text), headers: headers)
                guard let id = Int64(r.location?.split(separator: "-").last ?? "") else {
                    return try await blog.drey.store.comments(postID: post.id, statuses: CommentStatus.allCases).last
                }
                return try await blog.drey.store.comment(id: id)
            }
            #expect(try await send("Plain words")?.status == .approved)
            let links = try await send("see http://a.example and https://b.example and http://c.example")
            #expect(links?.status == .pending)
            #expect(links?.moderationNote.contains("3 links") == true)
            #expect(try await send("a casino offer")?.status == .pending)
            #expect(try await send("cheap viagra")?.status == .trash)
            #expect(try await send("from a bad range", headers: [.xForwardedFor: "203.0.113.9"])?.status == .trash)
            try await blog.set(.commentModeration, "on")
            #expect(try await send("manual approval now")?.status == .pending)
            // The same words twice are refused as a duplicate.
            let dup = try await client.postForm("/wp-comments-post.php", fields(blog, post, text: "manual approval now"))
            #expect(dup.status == .conflict)
            #expect(dup.text.contains("Duplicate comment"))
        }
    }

    @Test("the honeypot stores nothing; comment HTML is sanitized with nofollow ugc", arguments: [TestDatabase.sqlite])
    func honeypotAndSanitizing(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.wordPressRulesOnly(blog)
            try await blog.set(.commentPreviouslyApproved, "off")
            let post = try await blog.post("Safe")
            let bot = try await client.postForm(
                "/wp-comments-post.php", fields(blog, post).map { $0.0 == "hp_website" ? ($0.0, "http://spam.example") : $0 })
            #expect(bot.status == .seeOther)
            #expect(try await blog.drey.store.comments(postID: post.id, statuses: CommentStatus.allCases).isEmpty)
            let html = "<a href=\"http://x.example/\" onclick=\"evil()\">x</a> <img src=x onerror=alert(1)> <a href=\"javascript:alert(1)\">y</a>"
            _ = try await client.postForm("/wp-comments-post.php", fields(blog, post, text: html))
            let stored = try #require(try await blog.drey.store.comments(postID: post.id, statuses: [.approved]).first)
            #expect(stored.contentHTML.contains("rel=\"nofollow ugc\""))
            #expect(!stored.contentHTML.contains("onclick") && !stored.contentHTML.contains("<img") && !stored.contentHTML.contains("javascript:"))
        }
    }
}
