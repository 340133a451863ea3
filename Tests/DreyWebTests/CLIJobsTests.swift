import DreyCore
import DreyTestSupport
import Foundation
import Testing

/// `drey jobs`, `drey linkbacks`, `drey post edit` and the new serve flags, as operators run them.
@Suite struct CLIJobsTests {
    @Test("jobs are listed, cancelled and retried; linkbacks listed; bad arguments get one clear line", arguments: TestDatabase.allCases)
    func jobsAndLinkbacks(_ kind: TestDatabase) async throws {
        let location = try await kind.makeLocation()
        let env = location.databaseURL.map { ["DATABASE_URL": $0] } ?? [:]
        let data = location.dataDirectory
        do {
            func drey(_ args: [String]) throws -> DreyBinary.Output { try DreyBinary.run(args, data: data, env: env) }
            for command in [
                ["jobs", "list"], ["jobs", "retry"], ["jobs", "cancel"], ["jobs", "run"], ["linkbacks", "sent"], ["linkbacks", "received"],
                ["post", "edit"],
            ] {
                let help = try drey(command + ["--help"])
                #expect(help.status == 0 && help.out.contains("--data"), "\(command)")
            }
            #expect(try drey(["serve", "--help"]).out.contains("--allow-fetch"))
            _ = try drey(["user", "add", "--email", "w@example.org", "--name", "W", "--role", "administrator"])
            // Only the linkback jobs are counted below: a blog whose readers may follow it queues a follow job per post.
            #expect(try drey(["site", "set", "follows_enabled", "0"]).status == 0)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("p-\(UUID()).md")
            try "See [this](http://127.0.0.1:9/x).".write(to: file, atomically: true, encoding: .utf8)
            let made = try drey(["post", "new", "--title", "Linking", "--file", file.path])
            #expect(made.status == 0, "\(made.err)")
            let jobs = try drey(["jobs", "list", "--json"]).out.split(separator: "\n")
            #expect(jobs.count == 1)
            let job = try #require(try JSONSerialization.jsonObject(with: Data(jobs[0].utf8)) as? [String: Any])
            #expect(job["kind"] as? String == "linkbacks.scan" && job["state"] as? String == "queued")
            let id = String(try #require(job["id"] as? Int))
            let plain = try drey(["jobs", "list"])
            #expect(plain.out.contains("linkbacks.scan") && plain.err.contains("queued 1"))
            #expect(try drey(["jobs", "retry", id]).err.contains("only failed or cancelled jobs can be retried"))
            #expect(try drey(["jobs", "cancel", id]).out == "job \(id) cancelled\n")
            #expect(try drey(["jobs", "list", "--state", "cancelled", "--json"]).out.contains("\"id\":\(id)"))
            #expect(try drey(["jobs", "retry", id]).out == "job \(id) queued again\n")
            // Run without an allowance: the scan queues a send, whose fetch of 127.0.0.1 is refused for good.
            #expect(try drey(["jobs", "run"]).out == "ran 2 job(s)\n")
            let sent = try drey(["linkbacks", "sent", "--json"]).out
            #expect(sent.contains("\"state\":\"failed\"") && sent.contains("inside the network"), "\(sent)")
            #expect(try drey(["jobs", "list", "--state", "failed"]).out.contains("linkbacks.send"))
            #expect(try drey(["linkbacks", "received"]).status == 0)
            let edit = try drey(["post", "edit", "1", "--title", "Renamed"])
            #expect(edit.status == 0 && edit.out.contains("publish"), "\(edit.err)")
            let bad: [([String], String)] = [
                (["jobs", "list", "--state", "weird"], "unknown state 'weird'"),
                (["jobs", "retry", "999999"], "no job with ID 999999"),
                (["jobs", "cancel", "999999"], "no job with ID 999999"),
                (["serve", "--allow-fetch", "http://x/"], "--allow-fetch"),
                (["serve", "--workers", "-1"], "--workers"),
                (["site", "set", "fetch_allow", "ok.example bad/entry!"], "fetch_allow"),
                (["site", "set", "websub_hub", "ftp://hub"], "websub_hub"),
                (["post", "edit", "999999", "--title", "x"], "no post with ID 999999"),
                (["post", "edit", "1", "--status", "future"], "--status"),
            ]
            for (args, message) in bad {
                let r = try drey(args)
                #expect(r.status != 0, "\(args) exited 0")
                #expect(r.err.contains(message), "\(args): \(r.err)")
            }
            #expect(try drey(["site", "set", "fetch_allow", "10.0.0.0/8, intranet.example"]).out == "fetch_allow = 10.0.0.0/8 intranet.example\n")
        } catch {
            await location.cleanup()
            throw error
        }
        await location.cleanup()
    }
}
