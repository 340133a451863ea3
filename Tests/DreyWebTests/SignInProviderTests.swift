import DreyCLI
import DreyCore
import DreyFetch
import DreyStore
import DreyTestSupport
import Foundation
import SQLKit
import Testing

/// Readers signing in through a real OpenID Connect provider and a real IndieAuth server (authlib, on loopback),
/// against the running `drey serve`, as a browser would: drey sends the reader away, the provider's consent form is
/// answered, and the provider's redirect is followed back to drey.
@Suite(.serialized) struct SignInProviderTests {
    static let clientID = "drey-blog"

    static func serve(_ kind: TestDatabase, _ peer: IdentityPeer) async throws -> DreyServer {
        try await DreyServer.start(kind, serveArguments: ["--allow-fetch", "127.0.0.1"]) { data, env, _ in
            let added = try DreyBinary.run(
                ["signin", "oidc", "add", "idp", "--issuer", peer.issuer, "--client-id", clientID, "--client-secret", "s3cret-value"], data: data,
                env: env)
            guard added.status == 0 else { throw DreyServer.StartFailed(log: added.err) }
            try DreyBinary.run(
                ["user", "add", "--email", "eve@blog.test", "--name", "Eve Staff", "--role", "administrator", "--password", "password-eve"],
                data: data, env: env)
        }
    }

    /// Rows of the server's database.
    static func rows(_ server: DreyServer, _ sql: String) async throws -> [[String: String]] {
        let database = try await Database.open(
            sqlitePath: (server.data as NSString).appendingPathComponent("drey.sqlite"), url: server.location.databaseURL,
            logger: TestBlog.quietLogger)
        defer { Task { await database.close() } }
        return try await database.withSQL { db in
            try await db.raw(SQLQueryString(sql)).all().map { row in
                var out: [String: String] = [:]
                for column in row.allColumns { out[column] = (try? row.decode(column: column, as: String?.self)) ?? nil ?? "NULL" }
                return out
            }
        }
    }

    static func readers(_ server: DreyServer) async throws -> [[String: String]] {
        try await rows(
            server,
            "SELECT r.name, r.email, i.method, i.issuer, i.subject, i.provider FROM readers r JOIN reader_identities i ON i.reader_id = r.id ORDER BY r.id"
        )
    }

    /// Leaves drey for the provider and answers its consent form; returns drey's callback path, not yet followed.
    static func consentOIDC(_ browser: inout LoopbackBrowser, sub: String = "alice", returnTo: String = "/hello/") async throws -> String {
        // The sign-in page offers a button per provider; the reader follows it.
        let page = try await browser.get("/signin?return_to=\(returnTo)")
        let button = try #require(page.text.range(of: "<a class=\"button signin-provider\" href=\""), "no provider button:\n\(page.text)")
        let href = String(page.text[button.upperBound...].prefix { $0 != "\"" })
        #expect(page.text[button.upperBound...].contains(">Sign in with idp</a>"))
        try #require(href.hasPrefix(browser.server.base + "/signin/oidc/idp?return_to="), "\(href)")
        let start = try await browser.get(String(href.dropFirst(browser.server.base.count)))
        try #require(start.status == 303, "\(start.status) \(start.text)")
        let authorize = try #require(start.location)
        #expect(authorize.contains("code_challenge_method=S256") && authorize.contains("nonce=") && authorize.contains("state="))
        let form = try await DreyServer.client.fetch(FetchRequest(url: authorize))
        try #require(form.status == 200, "the provider refused the authorization request: \(form.text)")
        let consent = try await DreyServer.client.fetch(FetchRequest.form(authorize, [("sub", sub), ("action", "allow")]))
        try #require(consent.status == 302, "\(consent.status) \(consent.text)")
        return try callbackPath(consent, browser.server)
    }

    static func callbackPath(_ response: FetchResponse, _ server: DreyServer) throws -> String {
        let location = try #require(response.header("Location"))
        try #require(location.hasPrefix(server.base + "/signin/"), "\(location)")
        return String(location.dropFirst(server.base.count))
    }

    static func replacing(_ name: String, with value: String, in url: String) -> String {
        var c = URLComponents(string: url)!
        c.queryItems = c.queryItems!.map { $0.name == name ? URLQueryItem(name: name, value: value) : $0 }
        c.percentEncodedQuery = c.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return c.string!
    }

