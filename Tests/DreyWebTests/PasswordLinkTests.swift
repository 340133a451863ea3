import DreyCore
import DreyTestSupport
import Foundation
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Reset links end with any change of the password, not only the one link that was used.
@Suite struct PasswordLinkTests {
    /// Asks for `count` links for `email` through the form and returns their tokens, read from the mail.
    static func links(_ count: Int, for email: String, _ blog: TestBlog, _ client: any TestClientProtocol, _ sink: MailSink) async throws -> [String]
    {
        var browser = AdminSession(client: client)
        let before = sink.messages.count
        for _ in 0..<count {
            _ = try await browser.get("/admin/forgot")
            _ = try await browser.post("/admin/forgot", [("email", email)])
        }
        await blog.drey.jobs.drain()
        let mail = try await sink.waitFor(before + count)
        return mail.dropFirst(before).compactMap(MailSink.token(in:))
    }

    @Test("using one reset link ends every other link of the account", arguments: TestDatabase.allCases)
    func resetEndsOlderLinks(_ kind: TestDatabase) async throws {
        let sink = try await MailSink.start()
        defer { sink.stop() }
        try await TestBlog.with(kind, smtpURL: sink.url) { blog, client in
            _ = try await blog.member(.editor, "ada")
            let tokens = try await Self.links(2, for: "ada@blog.test", blog, client, sink)
            try #require(tokens.count == 2 && tokens[0] != tokens[1])
            var browser = AdminSession(client: client)
            #expect(try await browser.get("/admin/reset?token=\(tokens[0])").status == .ok)
            let done = try await browser.post(
                "/admin/reset", [("token", tokens[1]), ("password", "new-password-1"), ("password2", "new-password-1")])
            #expect(done.text.contains("Your password was changed"))
            // The older mail no longer opens the account.
            #expect(try await browser.get("/admin/reset?token=\(tokens[0])").status == .gone)
            _ = try await browser.get("/admin/login")
            let late = try await browser.post(
                "/admin/reset", [("token", tokens[0]), ("password", "attacker-pass-1"), ("password2", "attacker-pass-1")])
            #expect(late.status == .gone)
            #expect(try await browser.signIn("ada@blog.test", "attacker-pass-1").status == .unauthorized)
            #expect(try await browser.signIn("ada@blog.test", "new-password-1").status == .seeOther)
        }
    }

    @Test("a password set with `drey user password` ends the account's reset links and sessions", arguments: TestDatabase.allCases)
    func cliPasswordEndsLinks(_ kind: TestDatabase) async throws {
        let sink = try await MailSink.start()
        defer { sink.stop() }
        try await TestBlog.with(kind, smtpURL: sink.url) { blog, client in
            let (_, password) = try await blog.member(.editor, "ada")
            var session = AdminSession(client: client)
            #expect(try await session.signIn("ada@blog.test", password).status == .seeOther)
            let tokens = try await Self.links(1, for: "ada@blog.test", blog, client, sink)
            let token = try #require(tokens.first)
            var browser = AdminSession(client: client)
            #expect(try await browser.get("/admin/reset?token=\(token)").status == .ok)
            let env = blog.location.databaseURL.map { ["DATABASE_URL": $0] } ?? [:]
            let bad = try await DreyBinary.run(
                ["user", "password", "--email", "ada@blog.test", "--password", "short"], data: blog.location.dataDirectory, env: env)
            #expect(bad.status != 0 && bad.err.contains("at least 8 characters"))
            let changed = try await DreyBinary.run(
                ["user", "password", "--email", "ada@blog.test", "--password", "from-the-cli-1"], data: blog.location.dataDirectory, env: env)
            #expect(changed.status == 0, "\(changed.err)")
            #expect(try await browser.get("/admin/reset?token=\(token)").status == .gone)
            #expect(try await session.get("/admin/").status == .seeOther)
            #expect(try await browser.signIn("ada@blog.test", "from-the-cli-1").status == .seeOther)
        }
    }
}
