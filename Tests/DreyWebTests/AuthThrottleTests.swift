import DreyCore
import DreyStore
import DreyTestSupport
import Foundation
import SQLKit
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Sign-in and "forgot password" as an attacker meets them through a proxy on this machine:
/// each request's address comes from the `X-Forwarded-For` the proxy adds.
@Suite struct AuthThrottleTests {
    static func from(_ server: DreyServer, _ ip: String) -> LoopbackBrowser {
        LoopbackBrowser(server, headers: [("X-Forwarded-For", ip)])
    }

    static func count(_ table: String, _ server: DreyServer) async throws -> Int {
        let database = try await Database.open(
            sqlitePath: (server.data as NSString).appendingPathComponent("drey.sqlite"), url: server.location.databaseURL,
            logger: TestBlog.quietLogger)
        let n = try await database.withSQL { db in
            try await db.raw("SELECT count(*) AS n FROM \(unsafeRaw: table)").first(decodingColumn: "n", as: Int.self) ?? 0
        }
        await database.close()
        return n
    }

    @Test("forgot password does the same for known and unknown addresses: one queued job, no reset row yet", arguments: TestDatabase.allCases)
    func sameWork(_ kind: TestDatabase) async throws {
        let sink = try await MailSink.start()
        defer { sink.stop() }
        let server = try await DreyServer.start(kind, serveArguments: ["--workers", "0"], environment: ["DREY_SMTP_URL": sink.url]) { data, env, _ in
            try DreyBinary.run(
                ["user", "add", "--email", "ada@blog.test", "--name", "Ada", "--role", "editor", "--password", "password-ada"], data: data, env: env)
        }
        defer { server.stopSoon() }
        var browser = LoopbackBrowser(server)
        let known = try await browser.forgot("ada@blog.test")
        let unknown = try await browser.forgot("nobody@blog.test")
        #expect(known.status == 200 && unknown.status == 200)
        #expect(known.text == unknown.text)
        // The request only queues; the lookup, the link and the mail happen in the job.
        let jobs = try await server.jsonLines(["jobs", "list", "--kind", "mail", "--json"])
        #expect(jobs.count == 2 && jobs.allSatisfy { $0["state"] as? String == "queued" })
        #expect(try await Self.count("password_resets", server) == 0)
        let ran = try await DreyBinary.run(["jobs", "run"], data: server.data, env: server.env.merging(["DREY_SMTP_URL": sink.url]) { $1 })
        #expect(ran.out.contains("ran 2 job(s)"), "\(ran.err)")
        #expect(try await sink.waitFor(1).count == 1)
        try await Task.sleep(for: .milliseconds(500))
        #expect(sink.messages.count == 1 && sink.messages[0].contains("To: ada@blog.test"))
        #expect(try await Self.count("password_resets", server) == 1)
    }

    @Test("forgot password is limited per address and per client address, alike for unknown addresses", arguments: TestDatabase.allCases)
    func forgotLimits(_ kind: TestDatabase) async throws {
        let server = try await DreyServer.start(kind, serveArguments: ["--workers", "0"]) { data, env, _ in
            try DreyBinary.run(
                ["user", "add", "--email", "ada@blog.test", "--name", "Ada", "--role", "editor", "--password", "password-ada"], data: data, env: env)
        }
        defer { server.stopSoon() }
        for address in ["ada@blog.test", "nobody@blog.test"] {
            for n in 0..<AuthService.maxResetsPerAddress {
                var browser = Self.from(server, "203.0.113.\(n + 1)")
                #expect(try await browser.forgot(address).status == 200)
            }
            var late = Self.from(server, "198.51.100.1")
            let refused = try await late.forgot(address)
            #expect(refused.status == 429)
            #expect(refused.text.contains("Too many requests for a new password"))
        }
        var one = Self.from(server, "192.0.2.50")
        for n in 0..<(AuthService.maxResetsPerIP - 0) {
            #expect(try await one.forgot("someone\(n)@blog.test").status == 200)
        }
        let refused = try await one.forgot("another@blog.test")
        #expect(refused.status == 429)
        #expect(refused.text.contains("value=\"another@blog.test\""))
        // Only the requests that were answered 200 were queued.
        let jobs = try await server.jsonLines(["jobs", "list", "--kind", "mail", "--json", "--limit", "100"])
        #expect(jobs.count == 2 * AuthService.maxResetsPerAddress + AuthService.maxResetsPerIP)
    }

    @Test("strangers' failed sign-ins from many addresses do not lock the owner out", arguments: TestDatabase.allCases)
    func noLockout(_ kind: TestDatabase) async throws {
        let server = try await DreyServer.start(kind) { data, env, _ in
            try DreyBinary.run(
                ["user", "add", "--email", "ada@blog.test", "--name", "Ada", "--role", "administrator", "--password", "the-right-one"], data: data,
                env: env)
            try DreyBinary.run(
                ["user", "add", "--email", "bob@blog.test", "--name", "Bob", "--role", "author", "--password", "bobs-password"], data: data, env: env)
        }
        defer { server.stopSoon() }
        // Twice the old lockout (5 failures for the account from anywhere); each guess past 5 waits longer.
        for n in 0..<10 {
            var stranger = Self.from(server, "203.0.113.\(n + 1)")
            let wrong = try await stranger.signIn("ada@blog.test", "guess-\(n)")
            #expect(wrong.status == 401)
        }
        var owner = Self.from(server, "198.51.100.7")
        let started = Date()
        let signedIn = try await owner.signIn("ada@blog.test", "the-right-one")
        #expect(signedIn.status == 303, "the owner was refused: \(signedIn.status)")
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(try await owner.get("/admin/").status == 200)
        // One address guessing one account is stopped, and only for that account.
        var guesser = Self.from(server, "203.0.113.200")
        for _ in 0..<AuthService.maxFailuresPerAccountAndIP { _ = try await guesser.signIn("bob@blog.test", "wrong") }
        let stopped = try await guesser.signIn("bob@blog.test", "bobs-password")
        #expect(stopped.status == 429)
        #expect(stopped.text.contains("Too many failed sign-in attempts"))
        var bob = Self.from(server, "198.51.100.8")
        #expect(try await bob.signIn("bob@blog.test", "bobs-password").status == 303)
        // One address guessing many accounts is stopped for all of them.
        var sprayer = Self.from(server, "203.0.113.201")
        for n in 0..<AuthService.maxFailuresPerIP { _ = try await sprayer.signIn("user\(n)@blog.test", "wrong") }
        #expect(try await sprayer.signIn("bob@blog.test", "bobs-password").status == 429)
    }
}
