import DreyCore
import DreyTestSupport
import Foundation
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Every kind of page read by mf2py, the parser IndieWeb sites use: h-feed on lists, h-entry on posts
/// with an h-card author, comments and linkbacks as h-cite, likes as faces.
@Suite struct MicroformatsPageTests {
    typealias Item = [String: Any]

    static func parse(_ html: String, url: String) throws -> [Item] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mf2-\(UUID()).html")
        try html.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try PythonCheck.run("parse_mf2.py", arguments: [file.path, url])
        guard run.status == 0, let json = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? Item,
            let items = json["items"] as? [Item]
        else { throw CheckFailed(output: run.output) }
        return items
    }

    struct CheckFailed: Error { let output: String }

    static func types(_ item: Item) -> [String] { item["type"] as? [String] ?? [] }
    static func props(_ item: Item) -> [String: [Any]] { item["properties"] as? [String: [Any]] ?? [:] }
    static func strings(_ item: Item, _ key: String) -> [String] {
        (props(item)[key] ?? []).compactMap { ($0 as? String) ?? (($0 as? Item)?["value"] as? String) }
    }

    @Test("lists are h-feeds of h-entries; the post is an h-entry with author, content, categories, comments, linkbacks and likes")
    func pages() async throws {
        try await TestBlog.with(.sqlite) { blog, client in
            try await blog.set(.postsPerPage, "2")
            let post = try await blog.post("The post", "Words *here*.", categories: ["Garden"], tags: ["seeds"])
            try await blog.post("Second post", "More.", date: "2008-01-28T00:00:00Z", categories: ["Garden"])
            try await blog.post("Third post", "Most.", date: "2008-01-29T00:00:00Z")
            try await blog.post("About", "Me.", type: .page)
            let first = try await blog.comment(post, "First!", by: "Ann", url: "https://ann.example/")
            try await blog.comment(post, "Reply to Ann", by: "Bo", parent: first.id)
            try await blog.comment(post, "[…] a mention […]", by: "Other Blog", email: "", url: "https://other.example/p", type: .pingback)
            let like = try await blog.comment(post, "<p>liked this</p>", by: "Lee", email: "", url: "https://lee.example/", type: .webmention)
            var row = try await blog.drey.store.queueWebmention(
                siteID: blog.site.id, postID: post.id, source: "https://lee.example/likes/1", target: "http://blog.test/2008/01/27/the-post/",
                token: "t1", now: Date())
            row.state = .accepted
            row.kind = .like
            row.commentID = like.id
            row.authorName = "Lee"
            row.authorURL = "https://lee.example/"
            row.authorPhoto = "https://lee.example/me.jpg"
            try await blog.drey.store.update(row)
            try await blog.drey.changes.record(siteID: blog.site.id, .comments(onPosts: [post.id]))

            for path in ["/", "/page/2/", "/category/garden/", "/tag/seeds/", "/author/korakious/", "/2008/01/", "/?s=words"] {
                let html = try await client.get(path).text
                let items = try Self.parse(html, url: "http://blog.test" + path)
                let feed = try #require(items.first { Self.types($0) == ["h-feed"] }, "\(path): no h-feed")
                let entries = (feed["children"] as? [Item] ?? []).filter { Self.types($0) == ["h-entry"] }
                #expect(!entries.isEmpty, "\(path): no h-entry in the h-feed")
                for entry in entries {
                    #expect(!Self.strings(entry, "name").isEmpty, "\(path)")
                    #expect(Self.strings(entry, "url").first?.hasPrefix("http://blog.test/20") == true, "\(path)")
                    #expect(!Self.strings(entry, "published").isEmpty, "\(path)")
                    let author = (Self.props(entry)["author"]?.first as? Item)
                    #expect(author.map(Self.types) == ["h-card"], "\(path)")
                    #expect(author.map { Self.strings($0, "name") } == ["korakious"], "\(path)")
                }
            }

            let html = try await client.get("/2008/01/27/the-post/").text
            let items = try Self.parse(html, url: "http://blog.test/2008/01/27/the-post/")
            let entry = try #require(items.first { Self.types($0) == ["h-entry"] })
            #expect(Self.strings(entry, "name") == ["The post"])
            #expect(Self.strings(entry, "url") == ["http://blog.test/2008/01/27/the-post/"])
            #expect(Self.strings(entry, "published") == ["2008-01-27T00:04:00Z"])
            #expect(Self.strings(entry, "updated").count == 1)
            #expect(Set(Self.strings(entry, "category")) == ["Garden", "seeds"])
            let content = try #require(Self.props(entry)["content"]?.first as? Item)
            #expect((content["html"] as? String)?.contains("<em>here</em>") == true)
            let author = try #require(Self.props(entry)["author"]?.first as? Item)
            #expect(Self.strings(author, "name") == ["korakious"])
            #expect(Self.strings(author, "url") == ["http://blog.test/author/korakious/"])
            let comments = (Self.props(entry)["comment"] ?? []).compactMap { $0 as? Item }
            #expect(comments.count == 2, "Ann's comment (with Bo's reply inside) and the pingback")
            #expect(comments.allSatisfy { Self.types($0).contains("h-cite") })
            let ann = try #require(
                comments.first { c in
                    (Self.props(c)["author"]?.first as? Item).map { Self.strings($0, "name") } == ["Ann"]
                })
            #expect((Self.props(ann)["author"]?.first as? Item).map { Self.strings($0, "url") } == ["https://ann.example/"])
            let replies = (Self.props(ann)["comment"] ?? []).compactMap { $0 as? Item }
            #expect(replies.count == 1)
            #expect(comments.contains { Self.strings($0, "url") == ["https://other.example/p"] })
            let likes = (Self.props(entry)["like"] ?? []).compactMap { $0 as? Item }
            #expect(likes.count == 1)
            let liker = try #require(likes.first.flatMap { Self.props($0)["author"]?.first as? Item })
            #expect(Self.strings(liker, "name") == ["Lee"])
            #expect(Self.strings(liker, "photo") == ["https://lee.example/me.jpg"])
            #expect(Self.strings(likes[0], "url") == ["https://lee.example/likes/1"])

            let page = try Self.parse(try await client.get("/about/").text, url: "http://blog.test/about/")
            #expect(page.first.map { Self.strings($0, "name") } == ["About"])
        }
    }
}
