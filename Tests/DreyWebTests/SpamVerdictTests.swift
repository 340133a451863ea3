import DreyCore
import DreySpam
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// The combined verdict on real comments, the filter's memory, learning from moderation, and the purge.
@Suite struct SpamVerdictTests {
    func send(
        _ blog: TestBlog, _ client: some TestClientProtocol, _ post: Post, name: String = "Phil", email: String = "phil@example.org",
        url: String = "", text: String
    ) async throws -> (TestResponse, DreyCore.Comment?) {
        let token = SpamTest.token(blog, post, shownAt: blog.drey.config.clock.now().addingTimeInterval(-60))
        let r = try await client.postForm("/wp-comments-post.php", SpamTest.fields(token, post, name: name, email: email, url: url, text: text))
        let stored = try await blog.drey.store.comments(postID: post.id, statuses: CommentStatus.allCases).max { $0.id < $1.id }
        return (r, stored)
    }

    @Test("obvious spam goes to the spam queue with its reasons, unseen; a real comment is approved with its score", arguments: TestDatabase.allCases)
    func verdicts(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.quiet(blog)
            try await blog.set(.commentPreviouslyApproved, "off")
            let post = try await blog.post("Thread")
            let (spamResponse, spam) = try await send(
                blog, client, post, name: "Best Cheap Views", email: "promo@example.net", text: SpamTest.spamText)
            let stored = try #require(spam)
            #expect(stored.status == .spam)
            #expect(stored.moderationNote.hasPrefix("spam: "))
            #expect(stored.moderationNote.hasPrefix("spam: 2 links; classifier "))
            #expect(stored.moderationNote.hasSuffix("; backed by 2 links, sales words in name"), "\(stored.moderationNote)")
            #expect((stored.spamScore ?? 0) >= 0.9)
            // Its author sees it awaiting moderation (SpamBlogTests); everyone else does not see it.
            #expect(spamResponse.location == "http://blog.test/2008/01/27/thread/#comment-\(stored.id)")
            #expect(!(try await client.get("/2008/01/27/thread/").text.contains("CHECK OUT MY NEW CHANNEL")))
            let (_, ham) = try await send(blog, client, post, name: "Margaret", email: "margaret@example.org", text: SpamTest.hamText)
            let real = try #require(ham)
            #expect(real.status == .approved, "\(real.moderationNote)")
            #expect(real.moderationNote.hasPrefix("approved: classifier 0.") == true)
            #expect((real.spamScore ?? 1) < 0.2)
            #expect(try await client.get("/2008/01/27/thread/").text.contains("pruning the roses"))
        }
    }

    @Test("a reader citing sources is held with WordPress's reason and the classifier's score, not sent to spam", arguments: TestDatabase.allCases)
    func heldNote(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.quiet(blog)
            let post = try await blog.post("Thread")
            let (_, c) = try await send(
                blog, client, post,
                text: "Two sources I trust: https://en.wikipedia.org/wiki/Rose and https://www.rhs.org.uk/plants/roses for pruning.")
            let held = try #require(c)
            #expect(held.status == .pending)
            // Trained on blog comments too, the classifier no longer distrusts a reader's citations: WordPress's rule holds it.
            #expect(held.moderationNote.hasPrefix("held: 2 links; classifier "), "\(held.moderationNote)")
            #expect((held.spamScore ?? 1) < 0.9, "\(held.moderationNote)")
        }
    }

    @Test("a commenter with approved comments is held, not sent to spam, when only the classifier objects", arguments: TestDatabase.allCases)
    func previouslyApproved(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.quiet(blog)
            let post = try await blog.post("Thread")
            try await blog.comment(post, "An earlier, approved remark about compost.")
            let (_, c) = try await send(blog, client, post, text: SpamTest.spamText)
            let held = try #require(c)
            #expect(held.status == .pending)
            #expect(held.moderationNote.contains("not sent to spam: author has approved comments"))
            #expect(held.moderationNote.contains("email had 1 approved"))
        }
    }

    @Test("spam from an email, IP or website raises the score of its next comment; approvals lower it", arguments: TestDatabase.allCases)
    func memory(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, _ in
            let post = try await blog.post("Thread")
            for n in 1...2 {
                try await blog.comment(post, "old spam \(n)", by: "X", email: "x@spam.example", url: "http://spam.example/", status: .spam)
            }
            try await blog.comment(post, "kind words", by: "Y", email: "y@example.org", status: .approved)
            let settings = blog.siteNow.settings
            func judge(_ email: String, _ url: String) async throws -> SpamVerdict {
                try await blog.drey.spam.judge(
                    .init(siteID: blog.site.id, name: "Someone", email: email, url: url, ip: "", text: "What soil do you use?"), settings: settings)
            }
            let fresh = try await judge("new@example.org", "")
            let known = try await judge("x@spam.example", "https://www.spam.example/offer")
            let liked = try await judge("y@example.org", "")
            #expect((known.score ?? 0) > (fresh.score ?? 1))
            #expect((liked.score ?? 1) < (fresh.score ?? 0))
            #expect(known.reasons.contains("email had 2 spam"))
            #expect(known.reasons.contains("website spam.example had 2 spam"))
            #expect(liked.reasons.contains("email had 1 approved"))
        }
    }

    @Test("marking spam and 'not spam' teach the site's classifier at once, and every process sees it", arguments: TestDatabase.allCases)
    func learning(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let post = try await blog.post("Thread")
            let text = "Fresh zucchini bargains at the Tuesday market stall, ask for Benedetta"
            let comment = try await blog.comment(post, text, by: "Benedetta", email: "b@example.org", status: .pending)
            let sample = SpamSample(text: text, author: "Benedetta", email: "b@example.org", url: "")
            let models = blog.drey.spam.models
            let before = try #require(try await models.model(siteID: blog.site.id)).score(sample)
            #expect(try await blog.drey.store.spamModelVersion(siteID: blog.site.id) == nil)
            _ = try await blog.drey.comments.setStatus(.spam, commentID: comment.id)
            let marked = try #require(try await models.model(siteID: blog.site.id)).score(sample)
            #expect(marked > before)
            #expect(marked >= 0.5)
            #expect(try await blog.drey.store.spamModelVersion(siteID: blog.site.id) == 1)
            // "Not spam": restored, approved, shown, and learned.
            let restored = try await blog.drey.comments.setStatus(.approved, commentID: comment.id)
            #expect(restored.status == .approved)
            #expect(try await client.get("/2008/01/27/thread/").text.contains("zucchini bargains"))
            let unmarked = try #require(try await models.model(siteID: blog.site.id)).score(sample)
            #expect(unmarked < marked)
            #expect(unmarked < 0.5)
            // Another process opening the same database scores with the stored model.
            let other = try await Drey.open(blog.config, logger: TestBlog.quietLogger)
            let there = try #require(try await other.spam.models.model(siteID: blog.site.id)).score(sample)
            await other.close()
            #expect(abs(there - unmarked) < 1e-9)
        }
    }

    @Test("spam is kept for the retention period, then purged; nothing else is", arguments: TestDatabase.allCases)
    func purge(_ kind: TestDatabase) async throws {
        let time = TestClock()
        try await TestBlog.with(kind, clock: time.clock) { blog, _ in
            let post = try await blog.post("Thread")
            func add(_ text: String, _ status: CommentStatus, daysAgo: Double) async throws -> Int64 {
                var s = CommentSubmission(postID: post.id, authorName: "Z", email: "z@example.org", text: text)
                s.forcedStatus = status
                s.createdAt = time.now.addingTimeInterval(-daysAgo * 86400)
                return try await blog.drey.comments.submit(s, siteID: blog.site.id).id
            }
            let old = try await add("old spam", .spam, daysAgo: 31)
            let recent = try await add("recent spam", .spam, daysAgo: 29)
            let held = try await add("old held", .pending, daysAgo: 40)
            #expect(try await blog.drey.spam.purge(sites: blog.drey.sites.all) == 1)
            #expect(try await blog.drey.store.comment(id: old) == nil)
            #expect(try await blog.drey.store.comment(id: recent) != nil)
            try await blog.set(.spamRetentionDays, "10")
            #expect(try await blog.drey.spam.purge(sites: blog.drey.sites.all) == 1)
            #expect(try await blog.drey.store.comment(id: recent) == nil)
            #expect(try await blog.drey.store.comment(id: held) != nil)
            // Spent form tokens are forgotten once they would have expired anyway.
            #expect(try await blog.drey.store.useFormToken(siteID: blog.site.id, nonce: "n1", expiresAt: time.now.addingTimeInterval(60)))
            #expect(!(try await blog.drey.store.useFormToken(siteID: blog.site.id, nonce: "n1", expiresAt: time.now.addingTimeInterval(60))))
            time.advance(61)
            try await blog.drey.spam.purge(sites: blog.drey.sites.all)
            #expect(try await blog.drey.store.useFormToken(siteID: blog.site.id, nonce: "n1", expiresAt: time.now.addingTimeInterval(60)))
        }
    }
}
