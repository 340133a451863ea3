import CompressNIO
import DreyCore
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import DreyApp
@testable import DreyWeb

/// The form's layers through real HTTP posts: token, timing, replay, honeypot, flood and rate limits.
@Suite struct SpamFormTests {
    let path = "/2008/01/27/thread/"

    @Test("a cached page hands every reader a token of their own, with the time they were shown it", arguments: TestDatabase.allCases)
    func tokensInCachedPages(_ kind: TestDatabase) async throws {
        let time = TestClock()
        try await TestBlog.with(kind, clock: time.clock) { blog, client in
            let post = try await blog.post("Thread")
            let first = try await client.get(path)
            time.advance(5)
            let second = try await client.get(path)
            #expect(second.headers[.init("X-Drey-Cache")!] == "HIT")
            let a = try #require(SpamTest.token(in: first.text))
            let b = try #require(SpamTest.token(in: second.text))
            #expect(a != b)
            #expect(!second.text.contains(PageHole.prefix))
            let signer = Signer(secret: blog.siteNow.settings.secret)
            guard case .valid(let token) = FormToken.check(b, postID: post.id, now: time.now, maxAge: 86400, signer: signer) else {
                Issue.record("the cached page's token does not verify")
                return
            }
            #expect(token.shownAt == time.now)
            #expect(second.headers[.eTag] == nil)
            #expect(second.headers[.cacheControl] == "private, no-cache")
            // The gzip form is one valid member holding its own token.
            let zipped = try await client.get(path, headers: [.acceptEncoding: "gzip"])
            #expect(zipped.headers[.contentEncoding] == "gzip")
            var body = zipped.body
            let page = String(buffer: try body.decompress(with: .gzip()))
            let c = try #require(SpamTest.token(in: page))
            #expect(c != b && page.contains("</html>"))
            let head = try await client.get(path, headers: [.acceptEncoding: "gzip"], method: .head)
            #expect(head.headers[.contentLength] == zipped.headers[.contentLength])
        }
    }

    @Test("a form sent faster than a person can is held with the reason; the same form later is not", arguments: TestDatabase.allCases)
    func tooFast(_ kind: TestDatabase) async throws {
        let time = TestClock()
        try await TestBlog.with(kind, clock: time.clock) { blog, client in
            try await blog.set(.commentPreviouslyApproved, "off")
            let post = try await blog.post("Thread")
            let fast = try #require(SpamTest.token(in: try await client.get(path).text))
            let slow = try #require(SpamTest.token(in: try await client.get(path).text))
            time.advance(1.2)
            let sent = try await client.postForm("/wp-comments-post.php", SpamTest.fields(fast, post, text: SpamTest.hamText))
            let held = try await SpamTest.stored(blog, sent)
            #expect(held.status == .pending)
            #expect(held.moderationNote.contains("form sent 1.2 s after it was shown"))
            time.advance(30)
            let later = try await client.postForm(
                "/wp-comments-post.php", SpamTest.fields(slow, post, name: "Ann", email: "ann@example.org", text: "Lovely photographs of the beds."))
            let fine = try await SpamTest.stored(blog, later)
            #expect(fine.status == .approved, "\(fine.moderationNote)")
            #expect(!fine.moderationNote.contains("form sent"))
        }
    }

    @Test("expired, forged and other-post tokens are refused with the form and its text back", arguments: TestDatabase.allCases)
    func badTokens(_ kind: TestDatabase) async throws {
        let time = TestClock()
        try await TestBlog.with(kind, clock: time.clock) { blog, client in
            let post = try await blog.post("Thread")
            let other = try await blog.post("Other", date: "2008-01-20T00:00:00Z")
            let old = SpamTest.token(blog, post, shownAt: time.now.addingTimeInterval(-25 * 3600))
            let expired = try await client.postForm("/wp-comments-post.php", SpamTest.fields(old, post, text: "Kept words"))
            #expect(expired.status == .forbidden)
            #expect(expired.text.contains("more than 24 hours, so it has expired"))
            #expect(expired.text.contains("Kept words</textarea>"))
            // The form comes back with a fresh token that works.
            let fresh = try #require(SpamTest.token(in: expired.text))
            time.advance(20)
            let again = try await client.postForm("/wp-comments-post.php", SpamTest.fields(fresh, post, text: "Kept words"))
            #expect(again.status == .seeOther)
            let elsewhere = SpamTest.token(blog, other, shownAt: time.now.addingTimeInterval(-60))
            let wrongPost = try await client.postForm("/wp-comments-post.php", SpamTest.fields(elsewhere, post, text: "Harvested"))
            #expect(wrongPost.status == .forbidden)
            let foreign = FormToken(postID: post.id, shownAt: time.now.addingTimeInterval(-60)).signed(with: Signer(secret: "another site"))
            for forged in [foreign, "", "comment:\(post.id)", "x.y", String(repeating: "A", count: 5000)] {
                let r = try await client.postForm("/wp-comments-post.php", SpamTest.fields(forged, post, text: "Forged"))
                #expect(r.status == .forbidden)
                #expect(r.text.contains("The form could not be verified"))
            }
            let stored = try await blog.drey.store.comments(postID: post.id, statuses: CommentStatus.allCases)
            #expect(stored.map(\.source) == ["Kept words"])
        }
    }

