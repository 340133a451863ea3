import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Forwarded headers are believed only from trusted proxies; links that leave the site use its canonical address.
@Suite struct ProxyTrustTests {
    /// Everything a client can claim about itself through proxy headers.
    static let forged: HTTPFields = [
        .xForwardedHost: "evil.example", .xForwardedProto: "https", .xForwardedFor: "198.51.100.7",
        .forwarded: "for=198.51.100.8;host=evil.example;proto=https",
    ]

    /// The body of every mail queued so far (the job's JSON payload, decoded).
    /// The password links queued (comment notices to moderators are mail too, and not what these tests look at).
    static func queuedMail(_ blog: TestBlog) async throws -> [String] {
        let payloads = try await blog.drey.database.withSQL { db in
            try await db.raw("SELECT payload FROM jobs WHERE kind = 'mail' ORDER BY id").all().map {
                try $0.decode(column: "payload", as: String.self)
            }
        }
        return payloads.compactMap { payload in
            let fields = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any]
            // Account mail carries no link (its token is made when it is sent), only the address the link will use.
            guard let account = fields?["account"] as? [String: Any], let base = account["base"] as? String else { return nil }
            return base + "/admin/reset?token="
        }
    }

    /// Asks for a reset link through the real form, with `headers` on both requests.
    static func askForReset(_ client: any TestClientProtocol, email: String, headers: HTTPFields) async throws -> TestResponse {
        let form = try await client.execute(uri: "/admin/forgot", method: .get, headers: headers, body: nil)
        let cookie = try #require(form.headers[values: .setCookie].first { $0.hasPrefix("drey_csrf=") }).split(separator: ";")[0]
        let csrf = try #require(form.text.range(of: "name=\"_csrf\" value=\"")).upperBound
        let token = String(form.text[csrf...].prefix { $0 != "\"" })
        var h = headers
        h[.cookie] = String(cookie)
        h[.contentType] = "application/x-www-form-urlencoded"
        let body = "_csrf=\(AdminSession.encode(token))&email=\(AdminSession.encode(email))"
        return try await client.execute(uri: "/admin/forgot", method: .post, headers: h, body: ByteBuffer(string: body))
    }

    static func comment(
        _ client: any TestClientProtocol, _ blog: TestBlog, _ post: Post, email: String, headers: HTTPFields
    ) async throws -> TestResponse {
        let token = SpamTest.token(blog, post, shownAt: Date().addingTimeInterval(-60))
        let fields = SpamTest.fields(token, post, email: email, text: "Words from \(email).")
        return try await client.postForm("/wp-comments-post.php", fields, headers: headers)
    }

    @Test("from an untrusted peer, forged X-Forwarded-*/Forwarded change no link, no address and no limit", arguments: TestDatabase.allCases)
    func untrustedPeer(_ kind: TestDatabase) async throws {
        // Loopback is not trusted here, so the test's own connection is a stranger's.
        let proxies = try TrustedProxies(parsing: ["192.0.2.0/24"])
        try await TestBlog.with(kind, trustedProxies: proxies, live: true) { blog, client in
            try await blog.post("Hello")
            let first = try await client.get("/", headers: Self.forged)
            #expect(first.status == .ok)
            #expect(!first.text.contains("evil.example"))
            // A stranger's request does not fix the blog's address, and the reset link it asks for uses the site's
            // own host (the address is not known yet), never the name in its headers.
            #expect(blog.siteNow.settings.homeURL == "")
            _ = try await blog.member(.editor, "ada")
            let asked = try await Self.askForReset(client, email: "ada@blog.test", headers: Self.forged)
            #expect(asked.text.contains("a link to choose a new password is on its way"))
            var mail = try await Self.queuedMail(blog)
            #expect(mail.count == 1)
            #expect(mail.first?.contains("http://localhost/admin/reset?token=") == true, "\(mail)")
            #expect(mail.first?.contains("evil.example") == false)
            #expect(blog.siteNow.settings.homeURL == "")

            // Once the operator sets the address, links use it.
            try await blog.set(.homeURL, "http://blog.test")
            _ = try await blog.member(.editor, "bea")
            _ = try await Self.askForReset(client, email: "bea@blog.test", headers: Self.forged)
            mail = try await Self.queuedMail(blog)
            #expect(mail.count == 2)
            #expect(mail.last?.contains("http://blog.test/admin/reset?token=") == true, "\(mail)")
            #expect(mail.last?.contains("evil.example") == false)

            // The peer's address counts, whatever the headers say: the second comment meets the per-address limit.
            try await SpamTest.wordPressRulesOnly(blog)
            try await blog.set(.commentRateIPPerHour, "1")
            let post = try await blog.post("Thread")
            let one = try await Self.comment(client, blog, post, email: "one@example.org", headers: Self.forged)
            let stored = try await SpamTest.stored(blog, one)
            #expect(stored.authorIP == "127.0.0.1" || stored.authorIP == "::1", "\(stored.authorIP)")
            var other = Self.forged
            other[.xForwardedFor] = "198.51.100.9"
            other[.forwarded] = "for=198.51.100.10"
            let two = try await Self.comment(client, blog, post, email: "two@example.org", headers: other)
            #expect(two.status == .tooManyRequests)
            #expect(two.text.contains("Too many comments from your address"))
        }
    }

    @Test(
        "from a trusted proxy, forwarded headers are believed: client address, scheme and the first request's host", arguments: TestDatabase.allCases)
    func trustedProxy(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind, live: true) { blog, client in
            try await SpamTest.wordPressRulesOnly(blog)
            let post = try await blog.post("Thread")
            // The first request through the proxy on this machine fixes the address, scheme included.
            let first = try await client.get("/", headers: [.xForwardedHost: TestBlog.host, .xForwardedProto: "https"])
            #expect(first.status == .ok)
            #expect(first.text.contains("https://blog.test/2008/01/27/thread/"))
            #expect(blog.siteNow.settings.homeURL == "https://blog.test")

            // Past every trusted hop from the right; the client's own entries further left are ignored.
            let viaFor = try await Self.comment(
                client, blog, post, email: "a@example.org", headers: [.xForwardedFor: "6.6.6.6, 198.51.100.7, 127.0.0.1"])
            #expect(try await SpamTest.stored(blog, viaFor).authorIP == "198.51.100.7")
            let viaForwarded = try await Self.comment(
                client, blog, post, email: "b@example.org", headers: [.forwarded: "for=6.6.6.6, for=\"[2001:db8::5]:4711\";proto=https"])
            #expect(try await SpamTest.stored(blog, viaForwarded).authorIP == "2001:db8::5")

            // Another host, even from the trusted proxy, is sent to the canonical address: no mail leaves for it.
            let elsewhere = try await client.execute(
                uri: "/admin/forgot", method: .post, headers: [.xForwardedHost: "evil.example", .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "email=korakious%40blog.test"))
            #expect(elsewhere.status == .movedPermanently)
            #expect(elsewhere.location == "https://blog.test/admin/forgot")
            #expect(try await Self.queuedMail(blog).isEmpty)

            // The administrator is told where the address came from, until a person sets it.
            let (_, password) = try await blog.member(.administrator, "ada")
            var ada = AdminSession(client: client)
            _ = try await ada.signIn("ada@blog.test", password)
            let note = "The blog&#39;s address was set to https://blog.test from the first request; change it in Settings → General."
            #expect(try await ada.get("/admin/").text.contains(note))
            try await blog.set(.homeURL, "https://blog.test")
            #expect(!(try await ada.get("/admin/").text.contains(note)))
        }
    }

    @Test("a single-site install answers an unknown host with a 301 to its address, same path and query", arguments: TestDatabase.allCases)
    func unknownHost(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.post("Post")
            try await blog.set(.homeURL, "https://blog.test:8443")
            let moved = try await client.get("/2008/01/27/post/?replytocom=3&x=%C3%A9", headers: [.xForwardedHost: "invented.example"])
            #expect(moved.status == .movedPermanently)
            #expect(moved.location == "https://blog.test:8443/2008/01/27/post/?replytocom=3&x=%C3%A9")
            #expect(moved.headers[.init("X-Drey-Cache")!] == nil)
            let posted = try await client.execute(
                uri: "/wp-comments-post.php", method: .post,
                headers: [.xForwardedHost: "invented.example", .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "comment=x"))
            #expect(posted.status == .movedPermanently)
            // The site's own names are served: its address (any port) and its host.
            #expect(try await client.get("/2008/01/27/post/").status == .ok)
            #expect(try await client.get("/2008/01/27/post/", headers: [.xForwardedHost: "blog.test:8443"]).status == .ok)
            #expect(try await client.get("/2008/01/27/post/", headers: [.xForwardedHost: "localhost:8080"]).status == .ok)
        }
    }

    @Test("the first request from this machine fixes the address in-process too, and the dashboard says so", arguments: TestDatabase.allCases)
    func firstRequest(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            #expect(blog.siteNow.settings.homeURL == "")
            #expect(try await client.get("/", headers: [.xForwardedHost: "first.example:8080"]).status == .ok)
            #expect(blog.siteNow.settings.homeURL == "http://first.example:8080")
            // Stored through the site service: a second process opening the same data sees it.
            let again = try await Drey.open(blog.config, logger: TestBlog.quietLogger)
            #expect(again.sites.site(id: blog.site.id)?.settings.homeURL == "http://first.example:8080")
            await again.close()
            // A later request naming another host does not move it.
            #expect(try await client.get("/", headers: [.xForwardedHost: "second.example"]).status == .movedPermanently)
            #expect(blog.siteNow.settings.homeURL == "http://first.example:8080")
        }
    }

    @Test("drey serve --trusted-proxy: a bad range is refused clearly; the listed proxies replace loopback")
    func serveFlag() async throws {
        for bad in ["10.0.0.0/33", "proxy.example", "10.0.0.0/8/8"] {
            let refused = try await DreyBinary.run(["serve", "--port", "1", "--trusted-proxy", bad], data: "/nonexistent-drey-data")
            #expect(refused.status != 0)
            #expect(refused.err.contains("--trusted-proxy: '\(bad)' is not an IP address or CIDR range"), "\(refused.err)")
        }
        // Loopback not trusted: the first request from this machine cannot name the blog's address.
        let strict = try await DreyServer.start(.sqlite, serveArguments: ["--trusted-proxy", "192.0.2.0/24"], homeURL: false) { _, _, _ in }
        do {
            let page = try await DreyServer.client.fetch(FetchRequest(url: strict.base + "/", headers: [("X-Forwarded-Host", "evil.example")]))
            #expect(page.status == 200)
            #expect(!String(decoding: page.body, as: UTF8.self).contains("evil.example"))
            #expect(try await strict.run(["site", "get", "home_url"]).out == "\n")
        } catch {
            await strict.stop()
            throw error
        }
        await strict.stop()
        // By default loopback is trusted: the first request (the start-up probe) fixed it, and other hosts move there.
        let open = try await DreyServer.start(.sqlite, homeURL: false) { _, _, _ in }
        do {
            #expect(try await open.run(["site", "get", "home_url"]).out == open.base + "\n")
            let moved = try await DreyServer.client.fetch(
                FetchRequest(url: open.base + "/feed/?x=1", headers: [("X-Forwarded-Host", "evil.example")], followRedirects: false))
            #expect(moved.status == 301)
            #expect(moved.headers.first { $0.0.lowercased() == "location" }?.1 == open.base + "/feed/?x=1")
        } catch {
            await open.stop()
            throw error
        }
        await open.stop()
    }

    static func origin(_ fields: HTTPFields, peer: String?, trusting: [String] = ["127.0.0.0/8", "::1/128"]) throws -> RequestOrigin {
        let head = HTTPRequest(method: .get, scheme: nil, authority: "blog.test", path: "/", headerFields: fields)
        return RequestOrigin.decide(
            Request(head: head, body: .init(buffer: ByteBuffer())), peer: peer, proxies: try TrustedProxies(parsing: trusting))
    }

    @Test("the origin of a request: peers, hops, ports, quoting and garbage")
    func originRules() throws {
        // Private networks are no longer trusted by default; a dual-stack loopback peer is.
        #expect(try Self.origin([.xForwardedFor: "198.51.100.1"], peer: "10.0.0.5").clientIP == "10.0.0.5")
        #expect(try Self.origin([.xForwardedFor: "198.51.100.1"], peer: "::ffff:127.0.0.1").clientIP == "198.51.100.1")
        // Every hop trusted: the leftmost is the client. Garbage stops the walk at the hop that reported it.
        let chain = try Self.origin([.xForwardedFor: "10.1.1.1, 10.2.2.2"], peer: "127.0.0.1", trusting: ["127.0.0.1", "10.0.0.0/8"])
        #expect(chain.clientIP == "10.1.1.1")
        #expect(
            try Self.origin([.xForwardedFor: "<script>, 10.2.2.2"], peer: "127.0.0.1", trusting: ["127.0.0.1", "10.0.0.0/8"]).clientIP == "10.2.2.2")
        #expect(try Self.origin([.xForwardedFor: "unknown"], peer: "127.0.0.1").clientIP == "127.0.0.1")
        #expect(try Self.origin([.xForwardedFor: "203.0.113.9:5123"], peer: "::1").clientIP == "203.0.113.9")
        // Forwarded: quoted values, ports, case, and several header lines; it wins over X-Forwarded-*.
        var fields: HTTPFields = [.xForwardedHost: "x.example", .xForwardedProto: "http"]
        fields.append(HTTPField(name: .forwarded, value: "for=6.6.6.6;host=forged.example"))
        fields.append(HTTPField(name: .forwarded, value: "For=\"[2001:db8::9]:80\";Proto=HTTPS;Host=\"blog.example:8443\", for=127.0.0.1"))
        let rfc = try Self.origin(fields, peer: "127.0.0.1")
        #expect(rfc == RequestOrigin(clientIP: "2001:db8::9", scheme: "https", host: "blog.example:8443", trusted: true))
        // Nonsense hosts and schemes are not taken, even from a trusted proxy.
        let odd = try Self.origin([.xForwardedHost: "evil.example/path?x", .xForwardedProto: "gopher"], peer: nil)
        #expect(odd.host == "blog.test" && odd.scheme == "http")
        // The last value is the nearest proxy's.
        #expect(try Self.origin([.xForwardedHost: "forged.example, blog.example"], peer: nil).host == "blog.example")
        // An untrusted peer's claims are all ignored.
        let stranger = try Self.origin(Self.forged, peer: "203.0.113.50")
        #expect(stranger == RequestOrigin(clientIP: "203.0.113.50", scheme: "http", host: "blog.test", trusted: false))
    }
}
