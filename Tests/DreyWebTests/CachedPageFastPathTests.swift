import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Cached pages answered in the channel pipeline (`CachedPageHandler`, decision 0024) must be indistinguishable from
/// those Hummingbird answers: same headers and bodies, answers in request order, every request logged and counted.
@Suite struct CachedPageFastPathTests {
    static func demoServer(_ kind: TestDatabase, serveArguments: [String] = []) async throws -> DreyServer {
        try await DreyServer.start(kind, serveArguments: serveArguments) { data, env, _ in
            try DreyBinary.run(["demo"], data: data, env: env)
        }
    }

    /// The demo's long post, by its permalink.
    static func postPath(_ server: DreyServer) async throws -> String {
        let moved = try await OpsTests.fetch(server, "/?p=1")
        let location = try #require(OpsTests.header(moved, "Location"))
        return String(location.dropFirst(server.base.count))
    }

    static func exchange(_ server: DreyServer, _ requests: [String], heads: Set<Int> = []) async throws -> [RawHTTP.Answer] {
        let port = server.port
        return try await offThread { try RawHTTP.exchange(port: port, requests, heads: heads) }
    }

    @Test("pipelined requests are answered in the order they came, cached pages among rendered ones", arguments: TestDatabase.allCases)
    func pipelinedInOrder(_ kind: TestDatabase) async throws {
        let server = try await Self.demoServer(kind)
        defer { server.stopSoon() }
        let post = try await Self.postPath(server)
        _ = try await Self.exchange(server, [RawHTTP.request(post, port: server.port)])
        // The second is rendered (its query makes it a page of its own), the others are cached: the third must not
        // overtake the second however much faster it can be answered.
        let requests = [
            RawHTTP.request(post, port: server.port), RawHTTP.request(post + "?pipelined=\(UUID().uuidString)", port: server.port),
            RawHTTP.request(post, port: server.port), RawHTTP.request(post, port: server.port, method: "HEAD"),
            RawHTTP.request(post, port: server.port),
        ]
        let answers = try await Self.exchange(server, requests, heads: [3])
        #expect(answers.map { $0.header("X-Drey-Cache") } == ["HIT", "MISS", "HIT", "HIT", "HIT"])
        #expect(answers.allSatisfy { $0.status == 200 })
        #expect(answers[0].text.contains("</html>"))
        #expect(answers[1].text.contains("</html>"))
        #expect(answers[3].body.isEmpty)
        #expect(answers[3].header("Content-Length") == answers[4].header("Content-Length"))
        #expect(Set(answers.compactMap { $0.header("X-Request-Id") }).count == 5)
        // A HEAD answered first, a rendered page, a GET: each answer framed for its own request.
        let mixed = try await Self.exchange(
            server,
            [
                RawHTTP.request(post, port: server.port, method: "HEAD"), RawHTTP.request(post + "?again=\(UUID().uuidString)", port: server.port),
                RawHTTP.request(post, port: server.port),
            ], heads: [0])
        #expect(mixed.map { $0.header("X-Drey-Cache") } == ["HIT", "MISS", "HIT"])
        #expect(mixed[0].body.isEmpty)
        #expect(mixed[2].body.count == Int(mixed[2].header("Content-Length") ?? "") && mixed[2].text.contains("</html>"))
    }

