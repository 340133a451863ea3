import DreyCore
import DreyLinkbacks
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import DreyApp
@testable import DreyWeb

extension TestClientProtocol {
    /// POSTs an XML-RPC call to `/xmlrpc.php` and reads the answer.
    func xmlrpc(_ method: String, _ params: [String]) async throws -> (TestResponse, Result<XMLRPCValue, XMLRPCFault>) {
        let body = XMLRPC.call(method, params.map { .string($0) })
        let response = try await xmlrpcRaw(body)
        return (response, XMLRPC.parseResponse(Array(response.body.readableBytesView)))
    }

    func xmlrpcRaw(_ body: String) async throws -> TestResponse {
        try await execute(
            uri: "/xmlrpc.php", method: .post, headers: [.xForwardedHost: TestBlog.host, .contentType: "text/xml"],
            body: ByteBuffer(string: body))
    }
}

func faultCode(_ result: Result<XMLRPCValue, XMLRPCFault>) -> Int? {
    if case .failure(let fault) = result { return fault.code }
    return nil
}

/// Pingback received as WordPress answers it, against source pages on a real local server.
@Suite struct PingbackTests {
    static let postURL = "http://blog.test/2008/01/27/the-post/"

    static func sources(_ request: FixtureRequest, _ base: String) async -> FixtureReply {
        switch request.path {
        case "/source":
            return .html(
                "<html><head><title>A reply elsewhere</title></head><body><p>I liked <a href=\"\(postURL)\">the post</a> a lot.</p></body></html>")
        case "/other-source": return .html("<title>Second</title><p>Also <a href=\"\(postURL)\">here</a>.</p>")
        case "/no-link": return .html("<title>Unrelated</title><p>Nothing to see; \(postURL) is only text.</p>")
        case "/no-title": return .html("<p><a href=\"\(postURL)\">link</a></p>")
        case "/closed-source": return .html("<title>T</title><a href=\"http://blog.test/2008/01/27/closed/\">x</a>")
        case "/quiet-source": return .html("<title>Q</title><p><a href=\"http://blog.test/2008/01/26/quiet/\">x</a></p>")
        default: return .status(404, "missing")
        }
    }

