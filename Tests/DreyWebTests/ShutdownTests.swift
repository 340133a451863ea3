import DreyCore
import DreyTestSupport
import Foundation
import Testing

/// `drey serve` stopped by SIGTERM as a service manager stops it, with a job in the middle of its work.
@Suite(.serialized) struct ShutdownTests {
    @Test("SIGTERM during a job: the job is queued again at once, not left running until its lease runs out", arguments: TestDatabase.allCases)
    func jobInFlight(_ kind: TestDatabase) async throws {
        try await FixtureServer.with({ _, _ in
            // The linked page answers slowly, so the linkback job is still fetching it when the server is stopped.
            FixtureReply(body: .text("<title>Slow</title><p>A slow page.</p>"), delay: .seconds(300))
        }) { fixture in
            // Four minutes for the fetch (not 15 s): on a loaded machine the test may see the request late, and the job
            // must still be fetching when the server is stopped.
            let server = try await DreyServer.start(
                kind, serveArguments: ["--allow-fetch", "127.0.0.1"], environment: ["DREY_FETCH_TIMEOUT": "240"]
            ) { data, env, _ in
                try DreyBinary.run(["user", "add", "--email", "s@example.org", "--name", "Sam", "--role", "administrator"], data: data, env: env)
            }
            do {
                let post = try LinkbackPeerTests.writeFile("See [a slow page](\(fixture.base)/slow).")
                #expect(try await server.run(["post", "new", "--title", "Linking a slow page", "--file", post]).status == 0)
                // The linked page was asked for: the job is running. Stopped at once, before the fetch can time out
                // (15 s) on a loaded machine, which would end the job another way.
                let started = try await server.waitUntil(timeout: 60) { !fixture.requests(to: "/slow").isEmpty }
                #expect(started)
                server.process.terminate()
                let process = server.process
                #expect(try await offThread { process.waitUntilExit() } == 0)
                #expect(try await server.jsonLines(["jobs", "list", "--state", "running", "--json"]).isEmpty)
                let fetching = Set(["linkbacks.scan", "linkbacks.send"])
                let again = try await server.jsonLines(["jobs", "list", "--state", "queued", "--json"]).filter {
                    fetching.contains($0["kind"] as? String ?? "") && (($0["last_error"] as? String) ?? "") != ""
                }
                #expect(again.count == 1, "\(again)")
                #expect(
                    (again.first?["last_error"] as? String)?.contains("interrupted by a shutdown") == true, "\(again)\n\(server.logText.suffix(3000))"
                )
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }
}
