import DreyCore
import DreyTestSupport
import Foundation
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Several instances on one PostgreSQL behind nginx, as `Docs/deploy.md` says to scale out.
@Suite(.serialized) struct ScaleOutTests {
    @Test(
        "two drey serve instances on one PostgreSQL behind nginx: fresh pages on both, one session for both, jobs run once, and killing one under load loses no acknowledged comment"
    )
    func twoInstancesBehindNginx() async throws {
        guard TestDatabase.allCases.contains(.postgres) else {
            Issue.record("scaling out needs PostgreSQL: set DREY_TEST_POSTGRES_URL (scripts/test.sh does)")
            return
        }
        let sink = try await MailSink.start()
        defer { sink.stop() }
        let env = ["DREY_SMTP_URL": sink.url]
        let serve = ["--trusted-proxy", "127.0.0.1/32"]
        let first = try await DreyServer.start(.postgres, serveArguments: serve, homeURL: false, environment: env) { data, env, _ in
            for args in OpsTests.openComments { try DreyBinary.run(args, data: data, env: env) }
            try DreyBinary.run(["site", "set", "comment_moderation", "1"], data: data, env: env)
            try DreyBinary.run(
                ["user", "add", "--email", "sam@example.org", "--name", "Sam", "--role", "administrator", "--password", "correct-horse-9"],
                data: data, env: env)
            let file = try LinkbackPeerTests.writeFile("Hello from two instances.")
            try DreyBinary.run(["post", "new", "--title", "Hello", "--file", file, "--date", "2008-01-27T00:04:00Z"], data: data, env: env)
        }
        defer { first.stopSoon() }
        let second = try await DreyServer.another(on: first, serveArguments: serve, environment: env)
        defer { second.stopSoon() }
        let nginx = try await DeployTests.Nginx(upstreams: [first.port, second.port])
        defer { nginx.stop() }
        #expect(try await first.run(["site", "set", "home_url", nginx.base]).status == 0)
        let postURL = nginx.base + "/2008/01/27/hello/"

        // Both instances answer (round-robin) and cache the post.
        for _ in 0..<4 { #expect(try await nginx.curl(["-o", "/dev/null", "-w", "%{http_code}", postURL]).out == "200") }
        for server in [first, second] {
            let cached = try await Self.direct(server, nginx, "/2008/01/27/hello/", ["-o", "/dev/null", "-D", "-"])
            #expect(DeployTests.headers(cached).contains { $0.0 == "x-drey-cache" && $0.1 == "HIT" }, "\(cached)")
        }

        // A held comment, sent through nginx.
        let page = try await nginx.curl([postURL])
        let comment = try await Self.comment(nginx, page: page.out, postURL: postURL, text: "Held, then approved.")
        #expect(comment == "303")
        let held = try await first.jsonLines(["comment", "list", "--status", "pending", "--json"])
        let heldID = try #require(held.first?["id"] as? Int)

        // Signed in through one instance, the session works on both; the approval made on one is seen by the other at once.
        let jar = nginx.folder.appendingPathComponent("cookies.txt").path
        let form = try await nginx.curl(["-c", jar, "-b", jar, nginx.base + "/admin/login"])
        let signIn = try await nginx.curl(
            [
                "-c", jar, "-b", jar, "-o", "/dev/null", "-w", "%{http_code}", "--data-urlencode", "_csrf=\(try Self.csrf(form.out))",
                "--data-urlencode", "email=sam@example.org", "--data-urlencode", "password=correct-horse-9", nginx.base + "/admin/login",
            ])
        #expect(signIn.out == "303")
        var csrf = ""
        for _ in 0..<2 {
            let queue = try await nginx.curl(["-b", jar, "-w", "\n%{http_code}", nginx.base + "/admin/comments?status=pending"])
            #expect(queue.out.hasSuffix("\n200"), "a signed-in request answered \(queue.out.suffix(3))")
            csrf = try Self.csrf(queue.out)
        }
        let approve = try await nginx.curl(
            [
                "-b", jar, "-o", "/dev/null", "-w", "%{http_code}", "--data-urlencode", "_csrf=\(csrf)", "--data-urlencode",
                "do=approve:\(heldID)", "--data-urlencode", "from=pending", nginx.base + "/admin/comments",
            ])
        #expect(approve.out == "303")
        for server in [first, second] {
            let shown = try await Self.direct(server, nginx, "/2008/01/27/hello/")
            #expect(shown.contains("Held, then approved."), "an instance served a stale page")
        }

        // Mail goes out as jobs: each reset asked through either instance is sent once, by one worker.
        for _ in 0..<4 {
            let forgot = try await nginx.curl(["-c", jar, "-b", jar, nginx.base + "/admin/forgot"])
            _ = try await nginx.curl(
                [
                    "-c", jar, "-b", jar, "-o", "/dev/null", "--data-urlencode", "_csrf=\(try Self.csrf(forgot.out))", "--data-urlencode",
                    "email=sam@example.org", nginx.base + "/admin/forgot",
                ])
        }
        let sent = try await first.waitUntil(timeout: 30) {
            try await first.jsonLines(["jobs", "list", "--kind", "mail", "--json"]).filter { $0["state"] as? String == "done" }.count >= 3
        }
        #expect(sent)
        try await Task.sleep(for: .seconds(2))
        let mailJobs = try await first.jsonLines(["jobs", "list", "--kind", "mail", "--json"])
        #expect(mailJobs.allSatisfy { $0["attempts"] as? Int == 1 }, "\(mailJobs)")
        #expect(sink.messages.count == mailJobs.filter { $0["state"] as? String == "done" }.count)

        // Comments under load through nginx; one instance is killed in the middle. Every comment acknowledged (303) is
        // stored; those sent to the dead instance get an error from nginx and were never acknowledged.
        // Readers arrive every 50 ms; once a few comments are acknowledged the second instance is killed (SIGKILL),
        // with requests in flight on it, and a few more readers come after.
        let acknowledgedSoFar = Locked(0)
        let killed = Locked(false)
        func send(_ text: String) async throws -> (String, String, Bool) {
            // Each reader loads the page (a form token of their own) and sends the form.
            let page = try await nginx.curl([postURL]).out
            let status = try await Self.comment(nginx, page: page, postURL: postURL, text: text)
            let beforeKill = !killed.current
            if status == "303" { acknowledgedSoFar.withLock { $0 += 1 } }
            return (text, status, beforeKill)
        }
        var results = try await withThrowingTaskGroup(of: (String, String, Bool).self) { group in
            group.addTask {
                for _ in 0..<600 where acknowledgedSoFar.current < 5 { try await Task.sleep(for: .milliseconds(100)) }
                killed.withLock { $0 = true }
                kill(second.process.processIdentifier, SIGKILL)
                return ("", "kill", false)
            }
            for n in 0..<40 {
                group.addTask {
                    try await Task.sleep(for: .milliseconds(50 * n))
                    return try await send("Under load \(n)")
                }
            }
            var all: [(String, String, Bool)] = []
            for try await result in group where result.1 != "kill" { all.append(result) }
            return all
        }
        for n in 0..<5 { results.append(try await send("After the kill \(n)")) }
        let acknowledged = results.filter { $0.1 == "303" }.map(\.0)
        #expect(results.contains { $0.1 == "303" && $0.2 }, "nothing was acknowledged before the kill: \(results)")
        #expect(results.suffix(5).allSatisfy { $0.1 == "303" && !$0.2 }, "after the kill: \(results.suffix(5))")
        #expect(acknowledged.count >= 30, "\(results)")
        let stored = Set(
            try await first.jsonLines([
                "comment", "list", "--json", "--limit", "500", "--status", "pending", "--status", "approved", "--status", "spam",
            ]).compactMap { $0["text"] as? String })
        let lost = acknowledged.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "acknowledged but not stored: \(lost)")
    }

