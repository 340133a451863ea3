import DreyCore
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Webmention received: 202 and a status URL, verification by a job, microformats read, updates and removal.
@Suite struct WebmentionReceiveTests {
    static let postURL = "http://blog.test/2008/01/27/the-post/"

    /// The source pages, changeable while a test runs.
    final class Sources: Sendable {
        let pages = Locked([String: FixtureReply]())
        func set(_ path: String, _ reply: FixtureReply) { pages.withLock { $0[path] = reply } }
        func reply(_ request: FixtureRequest) -> FixtureReply { pages.current[request.path] ?? .status(404) }
    }

    static func entry(_ property: String, name: String, content: String, photo: String = "") -> FixtureReply {
        .html(
            """
            <html><head><title>Their blog</title></head><body>
            <article class="h-entry"><a class="u-\(property)" href="\(postURL)">re</a>
            <a class="p-author h-card" href="https://\(name.lowercased()).example/">\(photo.isEmpty ? "" : "<img class=\"u-photo\" src=\"\(photo)\" alt=\"\">")<span class="p-name">\(name)</span></a>
            <div class="e-content">\(content)</div></article></body></html>
            """)
    }

    func send(_ client: any TestClientProtocol, _ source: String, _ target: String = postURL) async throws -> TestResponse {
        try await client.postForm("/webmention", [("source", source), ("target", target)])
    }

