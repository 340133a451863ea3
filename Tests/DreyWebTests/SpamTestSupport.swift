import DreyCore
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// A clock the test moves by hand, so timing rules are tested without waiting.
final class TestClock: Sendable {
    private let time: Locked<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) { time = Locked(start) }

    var clock: Clock { Clock { [time] in time.current } }
    var now: Date { time.current }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
}

enum SpamTest {
    /// The token a page handed out, read from its comment form.
    static func token(in html: String) -> String? {
        guard let start = html.range(of: "name=\"drey_token\" value=\"") else { return nil }
        let rest = html[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    /// A token as the page would mint it, shown a minute before `now` unless told otherwise.
    static func token(_ blog: TestBlog, _ post: Post, shownAt: Date) -> String {
        FormToken(postID: post.id, shownAt: shownAt).signed(with: Signer(secret: blog.siteNow.settings.secret))
    }

    static func fields(
        _ token: String, _ post: Post, name: String = "Phil", email: String = "phil@example.org", url: String = "",
        text: String = "A thoughtful reply.", honeypot: String = ""
    ) -> [(String, String)] {
        [
            ("comment_post_ID", String(post.id)), ("comment_parent", "0"), ("author", name), ("email", email), ("url", url),
            ("comment", text), ("hp_website", honeypot), ("drey_token", token),
        ]
    }

    /// The comment a redirect points at, if it names one.
    static func commentID(_ response: TestResponse) -> Int64? {
        guard let location = response.location, let anchor = location.split(separator: "#").last, anchor.hasPrefix("comment-") else { return nil }
        return Int64(anchor.dropFirst("comment-".count))
    }

    /// The comment a redirect points at, as stored.
    static func stored(_ blog: TestBlog, _ response: TestResponse) async throws -> DreyCore.Comment {
        let id = try #require(commentID(response), "no comment in \(response.location ?? "a \(response.status) response")")
        return try #require(try await blog.drey.store.comment(id: id))
    }

    /// Turns off the layers a test is not about: flood control, rate limits and the too-fast rule.
    static func quiet(_ blog: TestBlog) async throws {
        try await blog.drey.siteService.set(
            [.commentFloodSeconds: "0", .commentRateIPPerHour: "0", .commentRateEmailPerHour: "0", .commentFormMinSeconds: "0"],
            siteID: blog.site.id)
    }

    /// Leaves WordPress's discussion rules alone in charge: the layers above off, and the classifier never holding.
    static func wordPressRulesOnly(_ blog: TestBlog) async throws {
        try await quiet(blog)
        try await blog.drey.siteService.set([.spamHoldScore: "1", .spamSpamScore: "1"], siteID: blog.site.id)
    }

    static let spamText =
        "CHECK OUT MY NEW CHANNEL!!! subscribe and like http://cheap-views.example http://www.youtube.com/watch?v=abc123 please subscribe"
    static let hamText = "I read this twice; the part about pruning the roses in late winter matches what my grandmother did."
}