    /// Sends the post's comment form through nginx as a reader; returns the HTTP status.
    static func comment(_ nginx: DeployTests.Nginx, page: String, postURL: String, text: String) async throws -> String {
        let token = try #require(SpamTest.token(in: page))
        let postID = try #require(page.range(of: "name=\"comment_post_ID\" value=\"").map { page[$0.upperBound...].prefix { $0 != "\"" } })
        let fields = [
            ("comment_post_ID", String(postID)), ("comment_parent", "0"), ("author", "Reader"), ("email", "reader@example.org"),
            ("url", ""), ("comment", text), ("hp_website", ""), ("drey_token", token),
        ]
        let sent = try await nginx.curl(
            ["-o", "/dev/null", "-w", "%{http_code}"] + fields.flatMap { ["--data-urlencode", "\($0.0)=\($0.1)"] }
                + [nginx.base + "/wp-comments-post.php"])
        return sent.out
    }

    /// A request to one instance itself, as nginx sends it (the blog's host, HTTPS, from the trusted proxy).
    static func direct(_ server: DreyServer, _ nginx: DeployTests.Nginx, _ path: String, _ options: [String] = []) async throws -> String {
        let host = "blog.example.org:\(nginx.https)"
        return try await DeployTests.run(
            "curl",
            ["-sS", "-H", "X-Forwarded-Host: \(host)", "-H", "X-Forwarded-Proto: https"] + options + ["http://127.0.0.1:\(server.port)\(path)"]
        ).out
    }

    static func csrf(_ html: String) throws -> String {
        let start = try #require(html.range(of: "name=\"_csrf\" value=\""))
        return String(html[start.upperBound...].prefix { $0 != "\"" })
    }
}