    func status(_ client: any TestClientProtocol, _ location: String?) async throws -> [String: String] {
        let path = String(try #require(location).dropFirst("http://blog.test".count))
        let r = try await client.get(path)
        #expect(r.status == .ok)
        return try JSONDecoder().decode([String: String].self, from: Data(r.text.utf8))
    }

    @Test("a reply and a like are verified, shown with their authors, updated, and removed on 410 or when unlinked", arguments: TestDatabase.allCases)
    func lifecycle(_ kind: TestDatabase) async throws {
        let sources = Sources()
        try await FixtureServer.with({ request, _ in sources.reply(request) }) { server in
            try await TestBlog.with(kind, fetchAllow: ["127.0.0.1"]) { blog, client in
                try await blog.set(.commentPreviouslyApproved, "off")
                let post = try await blog.post("The post")
                sources.set("/reply", Self.entry("in-reply-to", name: "Rae", content: "Well <em>said</em>.", photo: "https://rae.example/face.jpg"))
                sources.set("/like", Self.entry("like-of", name: "Lee", content: ""))
                let accepted = try await send(client, server.base + "/reply")
                #expect(accepted.status == .accepted)
                #expect(try await status(client, accepted.location)["status"] == "queued")
                #expect(try await send(client, server.base + "/like").status == .accepted)
                #expect(await blog.drey.jobs.drain() >= 2)
                let replyStatus = try await status(client, accepted.location)
                #expect(replyStatus["status"] == "accepted" && replyStatus["type"] == "reply" && replyStatus["author"] == "Rae")
                let comments = try await blog.drey.store.comments(postID: post.id, statuses: [.approved])
                #expect(comments.count == 2 && comments.allSatisfy { $0.type == .webmention })
                var page = try await client.get("/2008/01/27/the-post/").text
                #expect(page.contains("Rae"))
                #expect(page.contains("src=\"https://rae.example/face.jpg\""))
                #expect(page.contains("Well <em>said</em>."))
                #expect(page.contains("class=\"comment-list\""))
                #expect(page.contains("1 like"))
                #expect(page.contains("class=\"face p-like h-cite\""))
                #expect(page.contains("alt=\"Lee\""))
                #expect(page.contains("2 Comments"))

                // The source changed and says so: same comment, new words.
                sources.set("/reply", Self.entry("in-reply-to", name: "Rae", content: "Well said, on reflection."))
                #expect(try await send(client, server.base + "/reply").status == .accepted)
                await blog.drey.jobs.drain()
                let updated = try await blog.drey.store.comments(postID: post.id, statuses: [.approved])
                #expect(updated.count == 2)
                #expect(updated.contains { $0.contentHTML.contains("on reflection") })
                page = try await client.get("/2008/01/27/the-post/").text
                #expect(page.contains("on reflection") && !page.contains("<em>said</em>"))

                // Gone (410), and no longer linking: both removed.
                sources.set("/reply", .status(410, "gone"))
                sources.set("/like", .html("<p>I changed my mind.</p>"))
                _ = try await send(client, server.base + "/reply")
                _ = try await send(client, server.base + "/like")
                await blog.drey.jobs.drain()
                #expect(try await blog.drey.store.comments(postID: post.id, statuses: [.approved]).isEmpty)
                #expect(try await status(client, accepted.location)["status"] == "deleted")
                page = try await client.get("/2008/01/27/the-post/").text
                #expect(!page.contains("Rae") && !page.contains("alt=\"Lee\""))
                #expect(try await blog.drey.store.post(id: post.id, siteID: blog.site.id)?.commentCount == 0)
            }
        }
    }

    @Test("one source and target is one linkback, whether Webmention or Pingback comes first", arguments: TestDatabase.allCases)
    func oneLinkbackPerPair(_ kind: TestDatabase) async throws {
        let sources = Sources()
        try await FixtureServer.with({ request, _ in sources.reply(request) }) { server in
            try await TestBlog.with(kind, fetchAllow: ["127.0.0.1"]) { blog, client in
                let post = try await blog.post("The post")
                sources.set("/first-mention", Self.entry("in-reply-to", name: "Rae", content: "Well said."))
                sources.set("/first-ping", Self.entry("in-reply-to", name: "Pim", content: "Agreed."))
                // Webmention first, Pingback later: the ping is a duplicate (fault 48), as WordPress answers.
                #expect(try await send(client, server.base + "/first-mention").status == .accepted)
                await blog.drey.jobs.drain()
                let (_, again) = try await client.xmlrpc("pingback.ping", [server.base + "/first-mention", Self.postURL])
                #expect(faultCode(again) == 48)
                // Pingback first, Webmention later: the mention is accepted and points at the ping's comment.
                let (_, pinged) = try await client.xmlrpc("pingback.ping", [server.base + "/first-ping", Self.postURL])
                #expect(faultCode(pinged) == nil)
                let mention = try await send(client, server.base + "/first-ping")
                #expect(mention.status == .accepted)
                await blog.drey.jobs.drain()
                #expect(try await status(client, mention.location)["status"] == "accepted")
                let stored = try await blog.drey.store.comments(postID: post.id, statuses: CommentStatus.allCases)
                #expect(stored.count == 2, "\(stored.map { ($0.type, $0.authorURL) })")
                #expect(stored.filter { $0.type == .webmention }.count == 1)
                #expect(stored.filter { $0.type == .pingback }.count == 1)
            }
        }
    }

    @Test("requests the spec says to refuse get 400 and store nothing; verification failures store no comment", arguments: TestDatabase.allCases)
    func refusals(_ kind: TestDatabase) async throws {
        let sources = Sources()
        try await FixtureServer.with({ request, _ in sources.reply(request) }) { server in
            try await TestBlog.with(kind, fetchAllow: ["127.0.0.1"]) { blog, client in
                let post = try await blog.post("The post")
                try await blog.post("Closed", commentStatus: .open)
                let closed = try #require(try await blog.drey.store.post(slug: "closed", type: .post, siteID: blog.site.id))
                var input = PostInput(title: "Closed", source: "x", authorID: blog.author.id)
                input.pingStatus = .closed
                input.publishedAt = closed.publishedAt
                _ = try await blog.drey.posts.update(closed.id, with: input, siteID: blog.site.id)
                sources.set("/plain", .html("<title>t</title><p>no link here</p>"))
                let bad: [(String, String)] = [
                    ("", Self.postURL), (server.base + "/plain", ""), ("ftp://example.org/x", Self.postURL),
                    (Self.postURL, Self.postURL), (server.base + "/plain", "http://elsewhere.test/post/"),
                    (server.base + "/plain", "http://blog.test/no-such-post/"), (server.base + "/plain", "http://blog.test/2008/01/27/closed/"),
                    (server.base + "/plain", "javascript:alert(1)"), (String(repeating: "http://x.test/", count: 200), Self.postURL),
                ]
                for (source, target) in bad {
                    let r = try await send(client, source, target)
                    #expect(r.status == .badRequest, "\(source) → \(target)")
                    #expect(r.location == nil)
                }
                #expect(try await client.get("/webmention/status/nonsense").status == .notFound)
                #expect(try await client.get("/webmention").status == .methodNotAllowed)
                // Accepted for checking, then rejected: no link, an address inside the network, a missing page.
                sources.set("/huge", .html("<p>" + String(repeating: "x", count: 1 << 20) + "<a href=\"\(Self.postURL)\">x</a></p>"))
                var inside: String?
                for source in [server.base + "/plain", "http://10.1.2.3/page", server.base + "/missing", server.base + "/huge"] {
                    let r = try await send(client, source)
                    #expect(r.status == .accepted)
                    if source.contains("10.1.2.3") { inside = r.location }
                }
                await blog.drey.jobs.drain()
                let rows = try await blog.drey.store.webmentions(postID: post.id)
                #expect(rows.count == 4 && rows.allSatisfy { $0.state == .rejected && $0.commentID == nil })
                #expect(rows.contains { $0.detail.contains("larger than 1024 KB") })
                // The sender learns that the fetch failed, not what our network looks like.
                #expect(
                    try await status(client, inside) == [
                        "status": "rejected", "source": "http://10.1.2.3/page", "target": Self.postURL, "type": "mention",
                        "author": "", "detail": "the source could not be fetched",
                        "updated": try #require(try await status(client, inside)["updated"]),
                    ])
                #expect(rows.contains { $0.detail.contains("does not link") })
                #expect(rows.contains { $0.detail.contains("inside the network") })
                #expect(rows.contains { $0.detail.contains("404") })
                #expect(try await blog.drey.store.comments(postID: post.id, statuses: CommentStatus.allCases).isEmpty)
                try await blog.set(.webmentionEnabled, "off")
                #expect(try await send(client, server.base + "/plain").status == .notFound)
            }
        }
    }
}
