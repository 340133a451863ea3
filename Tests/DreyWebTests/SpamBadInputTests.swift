import DreyCore
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Hostile and unusual input gets a clear verdict and reason, never a crash.
@Suite struct SpamBadInputTests {
    static let scripts = [
        "مرحبا، هذه مقالة رائعة عن الحدائق", "这篇关于花园的文章写得很好，谢谢分享", "यह लेख बहुत अच्छा है, धन्यवाद",
        "Эта статья очень полезна, спасибо", "המאמר הזה מצוין, תודה רבה", "この記事はとても役に立ちました",
        "이 글 정말 좋네요 감사합니다", "Αυτό το άρθρο είναι εξαιρετικό", "ይህ ጽሑፍ በጣም ጥሩ ነው",
        "👍🏽👨‍👩‍👧‍👦🌹🌹🌹 🇬🇧 🏳️‍🌈", "z̷̢̛a̸͔͝l̶̰̾g̵̱̈o̴̧͝ text", "\u{202E}desrever si txet sihT\u{202C}",
        "zero\u{200B}width\u{200C}joiners\u{200D}and\u{2060}a\u{FEFF}bom", "tab\tand\u{0B}vertical\u{0C}feeds",
    ]

    func judge(_ blog: TestBlog, name: String = "Sam", email: String = "sam@example.org", url: String = "", text: String) async throws -> SpamVerdict
    {
        try await blog.drey.spam.judge(
            .init(siteID: blog.site.id, name: name, email: email, url: url, ip: "198.51.100.20", text: text), settings: blog.siteNow.settings)
    }

    @Test("every script, emoji, combining mark, bidi override and zero-width character gets a verdict and a score", arguments: [TestDatabase.sqlite])
    func scripts(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, _ in
            for text in Self.scripts {
                let verdict = try await judge(blog, name: text, text: text)
                #expect(verdict.score != nil, "\(text)")
                #expect(verdict.reasons.contains { $0.hasPrefix("classifier ") }, "\(text)")
                #expect([.approve, .hold, .spam].contains(verdict.decision), "\(text)")
            }
            // Invisible characters do not hide a spammer's words from the classifier.
            let plain = try await judge(blog, text: SpamTest.spamText)
            let hidden = try await judge(blog, text: SpamTest.spamText.map { String($0) }.joined(separator: "\u{200B}"))
            #expect(abs((plain.score ?? 0) - (hidden.score ?? 1)) < 0.05)
        }
    }

    @Test("huge comments and thousands of links are judged, and held or refused with the reason", arguments: [TestDatabase.sqlite])
    func hugeAndLinky(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, _ in
            let links = (1...2000).map { "http://l\($0).example/" }.joined(separator: " ")
            let linky = try await judge(blog, text: links)
            #expect(linky.decision == .spam || linky.decision == .hold)
            #expect(linky.reasons.first == "2000 links")
            let long = try await judge(blog, text: String(repeating: "All work and no play makes a dull gardener. ", count: 1400))
            #expect(long.score != nil)
            let post = try await blog.post("Thread")
            var s = CommentSubmission(postID: post.id, authorName: "Sam", email: "sam@example.org", text: String(repeating: "x", count: 70_000))
            s.ip = "198.51.100.20"
            let refused = try await blog.drey.comments.screen(s, postID: post.id, siteID: blog.site.id)
            #expect(refused.decision == .refuse)
            #expect(refused.reasons == ["Your comment is 70000 characters long; the limit is 65525."])
        }
    }

    @Test("names that are links, and header injection in the email, get their reasons", arguments: TestDatabase.allCases)
    func namesAndEmails(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.quiet(blog)
            let named = try await judge(blog, name: "http://cheap-pills.example", text: "Nice post, thanks for sharing it with us all today")
            #expect(named.reasons.contains { $0.contains("name is a link") }, "\(named.reasons)")
            #expect(named.decision != .approve)
            let post = try await blog.post("Thread")
            for email in ["eve@example.org\r\nBcc: all@example.org", "eve@example.org%0ABcc:all@example.org", "eve@example.org\nTo: x@y.z"] {
                let token = SpamTest.token(blog, post, shownAt: Date().addingTimeInterval(-60))
                let r = try await client.postForm("/wp-comments-post.php", SpamTest.fields(token, post, email: email, text: "hello"))
                #expect(r.status == .unprocessableContent)
                #expect(r.text.contains("Please enter a valid email address."))
            }
            #expect(try await blog.drey.store.comments(postID: post.id, statuses: CommentStatus.allCases).isEmpty)
        }
    }
}