    @Test("a replayed form is discarded unstored and counted; so is a filled honeypot", arguments: TestDatabase.allCases)
    func replayAndHoneypot(_ kind: TestDatabase) async throws {
        let time = TestClock()
        try await TestBlog.with(kind, clock: time.clock) { blog, client in
            try await SpamTest.quiet(blog)
            let post = try await blog.post("Thread")
            let token = try #require(SpamTest.token(in: try await client.get(path).text))
            time.advance(10)
            let first = try await client.postForm("/wp-comments-post.php", SpamTest.fields(token, post, text: SpamTest.hamText))
            #expect(SpamTest.commentID(first) != nil)
            let replay = try await client.postForm(
                "/wp-comments-post.php", SpamTest.fields(token, post, name: "Bot", email: "bot@example.net", text: "Another text, same form"))
            #expect(replay.status == .seeOther)
            #expect(replay.location == "http://blog.test\(path)")
            let trap = try await client.postForm(
                "/wp-comments-post.php",
                SpamTest.fields(SpamTest.token(blog, post, shownAt: time.now.addingTimeInterval(-60)), post, honeypot: "http://x.example"))
            #expect(trap.status == .seeOther)
            #expect(try await blog.drey.store.comments(postID: post.id, statuses: CommentStatus.allCases).count == 1)
            let counted = try await blog.drey.store.discards(siteID: blog.site.id, sinceDay: "2000-01-01")
            #expect(Dictionary(uniqueKeysWithValues: counted.map { ($0.reason, $0.count) }) == ["honeypot": 1, "replayed form": 1])
            // The moderators' dashboard tells what was thrown away unseen.
            let (_, pass) = try await blog.member(.editor, "eda")
            var eda = AdminSession(client: client)
            _ = try await eda.signIn("eda@blog.test", pass)
            let dashboard = try await eda.get("/admin/").text
            #expect(dashboard.contains("Thrown away unstored in the last 30 days: <b>2</b>"))
            #expect(dashboard.contains("<li>honeypot: 1</li>") && dashboard.contains("<li>replayed form: 1</li>"))
            #expect(dashboard.contains("kept 30 days"))
        }
    }

    @Test("flood control refuses a second comment within 15 s with the form back, then lets it through", arguments: TestDatabase.allCases)
    func flood(_ kind: TestDatabase) async throws {
        let time = TestClock()
        try await TestBlog.with(kind, clock: time.clock) { blog, client in
            try await blog.set(.commentPreviouslyApproved, "off")
            let post = try await blog.post("Thread")
            func send(_ text: String, email: String, ip: String) async throws -> TestResponse {
                let token = SpamTest.token(blog, post, shownAt: time.now.addingTimeInterval(-60))
                return try await client.postForm(
                    "/wp-comments-post.php", SpamTest.fields(token, post, email: email, text: text), headers: [.xForwardedFor: ip])
            }
            #expect(try await send("First thought about the garden.", email: "a@example.org", ip: "198.51.100.1").status == .seeOther)
            time.advance(5)
            for (email, ip) in [("a@example.org", "198.51.100.2"), ("b@example.org", "198.51.100.1")] {
                let again = try await send("Second thought, quickly.", email: email, ip: ip)
                #expect(again.status == .tooManyRequests)
                #expect(again.text.contains("You are posting comments too quickly. Slow down."))
                #expect(again.text.contains("Second thought, quickly.</textarea>"))
            }
            time.advance(11)
            #expect(try await send("Second thought, quickly.", email: "a@example.org", ip: "198.51.100.1").status == .seeOther)
        }
    }

    @Test("linkbacks from one server within the flood interval are all taken and judged; a form comment is not", arguments: [TestDatabase.sqlite])
    func linkbacksSkipFlood(_ kind: TestDatabase) async throws {
        let time = TestClock()
        try await TestBlog.with(kind, clock: time.clock) { blog, _ in
            let post = try await blog.post("Thread")
            // One blog linking to us twice in a row: same server, seconds apart.
            for n in 1...3 {
                var ping = CommentSubmission(
                    postID: post.id, authorName: "Another blog", email: "", url: "https://other.example/\(n)/",
                    text: "[…] a reply about the roses, part \(n) […]")
                ping.type = .pingback
                ping.ip = "198.51.100.7"
                let stored = try await blog.drey.comments.submit(ping, siteID: blog.site.id)
                #expect(stored.moderationNote.isEmpty == false, "a linkback is judged and leaves a reason")
                time.advance(1)
            }
            var comment = CommentSubmission(postID: post.id, authorName: "Ann", email: "ann@example.org", text: "Nice roses.")
            comment.ip = "198.51.100.7"
            await #expect(throws: CommentRejection.self) { try await blog.drey.comments.submit(comment, siteID: blog.site.id) }
        }
    }