    @Test("pingback.ping: success string, then faults 48, 17, 32, 16, 33 and 0, nothing stored for any fault", arguments: TestDatabase.allCases)
    func ping(_ kind: TestDatabase) async throws {
        try await FixtureServer.with(Self.sources) { server in
            try await TestBlog.with(kind, fetchAllow: ["127.0.0.1"]) { blog, client in
                let post = try await blog.post("The post", "Text of the post.")
                try await blog.post("Closed", "No pings.", commentStatus: .open)
                let closed = try #require(try await blog.drey.store.post(slug: "closed", type: .post, siteID: blog.site.id))
                var input = PostInput(title: "Closed", source: "No pings.", authorID: blog.author.id)
                input.pingStatus = .closed
                input.publishedAt = closed.publishedAt
                _ = try await blog.drey.posts.update(closed.id, with: input, siteID: blog.site.id)
                let source = server.base + "/source"
                let (ok, result) = try await client.xmlrpc("pingback.ping", [source, Self.postURL])
                #expect(ok.status == .ok)
                #expect(ok.headers[.contentType]?.hasPrefix("text/xml") == true)
                #expect(result == .success(.string("Pingback from \(source) to \(Self.postURL) registered. Keep the web talking! :-)")))
                let stored = try await blog.drey.store.comments(postID: post.id, statuses: CommentStatus.allCases)
                #expect(stored.count == 1)
                let ping = try #require(stored.first)
                #expect(ping.type == .pingback && ping.authorName == "A reply elsewhere" && ping.authorURL == source)
                #expect(ping.contentHTML.contains("[…] I liked the post a lot. […]"))
                #expect(ping.status == .pending)  // first from this source: held, as WordPress holds pings
                #expect(faultCode(try await client.xmlrpc("pingback.ping", [source, Self.postURL]).1) == 48)
                #expect(faultCode(try await client.xmlrpc("pingback.ping", [server.base + "/no-link", Self.postURL]).1) == 17)
                #expect(faultCode(try await client.xmlrpc("pingback.ping", [server.base + "/no-title", Self.postURL]).1) == 32)
                #expect(faultCode(try await client.xmlrpc("pingback.ping", [server.base + "/missing", Self.postURL]).1) == 16)
                #expect(faultCode(try await client.xmlrpc("pingback.ping", ["http://10.0.0.1/x", Self.postURL]).1) == 16)
                #expect(faultCode(try await client.xmlrpc("pingback.ping", ["ftp://x/y", Self.postURL]).1) == 16)
                #expect(faultCode(try await client.xmlrpc("pingback.ping", [source, "http://blog.test/no-such-post/"]).1) == 33)
                #expect(faultCode(try await client.xmlrpc("pingback.ping", [source, "http://elsewhere.test/post/"]).1) == 0)
                #expect(
                    faultCode(try await client.xmlrpc("pingback.ping", [server.base + "/closed-source", "http://blog.test/2008/01/27/closed/"]).1)
                        == 33)
                #expect(faultCode(try await client.xmlrpc("pingback.ping", [Self.postURL, Self.postURL]).1) == 0)
                #expect(try await blog.drey.store.comments(postID: post.id, statuses: CommentStatus.allCases).count == 1)
                #expect(server.requests(to: "/closed-source").isEmpty, "closed pings are refused before fetching")
                // Comments closed, pings open: pings are still taken, as in WordPress.
                let quiet = try await blog.post("Quiet", "No comments.", date: "2008-01-26T00:00:00Z", commentStatus: .closed)
                let (quietPing, quietResult) = try await client.xmlrpc(
                    "pingback.ping", [server.base + "/quiet-source", "http://blog.test/2008/01/26/quiet/"])
                #expect(quietPing.status == .ok)
                #expect(faultCode(quietResult) == nil, "\(quietResult)")
                #expect(try await blog.drey.store.comments(postID: quiet.id, statuses: CommentStatus.allCases).count == 1)

                // Approved, it shows apart from the thread, and getPingbacks lists it.
                _ = try await blog.drey.comments.setStatus(.approved, commentID: ping.id)
                let page = try await client.get("/2008/01/27/the-post/")
                #expect(
                    page.text.contains("Pingback by <a class=\"u-url p-name\" href=\"\(source)\" rel=\"external nofollow ugc\">A reply elsewhere</a>")
                )
                #expect(page.text.contains("1 Comment"))
                let (_, list) = try await client.xmlrpc("pingback.extensions.getPingbacks", [Self.postURL])
                #expect(list == .success(.array([.string(source)])))
                #expect(faultCode(try await client.xmlrpc("pingback.extensions.getPingbacks", ["http://blog.test/nope/"]).1) == 33)
            }
        }
    }

    @Test("XML-RPC bodies that are not XML, unknown methods and wrong parameters get protocol faults; GET gets 405", arguments: [TestDatabase.sqlite])
    func badRequests(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            for body in [
                "", "not xml", "<methodCall>",
                "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY b SYSTEM \"file:///etc/passwd\">]><methodCall><methodName>&b;</methodName></methodCall>",
            ] {
                let r = try await client.xmlrpcRaw(body)
                #expect(r.status == .ok)
                #expect(faultCode(XMLRPC.parseResponse(Array(r.body.readableBytesView))) == -32700, "\(body)")
            }
            #expect(faultCode(try await client.xmlrpc("wp.deletePost", ["1"]).1) == -32601)
            #expect(faultCode(try await client.xmlrpc("pingback.ping", ["only one"]).1) == -32602)
            let huge = try await client.xmlrpcRaw(String(repeating: "<a>", count: 400_000))
            #expect(faultCode(XMLRPC.parseResponse(Array(huge.body.readableBytesView))) == -32700)
            let get = try await client.get("/xmlrpc.php")
            #expect(get.status == .methodNotAllowed)
            #expect(get.text == "XML-RPC server accepts POST requests only.\n")
            let (_, methods) = try await client.xmlrpc("system.listMethods", [])
            guard case .success(.array(let names)) = methods else {
                Issue.record("no list")
                return
            }
            #expect(names.contains(.string("pingback.ping")))
            #expect(try await client.get("/").status == .ok, "the server keeps serving")
        }
    }

    @Test("a flood of pings from one client is cut off with 429 before it makes the server fetch", arguments: [TestDatabase.sqlite])
    func flood(_ kind: TestDatabase) async throws {
        try await FixtureServer.with(Self.sources) { server in
            // A fixed clock: the buckets must not refill while a slow machine works through the flood.
            try await TestBlog.with(kind, clock: .fixed(Date()), fetchAllow: ["127.0.0.1"]) { blog, client in
                try await blog.post("The post")
                var limited = 0
                for n in 0..<30 {
                    let (response, _) = try await client.xmlrpc("pingback.ping", [server.base + "/flood-\(n)", Self.postURL])
                    if response.status == .tooManyRequests {
                        limited += 1
                        #expect(response.headers[.retryAfter] != nil)
                    }
                }
                #expect(limited >= 15)
                #expect(server.received.current.count <= 15)
            }
        }
    }

    @Test("pages advertise the endpoints in headers and links; switching them off stops both", arguments: [TestDatabase.sqlite])
    func advertised(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.post("The post")
            for _ in 0..<2 {  // a miss, then the cached page
                let page = try await client.get("/2008/01/27/the-post/")
                #expect(page.headers[HTTPField.Name("Link")!] == "<http://blog.test/webmention>; rel=\"webmention\"")
                #expect(page.headers[HTTPField.Name("X-Pingback")!] == "http://blog.test/xmlrpc.php")
                #expect(page.text.contains("<link rel=\"webmention\" href=\"http://blog.test/webmention\">"))
                #expect(page.text.contains("<link rel=\"pingback\" href=\"http://blog.test/xmlrpc.php\">"))
            }
            try await blog.set(.webmentionEnabled, "off")
            try await blog.set(.pingbackEnabled, "off")
            let page = try await client.get("/2008/01/27/the-post/")
            #expect(page.headers[HTTPField.Name("Link")!] == nil && page.headers[HTTPField.Name("X-Pingback")!] == nil)
            #expect(!page.text.contains("rel=\"webmention\"") && !page.text.contains("rel=\"pingback\""))
            let feed = try await client.get("/feed/")
            #expect(feed.headers[HTTPField.Name("Link")!] == nil)
        }
    }

    @Test("Trackback: the XML answers of the spec, the source checked, duplicates and closed posts refused", arguments: TestDatabase.allCases)
    func trackback(_ kind: TestDatabase) async throws {
        try await FixtureServer.with(Self.sources) { server in
            try await TestBlog.with(kind, fetchAllow: ["127.0.0.1"]) { blog, client in
                let post = try await blog.post("The post")
                let url = "/2008/01/27/the-post/trackback/"
                func ping(_ fields: [(String, String)], _ path: String = url) async throws -> TestResponse {
                    try await client.postForm(path, fields)
                }
                let ok = try await ping([
                    ("url", server.base + "/source"), ("title", "A <b>reply</b>"), ("excerpt", "Short words"), ("blog_name", "Other Blog"),
                ])
                #expect(ok.headers[.contentType]?.hasPrefix("text/xml") == true)
                #expect(ok.text.contains("<error>0</error>"))
                let stored = try await blog.drey.store.comments(postID: post.id, statuses: CommentStatus.allCases)
                #expect(stored.count == 1 && stored.first?.type == .trackback && stored.first?.authorName == "Other Blog")
                #expect(stored.first?.contentHTML.contains("<strong>A reply</strong>") == true)
                let again = try await ping([("url", server.base + "/source"), ("title", "Again")])
                #expect(again.text.contains("There is already a ping from that URL for this post."))
                #expect(try await ping([("title", "No url")]).text.contains("<error>1</error>"))
                #expect(try await ping([("url", "javascript:alert(1)"), ("title", "x")]).text.contains("<error>1</error>"))
                let unlinked = try await ping([("url", server.base + "/no-link"), ("title", "x")])
                #expect(unlinked.text.contains("does not link to this post"))
                #expect(try await blog.drey.store.comments(postID: post.id, statuses: CommentStatus.allCases).count == 1)
                #expect(try await client.get(url).status == .seeOther)
                #expect(try await ping([("url", server.base + "/source")], "/2008/01/27/no-such-post/trackback/").status == .notFound)
                try await blog.set(.trackbackEnabled, "off")
                #expect(try await ping([("url", server.base + "/other-source"), ("title", "x")]).text.contains("Sorry, trackbacks are closed"))
            }
        }
    }
}
