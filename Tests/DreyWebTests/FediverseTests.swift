import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation
import Testing

/// The blog on the fediverse, against real peers on loopback: fediverse-pasture's verify_actor and its test actors
/// (bovine signing and checking draft-cavage), and http-message-signatures for RFC 9421 — over real HTTP to a running
/// `drey serve`, on SQLite and PostgreSQL.
@Suite struct FediverseTests {
    static let activity = "application/activity+json"

    static func server(_ kind: TestDatabase, environment: [String: String] = [:]) async throws -> DreyServer {
        try await DreyServer.start(
            kind, serveArguments: ["--allow-fetch", "127.0.0.1", "--job-attempts", "6", "--job-backoff", "0.5"], environment: environment
        ) {
            data, env, _ in
            try DreyBinary.run(
                ["user", "add", "--email", "ada@example.org", "--name", "Ada Lovelace", "--login", "ada", "--role", "administrator"],
                data: data, env: env)
            try DreyBinary.run(["site", "set", "title", "Engines"], data: data, env: env)
            try DreyBinary.run(
                [
                    "post", "new", "--title", "Notes on the engine", "--tag", "analytical engine", "--date", "2024-05-01 10:00", "--file",
                    try LinkbackPeerTests.writeFile("The engine *weaves* algebraic patterns.<script>alert(1)</script>"),
                ], data: data, env: env)
        }
    }

    static func json(_ server: DreyServer, _ pathOrURL: String, accept: String = activity) async throws -> (Int, [String: Any], String) {
        let url = pathOrURL.hasPrefix("http") ? pathOrURL : server.base + pathOrURL
        let response = try await DreyServer.client.fetch(FetchRequest(url: url, headers: [("Accept", accept)]))
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
        return (response.status, object, response.header("Content-Type") ?? "")
    }