    @Test("a form refused by the limits is not spent: sent again later it is stored; sent once more it is a replay", arguments: TestDatabase.allCases)
    func refusedFormNotSpent(_ kind: TestDatabase) async throws {
        let time = TestClock()
        try await TestBlog.with(kind, clock: time.clock) { blog, client in
            try await blog.set(.commentPreviouslyApproved, "off")
            let post = try await blog.post("Thread")
            let first = SpamTest.token(blog, post, shownAt: time.now.addingTimeInterval(-60))
            #expect(
                try await client.postForm(
                    "/wp-comments-post.php", SpamTest.fields(first, post, text: "First thought about roses."),
                    headers: [.xForwardedFor: "198.51.100.1"]
                ).status == .seeOther)
            time.advance(5)
            // The reader's second form is refused by flood control; they press Back and send the very same form later.
            let second = SpamTest.token(blog, post, shownAt: time.now.addingTimeInterval(-30))
            let fields = SpamTest.fields(second, post, text: "Second thought, about tulips.")
            #expect(try await client.postForm("/wp-comments-post.php", fields, headers: [.xForwardedFor: "198.51.100.1"]).status == .tooManyRequests)
            time.advance(20)
            let again = try await client.postForm("/wp-comments-post.php", fields, headers: [.xForwardedFor: "198.51.100.1"])
            #expect(SpamTest.commentID(again) != nil, "the same form, sent after the refusal, is stored")
            let stored = try await blog.drey.store.comments(postID: post.id, statuses: CommentStatus.allCases)
            #expect(stored.map(\.source).sorted() == ["First thought about roses.", "Second thought, about tulips."])
            // Once stored, the same form again is a replay: discarded and counted, nothing stored.
            time.advance(20)
            let replay = try await client.postForm(
                "/wp-comments-post.php", SpamTest.fields(second, post, name: "Bot", email: "bot@example.net", text: "Other words"),
                headers: [.xForwardedFor: "198.51.100.9"])
            #expect(replay.status == .seeOther && SpamTest.commentID(replay) == nil)
            #expect(try await blog.drey.store.comments(postID: post.id, statuses: CommentStatus.allCases).count == 2)
        }
    }

    @Test("per-IP and per-email hourly limits answer 429 with a plain message", arguments: TestDatabase.allCases)
    func rateLimits(_ kind: TestDatabase) async throws {
        let time = TestClock()
        try await TestBlog.with(kind, clock: time.clock) { blog, client in
            try await blog.drey.siteService.set(
                [.commentRateIPPerHour: "2", .commentRateEmailPerHour: "3", .commentFloodSeconds: "15"], siteID: blog.site.id)
            let post = try await blog.post("Thread")
            var n = 0
            func send(email: String, ip: String) async throws -> TestResponse {
                n += 1
                time.advance(20)
                let token = SpamTest.token(blog, post, shownAt: time.now.addingTimeInterval(-60))
                return try await client.postForm(
                    "/wp-comments-post.php", SpamTest.fields(token, post, email: email, text: "Comment number \(n) on the roses."),
                    headers: [.xForwardedFor: ip])
            }
            #expect(try await send(email: "a@example.org", ip: "198.51.100.1").status == .seeOther)
            #expect(try await send(email: "b@example.org", ip: "198.51.100.1").status == .seeOther)
            let byIP = try await send(email: "c@example.org", ip: "198.51.100.1")
            #expect(byIP.status == .tooManyRequests)
            #expect(byIP.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(byIP.text.contains("Too many comments from your address in the last hour (the limit is 2)"))
            #expect(try await send(email: "a@example.org", ip: "198.51.100.2").status == .seeOther)
            #expect(try await send(email: "a@example.org", ip: "198.51.100.3").status == .seeOther)
            let byEmail = try await send(email: "a@example.org", ip: "198.51.100.4")
            #expect(byEmail.status == .tooManyRequests)
            #expect(byEmail.text.contains("Too many comments with your email address"))
            time.advance(3600)
            #expect(try await send(email: "a@example.org", ip: "198.51.100.1").status == .seeOther)
        }
    }

    @Test("the client's IP is the proxy's last X-Forwarded-For entry, not one the client wrote", arguments: [TestDatabase.sqlite])
    func clientIP(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.quiet(blog)
            let post = try await blog.post("Thread")
            let token = SpamTest.token(blog, post, shownAt: Date().addingTimeInterval(-60))
            let sent = try await client.postForm(
                "/wp-comments-post.php", SpamTest.fields(token, post), headers: [.xForwardedFor: "6.6.6.6, 203.0.113.7"])
            let comment = try await SpamTest.stored(blog, sent)
            #expect(comment.authorIP == "203.0.113.7")
        }
    }
}
