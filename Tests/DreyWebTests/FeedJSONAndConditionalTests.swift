import DreyCore
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// JSON Feed 1.1 beside RSS and Atom, and conditional GET on feeds and pages.
@Suite struct FeedJSONAndConditionalTests {
    @Test("/feed/json/ is JSON Feed 1.1, advertised on pages, and passes a check of the spec's rules", arguments: TestDatabase.allCases)
    func jsonFeed(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.post("First & best", "Some *text* with <b>html</b>.", categories: ["Garden"], tags: ["seeds"])
            let r = try await client.get("/feed/json/")
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "application/feed+json; charset=UTF-8")
            let feed = try #require(try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [String: Any])
            #expect(feed["version"] as? String == "https://jsonfeed.org/version/1.1")
            #expect(feed["feed_url"] as? String == "http://blog.test/feed/json/")
            let items = try #require(feed["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items.first?["title"] as? String == "First & best")
            #expect((items.first?["content_html"] as? String)?.contains("<em>text</em>") == true)
            #expect(items.first?["tags"] as? [String] == ["Garden", "seeds"])
            #expect(feed["hubs"] == nil)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("feed-\(UUID()).json")
            try r.text.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let checked = try await PythonCheck.run("check_jsonfeed.py", arguments: [file.path])
            #expect(checked.status == 0, "\(checked.output)")
            #expect(checked.output.contains("\"titles\": [\"First & best\"]"))
            #expect(try await client.get("/").text.contains("type=\"application/feed+json\""))
            #expect(try await client.get("/category/garden/feed/json/").status == .ok)
        }
    }

    @Test("feeds and pages answer 304 to a matching ETag or an If-Modified-Since at or after Last-Modified", arguments: [TestDatabase.sqlite])
    func conditional(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            // A page with personal parts (a comment form's token, a like button's state, the follow form's token: holes
            // filled per response) has no validator; lists and feeds have none of them.
            try await blog.post("A post", commentStatus: .closed)
            try await blog.post("Open post", date: "2008-01-28T00:04:00Z")
            let open = try await client.get("/2008/01/28/open-post/")
            #expect(open.status == .ok && open.headers[.eTag] == nil)
            #expect(open.headers[.cacheControl] == "private, no-cache")
            for path in ["/feed/", "/2008/01/"] {
                let first = try await client.get(path)
                let etag = try #require(first.headers[.eTag])
                let modified = try #require(first.headers[.lastModified])
                #expect(try await client.get(path, headers: [.ifNoneMatch: etag]).status == .notModified)
                #expect(try await client.get(path, headers: [.ifNoneMatch: "\"other\""]).status == .ok)
                #expect(try await client.get(path, headers: [.ifModifiedSince: modified]).status == .notModified)
                #expect(try await client.get(path, headers: [.ifModifiedSince: "Sat, 01 Jan 2000 00:00:00 GMT"]).status == .ok)
                #expect(try await client.get(path, headers: [.ifModifiedSince: "garbage"]).status == .ok)
                // ETag decides when both are sent.
                #expect(try await client.get(path, headers: [.ifNoneMatch: "\"other\"", .ifModifiedSince: modified]).status == .ok)
            }
        }
    }
}
