import DreyCore
import DreyTestSupport
import Foundation
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

@Suite struct AdminAuthTests {
    @Test("sign-in with Bcrypt, HttpOnly session cookie, sign-out and sign-out everywhere", arguments: TestDatabase.allCases)
    func signInAndOut(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (_, password) = try await blog.member(.administrator, "ada")
            var browser = AdminSession(client: client)
            let anonymous = try await browser.get("/admin/posts")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.location?.contains("/admin/login?redirect_to=") == true)
            let wrong = try await browser.signIn("ada@blog.test", "not-it")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("The email address or password is not right."))
            #expect(wrong.text.contains("value=\"ada@blog.test\""))
            let ok = try await browser.signIn("ada@blog.test", password)
            #expect(ok.status == .seeOther)
            let cookie = try #require(ok.headers[.setCookie])
            #expect(cookie.contains("drey_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"))
            #expect(try await browser.get("/admin/").text.contains("Dashboard"))
            // A second browser, then sign-out everywhere ends both.
            var other = AdminSession(client: client)
            _ = try await other.signIn("ada@blog.test", password)
            #expect(try await other.get("/admin/").status == .ok)
            _ = try await browser.get("/admin/")
            _ = try await browser.post("/admin/logout-everywhere", [])
            #expect(try await other.get("/admin/").status == .seeOther)
            // Through a proxy that says HTTPS, the cookie is Secure.
            let secure = try await client.execute(
                uri: "/admin/login", method: .get, headers: [.xForwardedHost: TestBlog.host, .xForwardedProto: "https"], body: nil)
            #expect(secure.headers[.setCookie]?.contains("Secure") == true)
        }
    }

    @Test("failed sign-ins are throttled per account with a clear message", arguments: [TestDatabase.sqlite])
    func throttling(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (_, password) = try await blog.member(.author, "bob")
            var browser = AdminSession(client: client)
            for _ in 0..<AuthService.maxFailuresPerAccountAndIP { _ = try await browser.signIn("bob@blog.test", "wrong") }
            let blocked = try await browser.signIn("bob@blog.test", password)
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.text.contains("Too many failed sign-in attempts"))
        }
    }

    @Test("forms without the right CSRF token are refused, logged and change nothing", arguments: [TestDatabase.sqlite])
    func csrf(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (_, password) = try await blog.member(.administrator, "ada")
            var browser = AdminSession(client: client)
            _ = try await browser.signIn("ada@blog.test", password)
            _ = try await browser.get("/admin/settings/general")
            let forged = try await browser.post(
                "/admin/settings/general",
                [
                    ("_csrf", "forged"), ("title", "Hacked"), ("timezone", "UTC"), ("date_format", "F j, Y"), ("time_format", "g:i a"),
                    ("language", "en"),
                ], csrf: false)
            #expect(forged.status == .forbidden)
            let missing = try await browser.post("/admin/settings/general", [("title", "Hacked")], csrf: false)
            #expect(missing.status == .forbidden)
            #expect(blog.siteNow.settings.title != "Hacked")
            // The login form has its own token, tied to a cookie.
            var fresh = AdminSession(client: client)
            let noCookie = try await fresh.post("/admin/login", [("_csrf", "x"), ("email", "ada@blog.test"), ("password", password)], csrf: false)
            #expect(noCookie.status == .forbidden)
        }
    }

    @Test("password reset: single-use, expiring, and signs out other sessions", arguments: TestDatabase.allCases)
    func passwordReset(_ kind: TestDatabase) async throws {
        let sink = try await MailSink.start()
        defer { sink.stop() }
        try await TestBlog.with(kind, smtpURL: sink.url) { blog, client in
            let (ada, password) = try await blog.member(.editor, "ada")
            var old = AdminSession(client: client)
            _ = try await old.signIn("ada@blog.test", password)
            var browser = AdminSession(client: client)
            _ = try await browser.get("/admin/forgot")
            let asked = try await browser.post("/admin/forgot", [("email", "ada@blog.test")])
            #expect(asked.text.contains("a link to choose a new password is on its way"))
            let unknown = try await browser.post("/admin/forgot", [("email", "nobody@blog.test")])
            #expect(unknown.text.contains("a link to choose a new password is on its way"))
            // The workers send the link; read it as the person would, from the mail.
            #expect(await blog.drey.jobs.drain() == 2)
            let mail = try await sink.waitFor(1)
            #expect(mail.count == 1)
            let token = try #require(mail.first.flatMap(MailSink.token(in:)))
            #expect(try await browser.get("/admin/reset?token=\(token)").status == .ok)
            let mismatch = try await browser.post("/admin/reset", [("token", token), ("password", "new-password-1"), ("password2", "other")])
            #expect(mismatch.text.contains("not the same"))
            let done = try await browser.post("/admin/reset", [("token", token), ("password", "new-password-1"), ("password2", "new-password-1")])
            #expect(done.text.contains("Your password was changed"))
            #expect(try await browser.get("/admin/reset?token=\(token)").status == .gone)
            #expect(try await old.get("/admin/").status == .seeOther)
            #expect(try await browser.signIn(ada.email, "new-password-1").status == .seeOther)
            #expect(try await browser.get("/admin/reset?token=made-up-token").status == .gone)
        }
    }

    @Test("the first administrator is created only through the one-time setup link", arguments: [TestDatabase.sqlite])
    func setup(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            // The test blog's owner has no password and is the administrator; remove that role to be a fresh site.
            try await blog.drey.store.removeMembership(userID: blog.author.id, siteID: blog.site.id)
            var browser = AdminSession(client: client)
            #expect(try await browser.get("/admin/setup?token=wrong").status == .notFound)
            #expect(try await browser.get("/admin/setup?token=test-setup-token").status == .ok)
            let short = try await browser.post(
                "/admin/setup", [("token", "test-setup-token"), ("name", "Owner"), ("email", "owner@blog.test"), ("password", "short")])
            #expect(short.text.contains("at least 8 characters") && short.text.contains("value=\"owner@blog.test\""))
            _ = try await browser.post(
                "/admin/setup", [("token", "test-setup-token"), ("name", "Owner"), ("email", "owner@blog.test"), ("password", "long-enough-1")])
            #expect(try await browser.signIn("owner@blog.test", "long-enough-1").status == .seeOther)
            #expect(try await browser.get("/admin/setup?token=test-setup-token").status == .notFound)
        }
    }
}
