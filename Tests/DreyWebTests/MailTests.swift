import DreyCore
import DreyTestSupport
import Foundation
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Mail through the real path: a form or the admin queues a `mail` job, the workers of `drey serve`
/// claim it and hand it to an SMTP server on loopback.
@Suite(.serialized) struct MailTests {
    static func mailJobs(_ server: DreyServer) async throws -> [[String: Any]] {
        try await server.jsonLines(["jobs", "list", "--kind", "mail", "--json"])
    }

    @Test("a reset asked through the form is sent by drey serve's workers to the SMTP relay, once", arguments: TestDatabase.allCases)
    func resetThroughWorkers(_ kind: TestDatabase) async throws {
        let sink = try await MailSink.start()
        defer { sink.stop() }
        let server = try await DreyServer.start(kind, environment: ["DREY_SMTP_URL": sink.url, "DREY_MAIL_FROM": "blog@blog.test"]) { data, env, _ in
            try DreyBinary.run(
                ["user", "add", "--email", "ada@blog.test", "--name", "Ada", "--role", "editor", "--password", "old-password-1"], data: data,
                env: env)
        }
        defer { server.stopSoon() }
        var browser = LoopbackBrowser(server)
        let asked = try await browser.forgot("ada@blog.test")
        #expect(asked.status == 200)
        #expect(asked.text.contains("a link to choose a new password is on its way"))
        let unknown = try await browser.forgot("nobody@blog.test")
        #expect(unknown.text.contains("a link to choose a new password is on its way"))
        let received = try await sink.waitFor(1)
        try #require(received.count == 1, "no mail arrived; serve log:\n\(server.logText)")
        let message = received[0]
        #expect(message.contains("To: ada@blog.test"))
        #expect(message.contains("From: blog@blog.test"))
        #expect(message.contains("Subject: [") && message.contains("Password reset"))
        let token = try #require(MailSink.token(in: message))
        #expect(message.contains("\(server.base)/admin/reset?token=\(token)"))
        // Both requests are jobs that ran once and are done; the unknown address sent nothing.
        #expect(try await server.waitUntil(timeout: 20) { try await Self.mailJobs(server).filter { $0["state"] as? String == "done" }.count == 2 })
        let jobs = try await Self.mailJobs(server)
        #expect(jobs.count == 2 && jobs.allSatisfy { $0["attempts"] as? Int == 1 })
        #expect(sink.messages.count == 1)
        // The link works.
        #expect(try await browser.get("/admin/reset?token=\(token)").status == 200)
        let done = try await browser.post("/admin/reset", [("token", token), ("password", "new-password-1"), ("password2", "new-password-1")])
        #expect(done.text.contains("Your password was changed"))
        #expect(try await browser.signIn("ada@blog.test", "new-password-1").status == 303)
    }

