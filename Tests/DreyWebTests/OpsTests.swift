import DreyCore
import DreyFetch
import DreyStore
import DreyTestSupport
import Foundation
import SQLKit
import Testing

@testable import DreyApp
@testable import DreyWeb

/// What an operator watches, through a running `drey serve`: probes, Prometheus metrics, access logs.
@Suite struct OpsTests {
    static func fetch(_ server: DreyServer, _ path: String, headers: [(String, String)] = [], method: String = "GET", body: String? = nil)
        async throws -> FetchResponse
    {
        try await DreyServer.client.fetch(
            FetchRequest(url: server.base + path, method: method, headers: headers, body: body.map { Array($0.utf8) }, followRedirects: false))
    }

    static func header(_ response: FetchResponse, _ name: String) -> String? {
        response.headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    static func text(_ response: FetchResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    /// The value of the sample `name{labels…}` in a Prometheus text page, whatever order the labels are in.
    static func sample(_ page: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        for line in page.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2 else { continue }
            let series = String(parts[0])
            let rest = series.dropFirst(name.count)
            if !rest.isEmpty && !rest.hasPrefix("{") { continue }
            if labels.allSatisfy({ series.contains("\($0.key)=\"\($0.value)\"") }) { return Double(parts[1]) }
        }
        return nil
    }

    /// Posts a comment through the post's own form, as a browser would.
    static func comment(_ server: DreyServer, postPath: String, email: String, text: String) async throws -> FetchResponse {
        let page = Self.text(try await fetch(server, postPath))
        let token = try #require(SpamTest.token(in: page))
        let id = try #require(page.range(of: "name=\"comment_post_ID\" value=\"").map { page[$0.upperBound...].prefix { $0 != "\"" } })
        let fields = [
            ("comment_post_ID", String(id)), ("comment_parent", "0"), ("author", "Reader"), ("email", email), ("url", ""),
            ("comment", text), ("hp_website", ""), ("drey_token", token),
        ]
        let body = fields.map { "\($0.0)=\(AdminSession.encode($0.1))" }.joined(separator: "&")
        return try await fetch(
            server, "/wp-comments-post.php", headers: [("Content-Type", "application/x-www-form-urlencoded")], method: "POST", body: body)
    }

    /// Asks for a password reset through the admin's form: the one mail a reader's request sends.
    static func askForReset(_ server: DreyServer, email: String) async throws -> FetchResponse {
        let form = try await fetch(server, "/admin/forgot")
        let cookie = try #require(form.headers.first { $0.0.lowercased() == "set-cookie" && $0.1.hasPrefix("drey_csrf=") }?.1)
        let page = text(form)
        let start = try #require(page.range(of: "name=\"_csrf\" value=\""))
        let csrf = String(page[start.upperBound...].prefix { $0 != "\"" })
        return try await fetch(
            server, "/admin/forgot",
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", String(cookie.split(separator: ";")[0]))],
            method: "POST", body: "_csrf=\(AdminSession.encode(csrf))&email=\(AdminSession.encode(email))")
    }

    /// Site settings that let one test machine post many comments quickly.
    static let openComments: [[String]] = [
        ["site", "set", "comment_form_min_seconds", "0"], ["site", "set", "comment_flood_seconds", "0"],
        ["site", "set", "comment_rate_ip_per_hour", "100000"], ["site", "set", "comment_rate_email_per_hour", "100000"],
    ]

    @Test(
        "healthz, readyz and Prometheus metrics from loopback; the token opens /metrics to others; access log lines carry request ids",
        arguments: TestDatabase.allCases)
    func observed(_ kind: TestDatabase) async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("drey-access-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let server = try await DreyServer.start(kind, serveArguments: ["--access-log", log, "--metrics-token", "s3cret-token"]) { data, env, _ in
            for args in Self.openComments { try DreyBinary.run(args, data: data, env: env) }
            // The mail counted below is the reset's alone: no comment notices.
            try DreyBinary.run(["site", "set", "moderation_notify", "0"], data: data, env: env)
            try DreyBinary.run(["site", "set", "comments_notify", "0"], data: data, env: env)
            try DreyBinary.run(["user", "add", "--email", "sam@example.org", "--name", "Sam", "--role", "administrator"], data: data, env: env)
            let file = try LinkbackPeerTests.writeFile("Hello, *world*.")
            try DreyBinary.run(["post", "new", "--title", "Hello", "--file", file, "--date", "2008-01-27T00:04:00Z"], data: data, env: env)
        }
        defer { server.stopSoon() }

        let health = try await Self.fetch(server, "/healthz")
        #expect(health.status == 200)
        #expect(Self.text(health) == "ok\n")
        let ready = try await Self.fetch(server, "/readyz")
        #expect(ready.status == 200)
        #expect(
            Self.text(ready).hasPrefix("ready\ndatabase: ok\nmigrations: current (\(Migrator.knownVersions.max()!))\nworkers: running (2)"),
            "\(Self.text(ready))")