    @Test(
        "a cached page is the same whichever way it is answered: headers, HEAD, 304, gzip, log lines and metrics",
        arguments: TestDatabase.allCases)
    func sameAnswer(_ kind: TestDatabase) async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("drey-fast-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let server = try await Self.demoServer(kind, serveArguments: ["--access-log", log])
        defer { server.stopSoon() }
        let post = try await Self.postPath(server)
        let port = server.port
        for path in [post, "/feed/"] { _ = try await Self.exchange(server, [RawHTTP.request(path, port: port)]) }

        // `Connection: close` is always answered the usual way; a keep-alive request for a cached page, in the pipeline.
        let fast = try await Self.exchange(server, [RawHTTP.request(post, port: port)])[0]
        let usual = try await Self.exchange(server, [RawHTTP.request(post, port: port, ["Connection: close"])])[0]
        #expect(fast.status == 200 && usual.status == 200)
        #expect(fast.header("X-Drey-Cache") == "HIT" && usual.header("X-Drey-Cache") == "HIT")
        #expect(fast.headerNames == usual.headerNames.subtracting(["connection"]))
        for name in ["Content-Type", "Cache-Control", "Vary", "Link", "X-Pingback", "Server", "Content-Length"] {
            #expect(fast.header(name) == usual.header(name), "\(name)")
        }
        #expect(fast.header("Date") != nil)
        // Each fills its own form token: same length, different value.
        #expect(fast.body.count == usual.body.count)
        #expect(fast.body != usual.body)
        #expect(SpamTest.token(in: fast.text) != SpamTest.token(in: usual.text))

        // A page without holes keeps its validator: 304 to a matching If-None-Match, both ways.
        let feed = try await Self.exchange(server, [RawHTTP.request("/feed/", port: port)])[0]
        let etag = try #require(feed.header("ETag"))
        let notModified = try await Self.exchange(
            server,
            [
                RawHTTP.request("/feed/", port: port, ["If-None-Match: \(etag)"]),
                RawHTTP.request("/feed/", port: port, ["If-None-Match: \(etag)", "Connection: close"]),
            ])
        #expect(notModified.map(\.status) == [304, 304])
        #expect(notModified.map { $0.header("ETag") } == [etag, etag])
        #expect(notModified.allSatisfy { $0.body.isEmpty })

        // gzip for those who take it, the same bytes both ways (the feed has no holes).
        let zipped = try await Self.exchange(
            server,
            [
                RawHTTP.request("/feed/", port: port, ["Accept-Encoding: gzip"]),
                RawHTTP.request("/feed/", port: port, ["Accept-Encoding: gzip", "Connection: close"]),
            ])
        #expect(zipped.map { $0.header("Content-Encoding") } == ["gzip", "gzip"])
        #expect(zipped[0].body.prefix(2) == [0x1f, 0x8b])
        #expect(zipped[0].body == zipped[1].body)
        let head = try await Self.exchange(server, [RawHTTP.request(post, port: port, method: "HEAD", ["Accept-Encoding: gzip"])], heads: [0])[0]
        #expect(head.header("Content-Encoding") == "gzip")
        #expect(head.body.isEmpty)

        // Every answer, however it was made, is in the access log with its id, and counted.
        let ids = [fast, usual, feed] + notModified + zipped + [head]
        let found = try await server.waitUntil(timeout: 20) {
            let text = try String(contentsOfFile: log, encoding: .utf8)
            return ids.allSatisfy { answer in answer.header("X-Request-Id").map { text.contains($0) } ?? false }
        }
        #expect(found, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        let metrics = OpsTests.text(try await OpsTests.fetch(server, "/metrics"))
        let hits = OpsTests.sample(metrics, "drey_page_cache_requests_total", ["result": "hit"]) ?? 0
        #expect(hits >= Double(ids.count), "\(metrics)")
    }

    @Test("cookies are read as browsers send them: spaces around parts, percent-encoded values, names that only end alike")
    func cookies() {
        let head = HTTPRequest(
            method: .get, scheme: "http", authority: "blog.test", path: "/",
            headerFields: [.cookie: "a=1; xdrey_reader=no;drey_reader=tok%20en ;  b = two words ; c; e=; bad=%zz"])
        let request = Request(head: head, body: .init(buffer: .init()))
        #expect(request.cookie("drey_reader") == "tok en")
        #expect(request.cookie("a") == "1")
        #expect(request.cookie("b") == "two words")
        #expect(request.cookie("c") == nil)
        #expect(request.cookie("e") == "")
        #expect(request.cookie("bad") == nil)
        #expect(request.cookie("reader") == nil)
        // Staff and held comments' cookies send a request past the cache by their names, not by text in other cookies.
        #expect(request.hasCookie(named: ["e"]) && request.hasCookie(named: ["zz", "drey_reader"]))
        #expect(!request.hasCookie(named: ["reader", "c", "rey_reader", "en"]))
        #expect(
            WebApp.bypassesCache(
                Request(
                    head: HTTPRequest(
                        method: .get, scheme: "http", authority: "blog.test", path: "/", headerFields: [.cookie: "a=1; drey_session=x"]),
                    body: .init(buffer: .init()))))
        #expect(
            !WebApp.bypassesCache(
                Request(
                    head: HTTPRequest(
                        method: .get, scheme: "http", authority: "blog.test", path: "/", headerFields: [.cookie: "a=drey_session=x; xdrey_session=1"]),
                    body: .init(buffer: .init()))))
        #expect(
            Request(head: HTTPRequest(method: .get, scheme: "http", authority: "blog.test", path: "/"), body: .init(buffer: .init())).cookie("a")
                == nil)
    }

    @Test("a reader's parts of a cached page follow a sign-out at once, though remembered between requests", arguments: TestDatabase.allCases)
    func readerMemoryForgets(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            _ = try await blog.post("Thread")
            let identity = ReaderIdentity(
                method: .email, issuer: "email", subject: "phil@example.org", provider: "email", email: "phil@example.org", emailVerified: true)
            let (_, token) = try await blog.drey.readers.signIn(siteID: blog.site.id, identity: identity)
            let cookie: HTTPFields = [.cookie: "\(ReaderWeb.cookie)=\(token)"]
            _ = try await client.get("/2008/01/27/thread/")
            for _ in 0..<2 {
                let page = try await client.get("/2008/01/27/thread/", headers: cookie)
                #expect(page.text.contains("Signed in as phil"))
                #expect(page.headers[.init("X-Drey-Cache")!] == "HIT")
            }
            let out = try await client.postForm("/signout?return_to=%2F", [], headers: cookie)
            #expect(out.status == .seeOther)
            // Another tab still sends the old cookie: its session is gone, and so is what was remembered of it.
            let after = try await client.get("/2008/01/27/thread/", headers: cookie)
            #expect(!after.text.contains("Signed in as phil"))
            #expect(after.text.contains("Reader sign-in"))
        }
    }
}
