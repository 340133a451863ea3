import DreyCore
import DreyLinkbacks
import DreyTestSupport
import Foundation
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Sending on publish and update, through jobs, against pages with and without endpoints.
@Suite struct LinkbackSendingTests {
    static func targets(_ request: FixtureRequest, _ base: String) async -> FixtureReply {
        switch request.path {
        case "/wm-target": return .html("<p>a page</p>", headers: [("Link", "</wm-endpoint>; rel=\"webmention\"")])
        case "/wm-endpoint": return .status(202, "accepted", headers: [("Location", base + "/status/1")])
        case "/pb-target": return .html("<p>old blog</p>", headers: [("X-Pingback", base + "/xmlrpc")])
        case "/xmlrpc":
            return FixtureReply(headers: [("Content-Type", "text/xml")], body: .text(XMLRPC.response(.string("Pingback registered."))))
        case "/refusing-target": return .html("<link rel=\"webmention\" href=\"/refusing\">")
        case "/refusing": return .status(400, "source does not link to target")
        case "/plain": return .html("<p>no endpoints</p>")
        case "/down": return .status(503, "maintenance")
        case "/hub": return .status(204)
        default: return .status(404)
        }
    }

    @Test(
        "publishing sends each link once through a job; results are kept; updates resend Webmentions, not Pingbacks", arguments: TestDatabase.allCases
    )
    func publishAndUpdate(_ kind: TestDatabase) async throws {
        try await FixtureServer.with(Self.targets) { server in
            try await TestBlog.with(kind, fetchAllow: ["127.0.0.1"]) { blog, client in
                let b = server.base
                let body = """
                    Links: [wm](\(b)/wm-target), [pb](\(b)/pb-target), [plain](\(b)/plain), [refusing](\(b)/refusing-target),
                    [down](\(b)/down), [wm again](\(b)/wm-target#section), [self](http://localhost:8080/about/).
                    """
                let post = try await blog.post("Linking out", body, date: "2024-05-01T10:00:00Z")
                await blog.drey.jobs.drain()
                let sends = Dictionary(uniqueKeysWithValues: try await blog.drey.store.sends(postID: post.id).map { ($0.target, $0) })
                #expect(sends.count == 5)
                let source = "http://localhost:8080/2024/05/01/linking-out/"
                #expect(sends[b + "/wm-target"]?.state == .sent && sends[b + "/wm-target"]?.method == .webmention)
                #expect(sends[b + "/wm-target"]?.endpoint == b + "/wm-endpoint")
                #expect(sends[b + "/wm-target"]?.detail == "accepted; status at \(b)/status/1")
                #expect(sends[b + "/pb-target"]?.state == .sent && sends[b + "/pb-target"]?.method == .pingback)
                #expect(sends[b + "/plain"]?.state == .unsupported)
                #expect(sends[b + "/refusing-target"]?.state == .failed)
                #expect(sends[b + "/refusing-target"]?.detail.contains("answered 400") == true)
                #expect(sends[b + "/down"]?.state == .pending)
                #expect(sends[b + "/down"]?.detail.contains("will retry") == true)
                let mention = try #require(server.requests(to: "/wm-endpoint").first)
                #expect(mention.form == ["source": source, "target": b + "/wm-target"])
                let pingCall = try XMLRPC.parseCall(try #require(server.requests(to: "/xmlrpc").first).body)
                #expect(pingCall.method == "pingback.ping" && pingCall.params == [.string(source), .string(b + "/pb-target")])
                let failed = try await blog.drey.jobs.store.jobs(state: .failed, kind: nil, limit: 10, offset: 0)
                #expect(failed.count == 1 && failed.first?.lastError.contains("answered 400") == true)
                let retrying = try await blog.drey.jobs.store.jobs(state: .queued, kind: nil, limit: 10, offset: 0)
                #expect(retrying.count == 1 && retrying.first?.attempts == 1)

                // An update: Webmention again (the receiver re-checks), Pingback not; a removed link hears once more.
                var input = PostInput(title: "Linking out", source: "Now only [pb](\(b)/pb-target).", authorID: blog.author.id)
                input.publishedAt = post.publishedAt
                _ = try await blog.drey.posts.update(post.id, with: input, siteID: blog.site.id)
                await blog.drey.jobs.drain()
                #expect(server.requests(to: "/wm-endpoint").count == 2)
                #expect(server.requests(to: "/xmlrpc").count == 1)
                _ = try await blog.drey.posts.update(post.id, with: input, siteID: blog.site.id)
                await blog.drey.jobs.drain()
                #expect(server.requests(to: "/wm-endpoint").count == 2, "told once after the link went, not again")
                let withdrawn = try await blog.drey.store.sends(postID: post.id).first { $0.target == b + "/wm-target" }
                #expect(withdrawn?.state == .withdrawn)
                _ = client
            }
        }
    }

    @Test(
        "drafts send nothing; a site can turn sending off; the WebSub hub hears of every publish and the feeds name it",
        arguments: [TestDatabase.sqlite])
    func draftsAndHub(_ kind: TestDatabase) async throws {
        try await FixtureServer.with(Self.targets) { server in
            try await TestBlog.with(kind, fetchAllow: ["127.0.0.1"]) { blog, client in
                try await blog.post("Draft", "[wm](\(server.base)/wm-target)", status: .draft)
                var imported = PostInput(title: "Imported", source: "[wm](\(server.base)/wm-target)", authorID: blog.author.id)
                imported.announces = false
                _ = try await blog.drey.posts.create(imported, siteID: blog.site.id)
                await blog.drey.jobs.drain()
                #expect(server.received.current.isEmpty)
                #expect(try await blog.drey.jobs.store.jobs(state: nil, kind: nil, limit: 10, offset: 0).isEmpty)
                try await blog.set(.sendLinkbacks, "off")
                try await blog.post("Quiet", "[wm](\(server.base)/wm-target)")
                await blog.drey.jobs.drain()
                #expect(server.received.current.isEmpty)
                try await blog.set(.websubHub, server.base + "/hub")
                try await blog.post("Loud", "text")
                await blog.drey.jobs.drain()
                let notices = server.requests(to: "/hub")
                #expect(
                    notices.map { $0.form["hub.url"] ?? "" } == [
                        "http://localhost:8080/feed/", "http://localhost:8080/feed/atom/", "http://localhost:8080/feed/json/",
                    ])
                #expect(notices.allSatisfy { $0.form["hub.mode"] == "publish" })
                let rss = try await client.get("/feed/").text
                #expect(rss.contains("<atom:link rel=\"hub\" href=\"\(server.base)/hub\""))
                let atom = try await client.get("/feed/atom/").text
                #expect(atom.contains("<link rel=\"hub\" href=\"\(server.base)/hub\""))
                let json = try await client.get("/feed/json/")
                let feed = try #require(try JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? [String: Any])
                let hubs = try #require(feed["hubs"] as? [[String: String]])
                #expect(hubs == [["type": "WebSub", "url": server.base + "/hub"]])
            }
        }
    }
}