        _ = try await Self.fetch(server, "/")
        _ = try await Self.fetch(server, "/")
        #expect(try await Self.fetch(server, "/2008/01/27/hello/").status == 200)
        let posted = try await Self.comment(server, postPath: "/2008/01/27/hello/", email: "reader@example.org", text: "A kind word.")
        #expect(posted.status == 303)

        // Proxied on loopback for someone else: the client is not trusted, and only the token lets them in.
        let stranger = [("X-Forwarded-For", "198.51.100.7")]
        #expect(try await Self.fetch(server, "/metrics", headers: stranger).status == 403)
        #expect(try await Self.fetch(server, "/metrics", headers: stranger + [("Authorization", "Bearer wrong-token")]).status == 403)
        #expect(try await Self.fetch(server, "/metrics", headers: stranger + [("Authorization", "Bearer s3cret-token")]).status == 200)

        #expect(Self.text(try await Self.askForReset(server, email: "sam@example.org")).contains("a link to choose a new password is on its way"))

        // The mail job runs in the background: wait for it to show.
        var page = ""
        let settled = try await server.waitUntil(timeout: 30) {
            let metrics = try await Self.fetch(server, "/metrics")
            page = Self.text(metrics)
            return Self.sample(page, "drey_jobs_processed_total", ["kind": "mail", "outcome": "done"]) != nil
        }
        #expect(settled, "\(page)")
        let metrics = try await Self.fetch(server, "/metrics")
        #expect(metrics.status == 200)
        #expect(Self.header(metrics, "Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        page = Self.text(metrics)
        #expect((Self.sample(page, "drey_http_requests_total", ["kind": "page", "status": "200"]) ?? 0) >= 3, "\(page)")
        #expect((Self.sample(page, "drey_http_requests_total", ["kind": "comment", "status": "303"]) ?? 0) == 1)
        #expect((Self.sample(page, "drey_http_requests_total", ["kind": "ops", "status": "403"]) ?? 0) == 2)
        #expect((Self.sample(page, "drey_http_request_duration_seconds_count", ["kind": "page"]) ?? 0) >= 3)
        #expect(Self.sample(page, "drey_http_request_duration_seconds_bucket", ["kind": "page", "le": "+Inf"]) != nil)
        #expect((Self.sample(page, "drey_page_cache_requests_total", ["result": "hit"]) ?? 0) >= 1)
        #expect((Self.sample(page, "drey_page_cache_requests_total", ["result": "miss"]) ?? 0) >= 1)
        #expect((Self.sample(page, "drey_page_cache_bytes") ?? 0) > 0)
        #expect((Self.sample(page, "drey_page_cache_entries") ?? 0) >= 1)
        let verdicts = ["approved", "pending", "spam"].compactMap { Self.sample(page, "drey_comments_total", ["verdict": $0, "type": "comment"]) }
        #expect(verdicts == [1], "\(page)")
        #expect(Self.sample(page, "drey_mail_total", ["result": "logged"]) == 1, "\(page)")
        #expect(Self.sample(page, "drey_jobs", ["kind": "mail", "state": "queued"]) ?? 0 == 0)

        // Every request is in the log, in the combined format, with the id its response carried.
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        let healthLine = try #require(lines.first { $0.contains("\"GET /healthz HTTP/1.1\"") })
        let pattern =
            #"^127\.0\.0\.1 - - \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET /healthz HTTP/1\.1" 200 3 "-" "[^"]*" rid=([0-9a-f]{24}) rt=\d+\.\d{3}$"#
        let match = try #require(try Regex(pattern).wholeMatch(in: healthLine), "\(healthLine)")
        #expect(String(match.output[1].substring ?? "") == Self.header(health, "X-Request-Id"))
        #expect(lines.contains { $0.hasPrefix("198.51.100.7 - - [") && $0.contains("\"GET /metrics HTTP/1.1\" 403 ") })
        #expect(lines.contains { $0.contains("\"POST /wp-comments-post.php HTTP/1.1\" 303 ") })

