import DreyCore
import DreyTestSupport
import Foundation
import Testing

/// Drey against real peers: Python's xmlrpc.client, and two `drey serve` processes talking to each other on loopback.
@Suite(.serialized) struct LinkbackPeerTests {
    static func writeFile(_ text: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("post-\(UUID()).md")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// Runs `body`, then stops every server whatever happened: no `drey serve` outlives its test.
    static func stopping(_ servers: [DreyServer], _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            // What each server was doing when the test failed: a failure seen once in a loaded run can then be read.
            let states = servers.map { $0.stateForFailure() }
            for server in servers { await server.stop() }
            throw ServersFailed(error: error, states: states)
        }
        for server in servers { await server.stop() }
    }

    /// A test's error with its servers' states (running or not, the end of their logs).
    struct ServersFailed: Error, CustomStringConvertible {
        let error: any Error
        let states: [String]
        var description: String { "\(error)\n" + states.joined(separator: "\n") }
    }

    static func python(_ args: [String]) async throws -> [String: Any] {
        let run = try await offThread { try PythonCheck.run("pingback_client.py", arguments: args) }
        return (try? JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]) ?? ["output": run.output]
    }

    @Test("Python's xmlrpc.client pings a running Drey and gets WordPress's answers")
    func pythonClient() async throws {
        let server = try await DreyServer.start(.sqlite, serveArguments: ["--allow-fetch", "127.0.0.1"]) { data, env, _ in
            try DreyBinary.run(["user", "add", "--email", "b@example.org", "--name", "Bea", "--role", "administrator"], data: data, env: env)
            try DreyBinary.run(
                ["post", "new", "--title", "Target post", "--file", try Self.writeFile("Ping me."), "--date", "2024-05-01 10:00"],
                data: data, env: env)
        }
        let target = server.base + "/2024/05/01/target-post/"
        try await Self.stopping([server]) {
            try await FixtureServer.with({ request, _ in
                switch request.path {
                case "/linking": return .html("<title>A Python-pinged page</title><p>See <a href=\"\(target)\">this post</a> now.</p>")
                case "/not-linking": return .html("<title>Nothing</title><p>No link.</p>")
                default: return .status(404)
                }
            }) { fixture in
                let endpoint = server.base + "/xmlrpc.php"
                let ok = try await Self.python([endpoint, "pingback.ping", fixture.base + "/linking", target])
                #expect(ok["result"] as? String == "Pingback from \(fixture.base)/linking to \(target) registered. Keep the web talking! :-)")
                #expect(try await Self.python([endpoint, "pingback.ping", fixture.base + "/linking", target])["fault"] as? Int == 48)
                #expect(try await Self.python([endpoint, "pingback.ping", fixture.base + "/not-linking", target])["fault"] as? Int == 17)
                #expect(
                    try await Self.python([endpoint, "pingback.ping", fixture.base + "/linking", server.base + "/nothing/"])["fault"] as? Int == 33)
                #expect(try await Self.python([endpoint, "pingback.ping", "http://127.0.0.1:1/", target])["fault"] as? Int == 16)
                let methods = try await Self.python([endpoint, "system.listMethods"])["result"] as? [String]
                #expect(methods?.contains("pingback.extensions.getPingbacks") == true)
                let pending = try await server.jsonLines(["comment", "list", "--status", "pending", "--json"])
                #expect(pending.count == 1)
                #expect(pending.first?["type"] as? String == "pingback")
                #expect(pending.first?["author"] as? String == "A Python-pinged page")
            }
        }
    }

    @Test("with --workers 0 the server serves and leaves the jobs to another instance or `drey jobs run`")
    func noWorkers() async throws {
        let server = try await DreyServer.start(.sqlite, serveArguments: ["--workers", "0"]) { data, env, _ in
            try DreyBinary.run(["user", "add", "--email", "z@example.org", "--name", "Zed", "--role", "administrator"], data: data, env: env)
            // The linkback jobs alone are counted: with follows on, a post also queues its follow job.
            try DreyBinary.run(["site", "set", "follows_enabled", "0"], data: data, env: env)
        }
        try await Self.stopping([server]) {
            #expect(try await server.run(["post", "new", "--title", "Out", "--file", try Self.writeFile("[x](http://127.0.0.1:9/)")]).status == 0)
            try await Task.sleep(for: .seconds(2))
            #expect(try await server.get("/").status == 200)
            #expect(try await server.jsonLines(["jobs", "list", "--state", "queued", "--json"]).count == 1)
            #expect(try await server.run(["jobs", "run"]).out == "ran 2 job(s)\n")
        }
    }

    @Test(
        "two Drey instances: a Webmention shown with the author's name, removed when unlinked; Pingback when Webmention is off; an unreachable link retried, then given up"
    )
    func twoInstances() async throws {
        // A sends (on PostgreSQL); B receives Webmentions; C takes Pingbacks only (both on SQLite).
        let a = try await DreyServer.start(
            .postgres, serveArguments: ["--allow-fetch", "127.0.0.1", "--job-attempts", "3", "--job-backoff", "0.2"]
        ) { data, env, _ in
            try DreyBinary.run(
                ["user", "add", "--email", "alice@example.org", "--name", "Alice Author", "--login", "alice", "--role", "administrator"],
                data: data, env: env)
            try DreyBinary.run(["site", "set", "title", "Alice's Notebook"], data: data, env: env)
        }
        let b = try await DreyServer.start(.sqlite, serveArguments: ["--allow-fetch", "127.0.0.1"]) { data, env, _ in
            try DreyBinary.run(["user", "add", "--email", "bob@example.org", "--name", "Bob", "--role", "administrator"], data: data, env: env)
            try DreyBinary.run(
                ["post", "new", "--title", "Bobs post", "--file", try Self.writeFile("Hello."), "--date", "2024-05-01 10:00"],
                data: data, env: env)
        }
        let c = try await DreyServer.start(.sqlite, serveArguments: ["--allow-fetch", "127.0.0.1"]) { data, env, _ in
            try DreyBinary.run(["user", "add", "--email", "cy@example.org", "--name", "Cy", "--role", "administrator"], data: data, env: env)
            try DreyBinary.run(["site", "set", "webmention_enabled", "off"], data: data, env: env)
            try DreyBinary.run(
                ["post", "new", "--title", "Cys post", "--file", try Self.writeFile("Old school."), "--date", "2024-05-02 10:00"],
                data: data, env: env)
        }
        try await Self.stopping([a, b, c]) { try await Self.converse(a, b, c) }
    }

    static func converse(_ a: DreyServer, _ b: DreyServer, _ c: DreyServer) async throws {
        let bPost = b.base + "/2024/05/01/bobs-post/"
        let cPost = c.base + "/2024/05/02/cys-post/"
        let unreachable = "http://127.0.0.1:\(try FetcherTests.closedPort())/nowhere/"

        // Alice writes, from the command line, while her server runs: its workers send.
        let made = try await a.run([
            "post", "new", "--title", "Answering Bob", "--date", "2024-06-01 09:00",
            "--file", try Self.writeFile("I read [Bob's post](\(bPost)), [Cy's](\(cPost)) and [a dead link](\(unreachable))."),
        ])
        #expect(made.status == 0, "\(made.err)")
        let aPost = a.base + "/2024/06/01/answering-bob/"

        // B: verified and held for moderation, listed with its type; approved, it shows Alice's name.
        let received = try await b.waitUntil(timeout: 60) {
            try await b.jsonLines(["linkbacks", "received", "--json"]).first?["state"] as? String == "accepted"
        }
        #expect(received, "B log:\n\(b.logText)\nA log:\n\(a.logText)")
        let held = try await b.jsonLines(["comment", "list", "--status", "pending", "--json"])
        #expect(held.first?["type"] as? String == "webmention")
        #expect(held.first?["author"] as? String == "Alice Author")
        let id = try #require(held.first?["id"] as? Int)
        #expect(try await b.run(["comment", "approve", String(id)]).status == 0)
        let shown = try await b.get("/2024/05/01/bobs-post/").text
        #expect(shown.contains("Mention by <a class=\"u-url p-name\" href=\"\(aPost)\""))
        #expect(shown.contains("Alice Author"))
        let sent = try await a.jsonLines(["linkbacks", "sent", "--json"])
        #expect(sent.contains { $0["target"] as? String == bPost && $0["method"] as? String == "webmention" && $0["state"] as? String == "sent" })

        // C has Webmention off: A falls back to Pingback, which C verifies and stores under A's title.
        let pinged = try await a.waitUntil(timeout: 60) {
            try await a.jsonLines(["linkbacks", "sent", "--json"]).contains { $0["target"] as? String == cPost && $0["state"] as? String == "sent" }
        }
        #expect(pinged, "A log:\n\(a.logText)\nC log:\n\(c.logText)")
        #expect(
            try await a.jsonLines(["linkbacks", "sent", "--json"]).contains {
                $0["target"] as? String == cPost && $0["method"] as? String == "pingback"
            })
        let pingback = try #require(try await c.jsonLines(["comment", "list", "--json"]).first)
        #expect(pingback["type"] as? String == "pingback")
        #expect(pingback["author"] as? String == "Answering Bob – Alice's Notebook")

        // The unreachable link: three attempts with growing waits, then failed for good and listed.
        let gaveUp = try await a.waitUntil(timeout: 60) {
            try await a.jsonLines(["jobs", "list", "--state", "failed", "--json"]).contains {
                ($0["last_error"] as? String)?.contains("gave up after 3 attempts") == true
            }
        }
        #expect(gaveUp, "A log:\n\(a.logText)")
        let failedSend = try await a.jsonLines(["linkbacks", "sent", "--json"]).first { $0["target"] as? String == unreachable }
        #expect(failedSend?["state"] as? String == "failed")
        #expect(failedSend?["attempts"] as? Int == 3)
        #expect((failedSend?["detail"] as? String)?.contains("gave up after 3 attempts") == true)

        // Alice removes the link to Bob: the update tells B, which re-checks and takes the mention down.
        let postID = try #require(made.out.split(separator: " ").dropFirst().first.map(String.init))
        let edited = try await a.run(["post", "edit", postID, "--file", try Self.writeFile("I read [Cy's](\(cPost)) only.")])
        #expect(edited.status == 0, "\(edited.err)")
        let removed = try await b.waitUntil(timeout: 60) {
            try await b.jsonLines(["linkbacks", "received", "--json"]).first?["state"] as? String == "deleted"
        }
        #expect(removed, "B log:\n\(b.logText)")
        #expect(!(try await b.get("/2024/05/01/bobs-post/").text.contains("Alice Author")))
    }
}