    @Test("two drey serve instances on one PostgreSQL send exactly one message per reset")
    func twoInstances() async throws {
        let sink = try await MailSink.start()
        defer { sink.stop() }
        let people = (1...8).map { "person\($0)@blog.test" }
        let env = ["DREY_SMTP_URL": sink.url]
        let first = try await DreyServer.start(.postgres, environment: env) { data, env, _ in
            for p in people {
                try DreyBinary.run(
                    ["user", "add", "--email", p, "--name", "P", "--role", "author", "--password", "password-123"], data: data, env: env)
            }
        }
        defer { first.stopSoon() }
        let second = try await DreyServer.another(on: first, environment: env)
        defer { second.stopSoon() }
        for (n, p) in people.enumerated() {
            var browser = LoopbackBrowser(n.isMultiple(of: 2) ? first : second)
            #expect(try await browser.forgot(p).status == 200)
        }
        #expect(
            try await first.waitUntil(timeout: 30) {
                try await Self.mailJobs(first).filter { $0["state"] as? String == "done" }.count == people.count
            })
        try await Task.sleep(for: .seconds(2))
        let received = sink.messages
        let recipients = received.compactMap { m in people.first { m.contains("To: \($0)\r\n") || m.contains("To: \($0)\n") } }
        #expect(received.count == people.count, "\(received.count) messages for \(people.count) resets")
        #expect(Set(recipients) == Set(people))
        #expect(try await Self.mailJobs(first).allSatisfy { $0["attempts"] as? Int == 1 })
    }

    @Test("mail the relay defers is retried with backoff; mail it refuses fails and shows on the dashboard", arguments: TestDatabase.allCases)
    func retriesAndFailures(_ kind: TestDatabase) async throws {
        let sink = try await MailSink.start(deferring: 1, rejecting: ["bounce@blog.test"])
        defer { sink.stop() }
        let server = try await DreyServer.start(kind, serveArguments: ["--job-backoff", "0.5"], environment: ["DREY_SMTP_URL": sink.url]) {
            data, env, _ in
            try DreyBinary.run(
                ["user", "add", "--email", "ada@blog.test", "--name", "Ada", "--role", "administrator", "--password", "ada-password-1"],
                data: data, env: env)
            try DreyBinary.run(["user", "add", "--email", "bounce@blog.test", "--name", "B", "--role", "author"], data: data, env: env)
        }
        defer { server.stopSoon() }
        var browser = LoopbackBrowser(server)
        try await browser.forgot("ada@blog.test")
        let received = try await sink.waitFor(1)
        try #require(received.count == 1, "the deferred mail was not sent again; serve log:\n\(server.logText)")
        #expect(try await server.waitUntil(timeout: 10) { try await Self.mailJobs(server).first?["state"] as? String == "done" })
        #expect(try await Self.mailJobs(server).first?["attempts"] as? Int == 2)
        try await browser.forgot("bounce@blog.test")
        #expect(try await server.waitUntil(timeout: 10) { try await Self.mailJobs(server).contains { $0["state"] as? String == "failed" } })
        let failed = try #require(try await Self.mailJobs(server).first { $0["state"] as? String == "failed" })
        #expect(failed["attempts"] as? Int == 1)
        #expect((failed["last_error"] as? String)?.contains("550") == true)
        // The administrator sees it.
        #expect(try await browser.signIn("ada@blog.test", "ada-password-1").status == 303)
        let dashboard = try await browser.get("/admin/")
        #expect(dashboard.text.contains("Mail not sent"))
        #expect(dashboard.text.contains("<b>1</b> message (password links, invitations) could not be sent"))
        #expect(dashboard.text.contains("550"))
    }

    @Test("a relay that never answers holds the mail workers only, not the site", arguments: TestDatabase.allCases)
    func hungRelay(_ kind: TestDatabase) async throws {
        let sink = try await MailSink.start(stalling: true)
        defer { sink.stop() }
        let server = try await DreyServer.start(kind, serveArguments: ["--no-cache"], environment: ["DREY_SMTP_URL": sink.url]) { data, env, _ in
            for name in ["ada", "bob", "cy"] {
                try DreyBinary.run(["user", "add", "--email", "\(name)@blog.test", "--name", name, "--role", "author"], data: data, env: env)
            }
            let file = (data as NSString).appendingPathComponent("post.md")
            try "Served from the database.".write(toFile: file, atomically: true, encoding: .utf8)
            let made = try DreyBinary.run(
                ["post", "new", "--title", "Still here", "--file", file, "--author", "ada@blog.test"], data: data, env: env)
            #expect(made.status == 0, "\(made.err)")
        }
        defer { server.stopSoon() }
        var browser = LoopbackBrowser(server)
        for name in ["ada", "bob", "cy"] { try await browser.forgot("\(name)@blog.test") }
        // Both workers now wait on the silent relay (for its 15 s timeout); pages are read from the database meanwhile.
        #expect(try await server.waitUntil(timeout: 10) { try await Self.mailJobs(server).filter { $0["state"] as? String == "running" }.count == 2 })
        for _ in 0..<5 {
            let started = Date()
            let page = try await server.get("/")
            #expect(page.status == 200 && String(decoding: page.body, as: UTF8.self).contains("Still here"))
            #expect(Date().timeIntervalSince(started) < 2, "a page took \(Date().timeIntervalSince(started)) s while mail was stuck")
        }
    }

    @Test("a notice and an invitation go out through the workers; dots are stuffed, injected headers refused", arguments: TestDatabase.allCases)
    func noticesAndInvitations(_ kind: TestDatabase) async throws {
        let sink = try await MailSink.start()
        defer { sink.stop() }
        try await TestBlog.with(kind, smtpURL: sink.url) { blog, client in
            let (_, password) = try await blog.member(.administrator, "ada")
            var admin = AdminSession(client: client)
            _ = try await admin.signIn("ada@blog.test", password)
            _ = try await admin.get("/admin/users")
            let invited = try await admin.post(
                "/admin/users", [("action", "invite"), ("email", "new@blog.test"), ("name", "New"), ("role", "author")])
            #expect(invited.status == .seeOther)
            try await blog.drey.mail.enqueue(to: "reader@example.org", subject: "Hello", body: "Line one\n.starts with a dot", siteID: blog.site.id)
            await #expect(throws: SettingError.self) {
                try await blog.drey.mail.enqueue(to: "evil@example.org\r\nBcc: victim@example.org", subject: "x", body: "y", siteID: nil)
            }
            #expect(await blog.drey.jobs.drain() == 2)
            let received = try await sink.waitFor(2)
            #expect(received.count == 2)
            let invitation = try #require(received.first { $0.contains("To: new@blog.test") })
            #expect(invitation.contains("You are invited"))
            let token = try #require(MailSink.token(in: invitation))
            #expect(try await client.get("/admin/reset?token=\(token)").status == .ok)
            let notice = try #require(received.first { $0.contains("To: reader@example.org") })
            #expect(notice.contains("Subject: Hello"))
            #expect(notice.contains("\n.starts with a dot"))
            #expect(!received.joined().contains("victim"))
        }
    }

    @Test(
        "moderators are told of a held comment and the post's author of an approved one, once each; nobody of their own comment; the settings turn both off",
        arguments: TestDatabase.allCases)
    func commentNotices(_ kind: TestDatabase) async throws {
        let sink = try await MailSink.start()
        defer { sink.stop() }
        try await TestBlog.with(kind, smtpURL: sink.url) { blog, _ in
            _ = try await blog.member(.editor, "ed")
            _ = try await blog.member(.author, "al")
            let post = try await blog.post("Noticed")
            // Held: the moderators (the administrator who wrote the post, the editor) are told; the author role is not.
            let held = try await blog.comment(post, "Please let me in", by: "Guest", email: "guest@example.org", status: .pending)
            _ = await blog.drey.jobs.drain()
            let moderation = try await sink.waitFor(2)
            #expect(moderation.count == 2)
            #expect(Set(moderation.compactMap { m in ["korakious@blog.test", "ed@blog.test"].first { m.contains("To: \($0)") } }).count == 2)
            for message in moderation {
                #expect(message.contains("Please moderate:") && message.contains("Please let me in"), "\(message)")
                #expect(message.contains("/admin/comments?status=pending") && message.contains("/2008/01/27/noticed/"), "\(message)")
            }
            // Approved: the post's author is told, once.
            _ = try await blog.drey.comments.setStatus(.approved, commentID: held.id)
            _ = await blog.drey.jobs.drain()
            let approved = try await sink.waitFor(3)
            #expect(approved.count == 3)
            let notice = try #require(approved.last)
            #expect(notice.contains("To: korakious@blog.test") && notice.contains("Comment:") && notice.contains("/2008/01/27/noticed/#comments"))
            // Approving again, the author's own comment, and spam tell nobody.
            _ = try await blog.drey.comments.setStatus(.approved, commentID: held.id)
            try await blog.comment(post, "Thanks for reading", by: "korakious", email: "korakious@blog.test")
            try await blog.comment(post, "Buy now", by: "Spam", email: "spam@example.org", status: .spam)
            _ = await blog.drey.jobs.drain()
            // With both settings off, a held comment and an approval mail nobody.
            try await blog.drey.siteService.set([.moderationNotify: "0", .commentsNotify: "0"], siteID: blog.site.id)
            let quiet = try await blog.comment(post, "Quietly held", by: "Guest", email: "guest@example.org", status: .pending)
            _ = try await blog.drey.comments.setStatus(.approved, commentID: quiet.id)
            _ = await blog.drey.jobs.drain()
            try await Task.sleep(for: .milliseconds(500))
            #expect(sink.messages.count == 3, "\(sink.messages.suffix(2))")
        }
    }
}