    @Test(
        "a reader signs in with an OpenID Connect provider; the code and the state work once; the reader gets no /admin",
        arguments: TestDatabase.allCases)
    func oidcSignIn(_ kind: TestDatabase) async throws {
        let peer = try await IdentityPeer.start()
        defer { peer.stop() }
        let server = try await Self.serve(kind, peer)
        defer { server.stopSoon() }
        var browser = LoopbackBrowser(server)
        let callback = try await Self.consentOIDC(&browser)
        let done = try await browser.get(callback)
        #expect(done.status == 303, "\(done.text)\n\(server.logText)")
        #expect(done.location == server.base + "/hello/" || done.location == "/hello/", "\(done.location ?? "")")
        #expect(browser.cookies["drey_reader"] != nil)
        let readers = try await Self.readers(server)
        #expect(readers.count == 1)
        #expect(readers.first?["issuer"] == peer.issuer && readers.first?["subject"] == "alice" && readers.first?["method"] == "oidc")
        #expect(readers.first?["provider"] == "idp" && readers.first?["name"] == "Alice Reader")
        // The provider says alice's email is verified: it is kept.
        #expect(readers.first?["email"] == "alice@example.test")

        // A reader's session is not a staff session.
        let admin = try await browser.get("/admin/")
        #expect(admin.status == 303 && (admin.location ?? "").contains("/admin/login"), "\(admin.status) \(admin.location ?? "")")

        // The same callback again: the state was used up.
        var replay = LoopbackBrowser(server)
        replay.cookies = browser.cookies
        let again = try await replay.get(callback)
        #expect(again.status == 403 && again.text.contains("already used"), "\(again.status) \(again.text)")
        // The old code with a fresh sign-in's state: the provider does not take a code twice.
        var second = LoopbackBrowser(server)
        let start = try await second.get("/signin/oidc/idp")
        let location = try #require(start.location)
        let state = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "state" }?.value)
        let reused = try await second.get(Self.replacing("state", with: state, in: callback))
        #expect(reused.status == 403 && reused.text.contains("refused the sign-in code"), "\(reused.status) \(reused.text)")
        #expect(second.cookies["drey_reader"] == nil)
        #expect(try await Self.readers(server).count == 1)
    }

    @Test(
        "a tampered state, a wrong audience, issuer or nonce, a bad signature and an expired ID token are refused", arguments: TestDatabase.allCases)
    func oidcRefusals(_ kind: TestDatabase) async throws {
        let peer = try await IdentityPeer.start()
        defer { peer.stop() }
        let server = try await Self.serve(kind, peer)
        defer { server.stopSoon() }

        var tampered = LoopbackBrowser(server)
        let callback = try await Self.consentOIDC(&tampered)
        let state = try #require(URLComponents(string: callback)?.queryItems?.first { $0.name == "state" }?.value)
        let refused = try await tampered.get(Self.replacing("state", with: state + "x", in: callback))
        #expect(refused.status == 403 && refused.text.contains("state does not match"), "\(refused.text)")
        #expect(refused.text.contains("Sign-in failed") && refused.text.contains("/signin"))
        #expect(tampered.cookies["drey_reader"] == nil)

        // Another browser cannot finish a sign-in this one started.
        var elsewhere = LoopbackBrowser(server)
        let started = try await Self.consentOIDC(&tampered)
        let stolen = try await elsewhere.get(started)
        #expect(stolen.status == 403 && stolen.text.contains("another browser"), "\(stolen.text)")

        // The reader says no at the provider: back on the blog, told so, not signed in.
        var denied = LoopbackBrowser(server)
        let page = try await denied.get("/signin/oidc/idp")
        let authorize = try #require(page.location)
        let no = try await DreyServer.client.fetch(FetchRequest.form(authorize, [("sub", "alice"), ("action", "deny")]))
        let deniedPage = try await denied.get(try Self.callbackPath(no, server))
        #expect(deniedPage.status == 403 && deniedPage.text.contains("access was denied"), "\(deniedPage.text)")
        #expect(denied.cookies["drey_reader"] == nil)

        let cases = [
            ("aud", "wrong audience"), ("nonce", "wrong nonce"), ("sig", "signature is not valid"), ("exp", "has expired"), ("iss", "issued by"),
        ]
        for (mode, words) in cases {
            try await peer.misbehave(mode)
            var browser = LoopbackBrowser(server)
            let back = try await Self.consentOIDC(&browser)
            let page = try await browser.get(back)
            #expect(page.status == 403, "\(mode): \(page.status)")
            #expect(page.text.contains(words), "\(mode): \(page.text)")
            #expect(browser.cookies["drey_reader"] == nil, "\(mode)")
        }
        try await peer.misbehave("ok")
        #expect(try await Self.readers(server).isEmpty)
        // Right again, the same provider signs in: the refusals were the tokens', not the setup's.
        var browser = LoopbackBrowser(server)
        #expect(try await browser.get(try await Self.consentOIDC(&browser)).status == 303)
    }

    @Test("an email the provider marks unverified never reaches a staff account, nor the reader", arguments: TestDatabase.allCases)
    func unverifiedEmail(_ kind: TestDatabase) async throws {
        let peer = try await IdentityPeer.start()
        defer { peer.stop() }
        let server = try await Self.serve(kind, peer)
        defer { server.stopSoon() }
        let staffBefore = try await Self.rows(server, "SELECT email, login, display_name, password_hash, active FROM users ORDER BY id")
        var browser = LoopbackBrowser(server)
        // The peer makes a user whose email is the sub itself, with email_verified false.
        let done = try await browser.get(try await Self.consentOIDC(&browser, sub: "eve@blog.test"))
        #expect(done.status == 303, "\(done.text)")
        let readers = try await Self.readers(server)
        #expect(readers.count == 1)
        #expect(readers.first?["subject"] == "eve@blog.test")
        #expect(readers.first?["email"] == "NULL", "\(readers)")
        #expect(try await Self.rows(server, "SELECT id FROM readers WHERE email = 'eve@blog.test'").isEmpty)
        #expect(try await Self.rows(server, "SELECT email, login, display_name, password_hash, active FROM users ORDER BY id") == staffBefore)
        // Eve's reader session opens nothing of Eve's staff account.
        let admin = try await browser.get("/admin/")
        #expect(admin.status == 303 && (admin.location ?? "").contains("/admin/login"))
        var staff = LoopbackBrowser(server)
        #expect(try await staff.signIn("eve@blog.test", "password-eve").status == 303)
    }

    /// Leaves drey for the website's authorization server and answers its consent form; `me` replaces the profile
    /// URL the server will answer with (a server naming someone else); returns drey's callback path.
    static func consentIndieAuth(_ browser: inout LoopbackBrowser, website: String, me: String? = nil) async throws -> String {
        let page = try await browser.get("/signin?return_to=/hello/")
        #expect(page.text.contains("action=\"\(browser.server.base)/signin/indieauth\"") && page.text.contains("name=\"website\""), "\(page.text)")
        let start = try await browser.post("/signin/indieauth", [("website", website), ("return_to", "/hello/")])
        try #require(start.status == 303, "\(start.status) \(start.text)")
        var authorize = try #require(start.location)
        #expect(authorize.contains("code_challenge_method=S256") && authorize.contains("state="))
        if let me { authorize = replacing("me", with: me, in: authorize) }
        let form = try await DreyServer.client.fetch(FetchRequest(url: authorize))
        try #require(form.status == 200, "the authorization server refused: \(form.text)")
        let consent = try await DreyServer.client.fetch(FetchRequest.form(authorize, [("action", "allow")]))
        try #require(consent.status == 302, "\(consent.status) \(consent.text)")
        return try callbackPath(consent, browser.server)
    }

    @Test(
        "a reader signs in with their website (IndieAuth); a wrong iss and a me that signs in elsewhere are refused", arguments: TestDatabase.allCases
    )
    func indieAuth(_ kind: TestDatabase) async throws {
        let peer = try await IdentityPeer.start()
        defer { peer.stop() }
        let server = try await Self.serve(kind, peer)
        defer { server.stopSoon() }
        let profile = peer.issuer + "/u/bob"

        var browser = LoopbackBrowser(server)
        let done = try await browser.get(try await Self.consentIndieAuth(&browser, website: profile))
        #expect(done.status == 303, "\(done.text)\n\(server.logText)")
        #expect(browser.cookies["drey_reader"] != nil)
        var readers = try await Self.readers(server)
        #expect(readers.count == 1)
        #expect(readers.first?["issuer"] == "indieauth" && readers.first?["subject"] == profile && readers.first?["method"] == "indieauth")
        #expect(readers.first?["email"] == "NULL")

        // The answer names an issuer other than the one the metadata gave.
        var mixedUp = LoopbackBrowser(server)
        let callback = try await Self.consentIndieAuth(&mixedUp, website: profile)
        let wrongIss = try await mixedUp.get(Self.replacing("iss", with: "http://127.0.0.1:9/", in: callback))
        #expect(wrongIss.status == 403 && wrongIss.text.contains("did not come from your website"), "\(wrongIss.text)")
        #expect(mixedUp.cookies["drey_reader"] == nil)

        // A `me` on another host whose own discovery does not lead to this authorization server.
        var impostor = LoopbackBrowser(server)
        let other = try await impostor.get(try await Self.consentIndieAuth(&impostor, website: profile, me: server.base + "/"))
        #expect(other.status == 403 && other.text.contains("Your website answered for \(server.base)/"), "\(other.text)")
        #expect(impostor.cookies["drey_reader"] == nil)

        // A `me` on another server, whose own discovery leads to that server's authorization endpoint, not this one.
        let elsewhere = try await IdentityPeer.start()
        defer { elsewhere.stop() }
        var mallory = LoopbackBrowser(server)
        let foreign = elsewhere.issuer + "/u/mallory"
        let stolen = try await mallory.get(try await Self.consentIndieAuth(&mallory, website: profile, me: foreign))
        #expect(stolen.status == 403 && stolen.text.contains("Your website answered for \(foreign), which signs in elsewhere"), "\(stolen.text)")
        #expect(mallory.cookies["drey_reader"] == nil)

        // A `me` on another host (localhost) whose discovery leads back to the same authorization endpoint is the reader's.
        let sameServer = "http://localhost:\(peer.port)/u/carol"
        var moved = LoopbackBrowser(server)
        let ok = try await moved.get(try await Self.consentIndieAuth(&moved, website: profile, me: sameServer))
        #expect(ok.status == 303, "\(ok.text)")
        readers = try await Self.readers(server)
        #expect(readers.map { $0["subject"] } == [profile, sameServer])

        // Bad input: the form comes back with what was typed.
        var typo = LoopbackBrowser(server)
        try await typo.get("/")
        let bad = try await typo.post("/signin/indieauth", [("website", "http://127.0.0.1:1/nobody")])
        #expect(bad.status == 422 && bad.text.contains("value=\"http://127.0.0.1:1/nobody\""), "\(bad.text)")
        // Switched off, the address says so.
        #expect(try await server.run(["signin", "indieauth", "off"]).status == 0)
        try await Task.sleep(for: .milliseconds(300))
        #expect(!(try await typo.get("/signin").text.contains("name=\"website\"")))
        let off = try await typo.post("/signin/indieauth", [("website", profile)])
        #expect(off.status == 404 && off.text.contains("not enabled"), "\(off.status) \(off.text)")
    }
}