    @Test(
        "WebFinger, NodeInfo, the actors and content negotiation; verify_actor's signed and unsigned actors reach the blog",
        arguments: TestDatabase.allCases)
    func discovery(_ kind: TestDatabase) async throws {
        let server = try await Self.server(kind)
        let host = "127.0.0.1:\(server.port)"
        try await LinkbackPeerTests.stopping([server]) {
            let (status, finger, type) = try await Self.json(
                server, "/.well-known/webfinger?resource=acct:blog@\(host)", accept: "application/jrd+json")
            #expect(status == 200 && type.hasPrefix("application/jrd+json"))
            #expect(finger["subject"] as? String == "acct:blog@\(host)")
            let links = finger["links"] as? [[String: Any]] ?? []
            #expect(links.contains { $0["rel"] as? String == "self" && $0["href"] as? String == server.base + "/ap/blog" })
            let (_, byProfile, _) = try await Self.json(server, "/.well-known/webfinger?resource=\(server.base)/author/ada/")
            #expect(byProfile["subject"] as? String == "acct:ada@\(host)")
            #expect(try await Self.json(server, "/.well-known/webfinger?resource=acct:nobody@\(host)").0 == 404)
            #expect(try await Self.json(server, "/.well-known/webfinger").0 == 400)

            let (_, index, _) = try await Self.json(server, "/.well-known/nodeinfo", accept: "application/json")
            let nodeinfoURL = ((index["links"] as? [[String: Any]])?.first?["href"] as? String) ?? ""
            #expect(nodeinfoURL == server.base + "/nodeinfo/2.1")
            let (_, nodeinfo, _) = try await Self.json(server, nodeinfoURL, accept: "application/json")
            #expect(nodeinfo["version"] as? String == "2.1")
            #expect(nodeinfo["protocols"] as? [String] == ["activitypub"])
            #expect((nodeinfo["usage"] as? [String: Any])?["localPosts"] as? Int == 1)

            // The home page, asked for as ActivityStreams, is the blog's actor; as HTML it links to it.
            let (homeStatus, blog, blogType) = try await Self.json(server, "/")
            #expect(homeStatus == 200 && blogType.hasPrefix(Self.activity))
            #expect(blog["id"] as? String == server.base + "/ap/blog" && blog["type"] as? String == "Person")
            #expect(blog["preferredUsername"] as? String == "blog" && blog["name"] as? String == "Engines")
            #expect(blog["inbox"] as? String == server.base + "/ap/blog/inbox")
            #expect((blog["endpoints"] as? [String: Any])?["sharedInbox"] as? String == server.base + "/ap/inbox")
            #expect(blog["discoverable"] as? Bool == true && blog["indexable"] as? Bool == true)
            let key = blog["publicKey"] as? [String: Any] ?? [:]
            #expect((key["publicKeyPem"] as? String ?? "").hasPrefix("-----BEGIN PUBLIC KEY-----"))
            #expect(key["id"] as? String == server.base + "/ap/blog#main-key")
            let html = try await server.get("/").text
            #expect(html.contains("<link rel=\"alternate\" type=\"application/activity+json\" href=\"\(server.base)/ap/blog\">"))
            // The same key on every fetch: it is stored, not made per request.
            #expect(
                (try await Self.json(server, "/ap/blog").1["publicKey"] as? [String: Any])?["publicKeyPem"] as? String == key["publicKeyPem"]
                    as? String)

            let (_, ada, _) = try await Self.json(server, "/author/ada/")
            #expect(ada["type"] as? String == "Person" && ada["preferredUsername"] as? String == "ada" && ada["name"] as? String == "Ada Lovelace")

            let permalink = server.base + "/2024/05/01/notes-on-the-engine/"
            let (_, article, _) = try await Self.json(
                server, permalink, accept: "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"")
            #expect(article["type"] as? String == "Article" && article["name"] as? String == "Notes on the engine")
            #expect(article["url"] as? String == permalink)
            #expect(article["attributedTo"] as? String == ada["id"] as? String)
            #expect(article["summary"] as? String == "The engine weaves algebraic patterns.")
            let content = article["content"] as? String ?? ""
            #expect(content.contains("<em>weaves</em>") && !content.contains("<script"))
            #expect((article["contentMap"] as? [String: String])?["en"] == content)
            #expect((article["tag"] as? [[String: Any]])?.first?["name"] as? String == "#AnalyticalEngine")
            let articleID = article["id"] as? String ?? ""
            #expect(articleID.hasPrefix(server.base + "/ap/posts/"))
            // The post's page is still HTML for browsers, and names its object.
            let page = try await server.get("/2024/05/01/notes-on-the-engine/").text
            #expect(page.contains("href=\"\(articleID)\"") && page.contains("0 people follow this blog on the fediverse:"))
            #expect(page.contains("@blog@\(host)"))

            // fediverse-pasture's matrix: alice posts unsigned (refused), bob, claire, emily and frank sign (accepted);
            // claire and frank fetch only when our own fetches of their keys are signed (their servers are in secure mode).
            let peer = try await FediversePeer.shared(.verify)
            let actorURI = (server.base + "/ap/blog").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let result = try await peer.getJSON("/?actor_uri=\(actorURI)")["result"] as? [String: Any] ?? [:]
            func outcome(_ name: String) -> (Bool, Bool) {
                let r = result[name] as? [String: Any] ?? [:]
                return (r["get_actor"] as? Bool ?? false, r["post_inbox"] as? Bool ?? false)
            }
            #expect(result["webfinger"] as? Bool == true, "\(result)")
            #expect(outcome("alice") == (true, false), "\(result)")
            for name in ["bob", "claire", "emily", "frank"] { #expect(outcome(name) == (true, true), "\(name): \(result)") }
        }
        await server.stop()
    }

    @Test("the inbox refuses a stale Date and a wrong digest (401) and an oversized body (413)", arguments: TestDatabase.allCases)
    func inboxRefusals(_ kind: TestDatabase) async throws {
        let server = try await Self.server(kind)
        try await LinkbackPeerTests.stopping([server]) {
            let body = Array(#"{"type":"Like","actor":"http://127.0.0.1:9/x","object":"http://127.0.0.1:9/y","id":"http://127.0.0.1:9/z"}"#.utf8)
            func post(_ headers: [(String, String)], _ body: [UInt8]) async throws -> FetchResponse {
                try await DreyServer.client.fetch(
                    FetchRequest(
                        url: server.base + "/ap/inbox", method: "POST", headers: [("Content-Type", Self.activity)] + headers, body: body))
            }
            // Checked after the date: any value does for the stale request.
            let digest = "SHA-256=" + Data(repeating: 1, count: 32).base64EncodedString()
            let signature = #"keyId="http://127.0.0.1:9/x#main",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="AAAA""#
            let stale = try await post([("Date", "Sat, 01 Jan 2000 00:00:00 GMT"), ("Digest", digest), ("Signature", signature)], body)
            #expect(stale.status == 401 && stale.text.contains("Date"), "\(stale.status) \(stale.text)")
            let now = DateFormatter.http.string(from: Date())
            let wrong = try await post(
                [("Date", now), ("Digest", "SHA-256=" + Data(repeating: 7, count: 32).base64EncodedString()), ("Signature", signature)], body)
            #expect(wrong.status == 401 && wrong.text.contains("Digest"), "\(wrong.status) \(wrong.text)")
            let unsigned = try await post([("Date", now)], body)
            #expect(unsigned.status == 401)
            let big = try await post([("Date", now), ("Signature", signature)], Array(repeating: UInt8(ascii: " "), count: (1 << 20) + 1))
            #expect(big.status == 413)
            #expect(try await server.get("/ap/inbox").status == 405)
        }
        await server.stop()
    }

    @Test(
        "the admin blocks a server (refused at the inbox at once), renames the blog's handle, and says what was wrong",
        arguments: TestDatabase.allCases)
    func admin(_ kind: TestDatabase) async throws {
        let server = try await Self.server(kind)
        let peer = try await FediversePeer.shared(.actors)
        let host = "127.0.0.1:\(server.port)"
        try await LinkbackPeerTests.stopping([server]) {
            #expect(
                try await server.run([
                    "user", "add", "--email", "root@example.org", "--name", "Root", "--role", "administrator", "--password", "fediverse-admin-pw",
                ]).status == 0)
            var browser = LoopbackBrowser(server)
            _ = try await browser.signIn("root@example.org", "fediverse-admin-pw")
            let screen = try await browser.get("/admin/fediverse")
            #expect(screen.status == 200 && screen.text.contains("@blog@\(host)") && screen.text.contains("Nobody follows"))

            let bad = try await browser.post("/admin/fediverse", [("action", "block"), ("kind", "domain"), ("value", "not a/host")])
            #expect(bad.status == 422 && bad.text.contains("host name") && bad.text.contains("value=\"not a/host\""))
            let blocked = try await browser.post("/admin/fediverse", [("action", "block"), ("kind", "domain"), ("value", "127.0.0.1")])
            #expect(blocked.status == 303)
            #expect(try await browser.get("/admin/fediverse").text.contains("<code>127.0.0.1</code>"))
            let follow: [String: Any] = [
                "id": peer.base + "/frank/follows/\(UUID())", "type": "Follow", "actor": peer.base + "/frank", "object": server.base + "/ap/blog",
            ]
            #expect(try await peer.send(as: "frank", to: server.base + "/ap/inbox", follow) == 403)
            _ = try await browser.post("/admin/fediverse", [("action", "unblock"), ("kind", "domain"), ("value", "127.0.0.1")])
            #expect(!(try await browser.get("/admin/fediverse").text.contains("<code>127.0.0.1</code>")))

            let settings: [(String, String)] = [("action", "settings"), ("fediverse_enabled", "1"), ("fediverse_authors", "1")]
            let badName = try await browser.post("/admin/fediverse", settings + [("fediverse_blog_name", "Engines Blog!")])
            #expect(badName.status == 422 && badName.text.contains("fediverse_blog_name") && badName.text.contains("value=\"Engines Blog!\""))
            #expect(try await browser.post("/admin/fediverse", settings + [("fediverse_blog_name", "engines")]).status == 303)
            let (status, finger, _) = try await Self.json(server, "/.well-known/webfinger?resource=acct:engines@\(host)")
            #expect(status == 200 && finger["subject"] as? String == "acct:engines@\(host)")
            // Unticked, discoverable and indexable are off in the actor.
            let (_, blog, _) = try await Self.json(server, "/ap/blog")
            #expect(blog["discoverable"] as? Bool == false && blog["indexable"] as? Bool == false)

            // A new key replaces the old one in the actor.
            let oldKey = (blog["publicKey"] as? [String: Any])?["publicKeyPem"] as? String ?? ""
            #expect(try await browser.post("/admin/fediverse", [("action", "rotate")]).status == 303)
            let newKey = (try await Self.json(server, "/ap/blog").1["publicKey"] as? [String: Any])?["publicKeyPem"] as? String ?? ""
            #expect(newKey.hasPrefix("-----BEGIN PUBLIC KEY-----") && newKey != oldKey)

            // Turned off, the blog is no longer on the fediverse.
            #expect(try await browser.post("/admin/fediverse", [("action", "settings"), ("fediverse_blog_name", "engines")]).status == 303)
            #expect(try await Self.json(server, "/ap/blog").0 == 404)
            #expect(try await Self.json(server, "/.well-known/webfinger?resource=acct:engines@\(host)").0 == 404)
        }
        await server.stop()
    }
}

extension DateFormatter {
    static let http: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f
    }()
}
