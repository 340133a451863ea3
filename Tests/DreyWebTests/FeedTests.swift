import DreyCore
import DreyTestSupport
import Foundation
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// What feedparser made of a feed.
struct ParsedFeed: Decodable {
    struct Entry: Decodable {
        let title: String
        let link: String
        let id: String
        let author: String
        let tags: [String]
        let content: String
    }
    let bozo: Int
    let bozo_exception: String
    let version: String
    let title: String
    let entries: [Entry]

    static func parse(_ body: String) throws -> ParsedFeed {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("feed-\(UUID().uuidString).xml")
        try body.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (_, output) = try PythonCheck.run("parse_feed.py", arguments: [file.path])
        guard let line = output.split(separator: "\n").last, let data = line.data(using: .utf8) else {
            throw CLIFailure("feedparser printed nothing: \(output)")
        }
        return try JSONDecoder().decode(ParsedFeed.self, from: data)
    }
}

struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

@Suite struct FeedTests {
    @Test("RSS and Atom for the site, terms, author and comments parse cleanly in feedparser", arguments: TestDatabase.allCases)
    func feeds(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let post = try await blog.post(
                "Fish & chips <b>", "Content with ]]> and <script>alert(1)</script> & \u{1F600}", categories: ["Food"], tags: ["Winter"])
            try await blog.post("Second", date: "2008-02-01T00:00:00Z", categories: ["Other"])
            try await blog.comment(post, "Tasty & good", by: "Charlie")
            let home = try await client.get("/")
            #expect(
                home.text.contains("<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Test » Feed\"")
                    || home.text.contains("type=\"application/rss+xml\""))
            for (uri, version, count) in [
                ("/feed/", "rss20", 2), ("/feed/atom/", "atom10", 2), ("/category/food/feed/", "rss20", 1),
                ("/tag/winter/feed/", "rss20", 1), ("/author/korakious/feed/", "rss20", 2), ("/comments/feed/", "rss20", 1),
                ("/2008/01/27/fish-chips-b/feed/", "rss20", 1), ("/comments/feed/atom/", "atom10", 1),
            ] {
                let response = try await client.get(uri)
                #expect(response.status == .ok, "\(uri)")
                let parsed = try ParsedFeed.parse(response.text)
                #expect(parsed.bozo == 0, "\(uri): \(parsed.bozo_exception)")
                #expect(parsed.version == version, "\(uri)")
                #expect(parsed.entries.count == count, "\(uri)")
            }
            let rss = try ParsedFeed.parse(try await client.get("/feed/").text)
            let entry = try #require(rss.entries.last)
            #expect(entry.title == "Fish & chips <b>")
            #expect(entry.link == "http://blog.test/2008/01/27/fish-chips-b/")
            #expect(entry.id == "http://blog.test/?p=\(post.id)")
            #expect(entry.tags.contains("Food") && entry.tags.contains("Winter"))
            #expect(entry.content.contains("]]&gt;"))
            #expect(!entry.content.contains("<script>"))
            let comments = try ParsedFeed.parse(try await client.get("/comments/feed/").text)
            #expect(comments.entries.first?.title == "Comment on Fish & chips <b> by Charlie")
        }
    }

    @Test("GUIDs stay the same when a post is edited and its slug changes", arguments: [TestDatabase.sqlite])
    func stableGUIDs(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let post = try await blog.post("Original")
            let before = try ParsedFeed.parse(try await client.get("/feed/").text).entries.first?.id
            var input = PostInput(title: "Renamed", source: "New text", authorID: blog.author.id)
            input.slug = "renamed"
            _ = try await blog.drey.posts.update(post.id, with: input, siteID: blog.site.id)
            let after = try ParsedFeed.parse(try await client.get("/feed/").text).entries.first
            #expect(after?.id == before)
            #expect(after?.title == "Renamed")
        }
    }

    @Test("unknown feeds are 404s", arguments: [TestDatabase.sqlite])
    func unknown(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { _, client in
            let none = try await client.get("/category/none/feed/")
            #expect(none.status == .notFound)
            #expect(try await client.get("/category/none/feed/").status == .notFound)
            #expect(try await client.get("/2008/01/27/none/feed/").status == .notFound)
        }
    }
}