/// `drey signin …` in this process: providers added, listed (never their secret), removed; methods switched.
@Suite struct SignInCommandTests {
    @Test("drey signin: oidc add, list, remove, email and indieauth on and off", arguments: TestDatabase.allCases)
    func commands(_ kind: TestDatabase) async throws {
        let location = try await kind.makeLocation()
        defer { Task { await location.cleanup() } }
        let env = location.databaseURL.map { ["DATABASE_URL": $0] } ?? [:]
        func drey(_ args: [String]) async -> CLIRun {
            await DreyCommand.run(["signin"] + args + ["--data", location.dataDirectory], environment: env)
        }
        let added = await drey([
            "oidc", "add", "Work", "--issuer", "https://id.example.com", "--client-id", "blog-1", "--client-secret", "very-secret-1",
        ])
        #expect(added.status == 0, "\(added.err)")
        #expect(added.out.contains("/signin/oidc/work/callback"))
        let list = await drey(["list"])
        #expect(list.out.contains("oidc\twork\thttps://id.example.com\tclient blog-1"), "\(list.out)")
        #expect(list.out.contains("indieauth\ton"))
        #expect(!list.out.contains("very-secret-1"))
        let badIssuer = await drey(["oidc", "add", "x", "--issuer", "ftp://nope", "--client-id", "a", "--client-secret", "b"])
        #expect(badIssuer.status != 0 && badIssuer.err.contains("issuer must be an https URL"), "\(badIssuer.err)")
        let badName = await drey(["oidc", "add", "a b", "--issuer", "https://id.example.com", "--client-id", "a", "--client-secret", "b"])
        #expect(badName.status != 0 && badName.err.contains("name"), "\(badName.err)")
        #expect(await drey(["indieauth", "off"]).status == 0)
        #expect(await drey(["list"]).out.contains("indieauth\toff"))
        if SettingKey(rawValue: "signin_email") != nil {
            #expect(await drey(["email", "off"]).status == 0)
            #expect(await drey(["list"]).out.contains("email\toff"))
            #expect(await drey(["email", "on"]).status == 0)
            #expect(await drey(["list"]).out.contains("email\ton"))
        }
        #expect(await drey(["remove", "work"]).status == 0)
        #expect(!(await drey(["list"]).out.contains("work")))
        let missing = await drey(["remove", "work"])
        #expect(missing.status != 0 && missing.err.contains("no provider called 'work'"))
    }
}
