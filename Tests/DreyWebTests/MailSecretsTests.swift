import DreyCore
import DreyStore
import DreyTestSupport
import Foundation
import HummingbirdTesting
import SQLKit
import Testing

@testable import DreyApp
@testable import DreyWeb

/// What the jobs table keeps: no reset link, no mail text on an operator's terminal, nothing forever.
@Suite struct MailSecretsTests {
    @Test("a reset link is in the mail only: not in the jobs table, not in `drey jobs list`", arguments: TestDatabase.allCases)
    func noLinkInJobs(_ kind: TestDatabase) async throws {
        let sink = try await MailSink.start()
        defer { sink.stop() }
        try await TestBlog.with(kind, smtpURL: sink.url) { blog, client in
            _ = try await blog.member(.editor, "ada")
            var browser = AdminSession(client: client)
            _ = try await browser.get("/admin/forgot")
            _ = try await browser.post("/admin/forgot", [("email", "ada@blog.test")])
            try await blog.drey.mail.enqueue(to: "reader@example.org", subject: "Hello", body: "private words for one reader", siteID: blog.site.id)
            // Listed while queued, and again once sent.
            let env = blog.location.databaseURL.map { ["DATABASE_URL": $0] } ?? [:]
            let queued = try await DreyBinary.run(["jobs", "list"], data: blog.location.dataDirectory, env: env)
            #expect(queued.out.contains("mail") && !queued.out.contains("private words"))
            #expect(await blog.drey.jobs.drain() == 2)
            let mail = try await sink.waitFor(2)
            let token = try #require(mail.compactMap(MailSink.token(in:)).first)
            #expect(mail.contains { $0.contains("private words for one reader") })
            let stored = try await blog.drey.database.withSQL { db in
                try await db.raw("SELECT payload, last_error FROM jobs").all().map {
                    try $0.decode(column: "payload", as: String.self) + (try $0.decode(column: "last_error", as: String.self))
                }
            }
            #expect(stored.count == 2)
            #expect(!stored.joined().contains(token) && !stored.joined().contains("token="))
            let resets = try await blog.drey.database.withSQL { db in
                try await db.raw("SELECT id FROM password_resets").all().map { try $0.decode(column: "id", as: String.self) }
            }
            #expect(resets == [AuthService.hash(token)])
            for args in [["jobs", "list"], ["jobs", "list", "--json"], ["jobs", "list", "--kind", "mail", "--state", "done"]] {
                let listed = try await DreyBinary.run(args, data: blog.location.dataDirectory, env: env)
                #expect(listed.status == 0)
                #expect(listed.out.contains("mail"))
                #expect(!listed.out.contains(token) && !listed.out.contains("token="))
                #expect(!listed.out.contains("private words"))
                #expect(listed.out.contains("28 characters"))
            }
        }
    }

    @Test("drey serve deletes finished jobs after a week, failed ones after 30 days, sign-in records after a day", arguments: TestDatabase.allCases)
    func pruning(_ kind: TestDatabase) async throws {
        let day: TimeInterval = 86400
        let now = Date()
        // (state, age in days, kept?)
        let cases: [(JobState, Double, Bool)] = [
            (.done, 8, false), (.cancelled, 8, false), (.failed, 31, false),
            (.done, 1, true), (.failed, 8, true), (.queued, 40, true),
        ]
        let server = try await DreyServer.start(
            kind,
            prepare: { location in
                let database = try await Database.open(
                    sqlitePath: (location.dataDirectory as NSString).appendingPathComponent("drey.sqlite"), url: location.databaseURL,
                    logger: TestBlog.quietLogger)
                let store = SQLStore(database: database)
                for (n, (state, age, _)) in cases.enumerated() {
                    // Far in the future, so the server's workers leave the queued one alone.
                    let job = try #require(
                        try await store.enqueue(NewJob(kind: "test.aged\(n)", payload: "{}", siteID: nil, runAt: now.addingTimeInterval(365 * day))))
                    let at = now.addingTimeInterval(-age * day)
                    try await database.withSQL { db in
                        try await db.update("jobs").set("state", to: SQLBind(state.rawValue)).set("updated_at", to: SQLBind(at))
                            .where("id", .equal, SQLBind(job.id)).run()
                    }
                }
                try await store.recordLoginFailure(keys: ["ip:203.0.113.9", "reset-email:old@blog.test"], at: now.addingTimeInterval(-2 * day))
                try await store.recordLoginFailure(keys: ["ip:203.0.113.10"], at: now.addingTimeInterval(-600))
                await database.close()
            }, setup: { _, _, _ in })
        defer { server.stopSoon() }
        let expected = Set(cases.enumerated().filter { $0.element.2 }.map { "test.aged\($0.offset)" })
        let pruned = try await server.waitUntil(timeout: 20) {
            Set(try await server.jsonLines(["jobs", "list", "--json"]).compactMap { $0["kind"] as? String }) == expected
        }
        let left = try await server.jsonLines(["jobs", "list", "--json"]).compactMap { $0["kind"] as? String }
        #expect(pruned, "left: \(left)")
        let database = try await Database.open(
            sqlitePath: (server.data as NSString).appendingPathComponent("drey.sqlite"), url: server.location.databaseURL,
            logger: TestBlog.quietLogger)
        let keys = try await database.withSQL { db in
            try await db.raw("SELECT key FROM login_failures").all().map { try $0.decode(column: "key", as: String.self) }
        }
        await database.close()
        #expect(keys == ["ip:203.0.113.10"])
    }
}