        // A trusted proxy's request id is kept, in the response and the log.
        let traced = try await Self.fetch(server, "/healthz", headers: [("X-Request-Id", "edge-7f3a-0001")])
        #expect(Self.header(traced, "X-Request-Id") == "edge-7f3a-0001")
        let seen = try await server.waitUntil(timeout: 5) {
            (try String(contentsOfFile: log, encoding: .utf8)).contains("rid=edge-7f3a-0001 ")
        }
        #expect(seen)
    }

    @Test("with loopback untrusted: /metrics is closed without a token, a client's X-Request-Id is replaced, JSON log lines")
    func untrusted() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("drey-access-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let server = try await DreyServer.start(
            .sqlite, serveArguments: ["--trusted-proxy", "192.0.2.0/24", "--access-log", log, "--access-log-format", "json"]
        ) { _, _, _ in }
        defer { server.stopSoon() }
        let refused = try await Self.fetch(server, "/metrics")
        #expect(refused.status == 403)
        #expect(Self.text(refused).contains("trusted addresses only"))
        let forged = try await Self.fetch(server, "/readyz?x=\"1\"", headers: [("X-Request-Id", "forged-id"), ("User-Agent", "probe \"quoted\"")])
        #expect(forged.status == 200)
        let id = try #require(Self.header(forged, "X-Request-Id"))
        #expect(id != "forged-id")
        let found = try await server.waitUntil(timeout: 5) { (try String(contentsOfFile: log, encoding: .utf8)).contains(id) }
        #expect(found)
        let line = try #require(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").first { $0.contains(id) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["request_id"] as? String == id)
        #expect(object["client"] as? String == "127.0.0.1")
        #expect(object["status"] as? Int == 200)
        #expect(object["kind"] as? String == "ops")
        #expect(object["user_agent"] as? String == "probe \"quoted\"")
        #expect(object["method"] as? String == "GET")
        #expect((object["target"] as? String)?.hasPrefix("/readyz?x=") == true)
        #expect(object["duration_ms"] is Double || object["duration_ms"] is Int)
        #expect(object["time"] is String)

        let bad = try await DreyBinary.run(["serve", "--port", "1", "--access-log-format", "xml"], data: "/nonexistent-drey-data")
        #expect(bad.status != 0)
        #expect(bad.err.contains("--access-log-format must be combined or json"), "\(bad.err)")
    }

    @Test("without DREY_SMTP_URL, drey serve writes each message to its log: a reader's sign-in link arrives there")
    func mailInTheLog() async throws {
        let server = try await DreyServer.start(.sqlite) { data, env, _ in
            try DreyBinary.run(["site", "set", "readers_enabled", "1"], data: data, env: env)
        }
        defer { server.stopSoon() }
        let asked = try await Self.fetch(
            server, "/signin/email", headers: [("Content-Type", "application/x-www-form-urlencoded")], method: "POST",
            body: "email=reader%40example.org&return_to=%2F")
        #expect(asked.status == 200)
        let logged = try await server.waitUntil(timeout: 30) { server.logText.contains(server.base + "/signin/email/confirm?token=") }
        #expect(logged, "\(server.logText)")
        #expect(server.logText.contains("mail to reader@example.org (no DREY_SMTP_URL, so it is logged here)"))
    }

    @Test("/readyz answers 503 once the schema is not the one this binary knows, and says why", arguments: TestDatabase.allCases)
    func notReady(_ kind: TestDatabase) async throws {
        let server = try await DreyServer.start(kind, serveArguments: ["--workers", "0"]) { _, _, _ in }
        defer { server.stopSoon() }
        let ready = try await Self.fetch(server, "/readyz")
        #expect(ready.status == 200)
        #expect(Self.text(ready).contains("workers: none in this process (--workers 0)"))
        // As after a newer drey migrated the database and this older binary was started again.
        let db = try await Database.open(
            sqlitePath: (server.data as NSString).appendingPathComponent("drey.sqlite"), url: server.location.databaseURL,
            logger: TestBlog.quietLogger)
        try await db.withSQL {
            try await $0.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from_the_future', '2030-01-01')").run()
        }
        await db.close()
        let notReady = try await Self.fetch(server, "/readyz")
        #expect(notReady.status == 503)
        #expect(
            Self.text(notReady).contains("not ready\ndatabase: ok\nmigrations: not current; applied by a newer drey: 9999"), "\(Self.text(notReady))")
        // Alive all the same: a liveness probe must not restart it for this.
        #expect(try await Self.fetch(server, "/healthz").status == 200)
    }
}

@Suite struct RouteKindTests {
    @Test("route kinds for metrics: a few labels whatever the URL")
    func kinds() {
        #expect(RouteKind.of(method: .get, path: "/2008/01/27/feeding-birds/", query: nil) == "page")
        #expect(RouteKind.of(method: .get, path: "/category/birds/feed/", query: nil) == "feed")
        #expect(RouteKind.of(method: .get, path: "/", query: "feed=rss2") == "feed")
        #expect(RouteKind.of(method: .get, path: "/", query: "s=birds") == "search")
        #expect(RouteKind.of(method: .post, path: "/wp-comments-post.php", query: nil) == "comment")
        #expect(RouteKind.of(method: .get, path: "/wp-sitemap-posts-post-1.xml", query: nil) == "sitemap")
        #expect(RouteKind.of(method: .get, path: "/robots.txt", query: nil) == "sitemap")
        #expect(RouteKind.of(method: .post, path: "/xmlrpc.php", query: nil) == "linkback")
        #expect(RouteKind.of(method: .get, path: "/admin/posts", query: nil) == "admin")
        #expect(RouteKind.of(method: .get, path: "/assets/default/style.css", query: nil) == "asset")
        #expect(RouteKind.of(method: .get, path: "/wp-content/uploads/2008/01/a.jpg", query: nil) == "upload")
        #expect(RouteKind.of(method: .get, path: "/metrics", query: nil) == "ops")
    }
}
