import DreyCLI
import DreyCore
import DreyStore
import DreyTestSupport
import Foundation
import Testing

/// The CLI as operators run it: output, exit status, and what it changed. Commands run in this process
/// (`DreyCommand.run`), so they are always the code under test; `help` runs the built binary as a smoke test.
@Suite struct CLITests {
    func drey(_ args: [String], data: String, env: [String: String] = [:]) async throws -> CLIRun {
        await DreyCommand.run(args + ["--data", data], environment: env)
    }

    func withData(_ kind: TestDatabase = .sqlite, _ body: (String, [String: String]) async throws -> Void) async throws {
        let location = try await kind.makeLocation()
        defer { Task { await location.cleanup() } }
        try await body(location.dataDirectory, location.databaseURL.map { ["DATABASE_URL": $0] } ?? [:])
    }

    @Test("every command has --help")
    func help() throws {
        let root = try DreyBinary.run(["--help"], data: "/nonexistent")
        #expect(root.status == 0)
        for command in ["serve", "migrate", "demo", "site", "user", "post", "comment"] { #expect(root.out.contains(command)) }
        for command in [
            ["serve"], ["migrate"], ["site", "get"], ["site", "set"], ["user", "add"], ["post", "new"], ["comment", "add"], ["comment", "list"],
            ["comment", "approve"], ["demo"],
        ] {
            let r = try DreyBinary.run(command + ["--help"], data: "/nonexistent")
            #expect(r.status == 0, "\(command)")
            #expect(r.out.contains("--data"), "\(command)")
        }
    }

    @Test("the operator's round: migrate, demo, settings, users, posts, comments", arguments: TestDatabase.allCases)
    func operatorRound(_ kind: TestDatabase) async throws {
        try await withData(kind) { data, env in
            // Every known migration is applied on a fresh database, and a second run finds nothing left to do.
            let known = Migrator.knownVersions
            let summary = "database schema at version \(try #require(known.last)) (\(known.count) migrations applied)"
            for _ in 0..<2 {
                let migrated = try await drey(["migrate"], data: data, env: env)
                #expect(migrated.status == 0, "\(migrated.err)")
                #expect(migrated.out.contains(summary), "\(migrated.out)")
            }
            let demo = try await drey(["demo"], data: data, env: env)
            #expect(demo.status == 0, "\(demo.err)")
            #expect(demo.out.contains("31 posts"))
            #expect(try await drey(["demo", "--if-empty"], data: data, env: env).out.contains("already has"))
            let get = try await drey(["site", "get"], data: data, env: env)
            #expect(get.out.contains("permalink_structure\t/%year%/%monthnum%/%day%/%postname%/"))
            #expect(!get.out.contains("secret"))
            #expect(try await drey(["site", "set", "font_size", "22"], data: data, env: env).status == 0)
            #expect(try await drey(["site", "get", "font_size"], data: data, env: env).out == "22\n")
            let user = try await drey(
                ["user", "add", "--email", "editor@example.org", "--name", "Ed", "--role", "editor", "--password", "correct horse"], data: data,
                env: env)
            #expect(user.status == 0, "\(user.err)")
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("post-\(UUID()).md")
            try "# Hello\n\nFrom **the CLI**.".write(to: file, atomically: true, encoding: .utf8)
            let post = try await drey(
                [
                    "post", "new", "--title", "From the CLI", "--file", file.path, "--category", "Garden", "--create-categories", "--tag", "cli",
                    "--date", "2099-01-01 10:00",
                ], data: data, env: env)
            #expect(post.status == 0, "\(post.err)")
            #expect(post.out.contains("future"))
            let comment = try await drey(
                [
                    "comment", "add", "--post", "1", "--author", "Ann", "--email", "ann@example.org", "--text", "Hi <script>x</script><b>there</b>",
                    "--status", "pending",
                ], data: data, env: env)
            #expect(comment.status == 0, "\(comment.err)")
            let id = try #require(comment.out.split(separator: " ").dropFirst().first.map(String.init))
            let listed = try await drey(["comment", "list", "--status", "pending", "--json"], data: data, env: env)
            #expect(listed.out.contains("\"author\":\"Ann\""))
            #expect(try await drey(["comment", "approve", id], data: data, env: env).status == 0)
            #expect(try await drey(["comment", "list", "--status", "approved", "--json"], data: data, env: env).out.contains("\"id\":\(id)"))
            #expect(try await drey(["comment", "spam", id], data: data, env: env).status == 0)
            #expect(try await drey(["comment", "trash", id], data: data, env: env).status == 0)
            let byURL = try await drey(
                [
                    "comment", "add", "--post", "http://127.0.0.1:8080/2008/01/27/a-winter-notebook-for-small-gardens/", "--author", "Bo", "--email",
                    "bo@example.org", "--text", "by URL",
                ], data: data, env: env)
            #expect(byURL.status == 0, "\(byURL.err)")
        }
    }

    @Test("the scheduling rule holds from the CLI: a scheduled post stays scheduled, a draft goes out dated now", arguments: TestDatabase.allCases)
    func schedulingFromTheCLI(_ kind: TestDatabase) async throws {
        let location = try await kind.makeLocation()
        defer { Task { await location.cleanup() } }
        let data = location.dataDirectory
        let env = location.databaseURL.map { ["DATABASE_URL": $0] } ?? [:]
        do {
            #expect(try await drey(["migrate"], data: data, env: env).status == 0)
            #expect(
                try await drey(["user", "add", "--email", "a@example.org", "--name", "A", "--role", "administrator"], data: data, env: env).status
                    == 0)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("post-\(UUID()).md")
            try "Words.".write(to: file, atomically: true, encoding: .utf8)
            let later = try await drey(
                ["post", "new", "--title", "Later", "--file", file.path, "--status", "future", "--date", "2099-01-01 10:00"], data: data, env: env)
            #expect(later.out.contains("future"), "\(later.err)")
            let laterID = try #require(later.out.split(separator: " ").dropFirst().first.map(String.init))
            let edited = try await drey(["post", "edit", laterID, "--status", "publish"], data: data, env: env)
            #expect(edited.status == 0, "\(edited.err)")
            #expect(edited.out.contains("future"), "a post dated 2099 went live: \(edited.out)")
            let draft = try await drey(
                ["post", "new", "--title", "Draft", "--file", file.path, "--status", "draft", "--date", "2001-01-01 10:00"], data: data, env: env)
            let draftID = try #require(draft.out.split(separator: " ").dropFirst().first.map(String.init))
            #expect(try await drey(["post", "edit", draftID, "--status", "publish"], data: data, env: env).out.contains("publish"))
            let db = try await Database.open(
                sqlitePath: (data as NSString).appendingPathComponent("drey.sqlite"), url: env["DATABASE_URL"], logger: .init(label: "t"))
            let store = SQLStore(database: db)
            let published = try await store.post(id: try #require(Int64(draftID)), siteID: 1)
            let scheduled = try await store.post(id: try #require(Int64(laterID)), siteID: 1)
            await db.close()
            #expect(published?.status == .publish)
            let age = abs(published?.publishedAt.timeIntervalSinceNow ?? 1e9)
            #expect(age < 300, "a draft published now kept the date \(String(describing: published?.publishedAt))")
            #expect(scheduled?.status == .future)
        }
    }

    @Test("bad arguments get one clear line and a non-zero exit; nothing is stored")
    func badArguments() async throws {
        try await withData { data, _ in
            _ = try await drey(["demo"], data: data)
            let cases: [([String], String)] = [
                (["user", "add", "--email", "x@example.org", "--name", "X", "--role", "king"], "unknown role 'king'"),
                (["user", "add", "--email", "not-an-email", "--name", "X", "--role", "author"], "not a valid email"),
                (["site", "set", "timezone", "Mars/Base"], "unknown timezone"),
                (["site", "set", "no_such_key", "1"], "unknown setting"),
                (["site", "get", "secret"], "unknown setting"),
                (["post", "new", "--title", "T", "--file", "/nonexistent.md"], "cannot read"),
                (["comment", "add", "--post", "999999", "--author", "A", "--email", "a@example.org", "--text", "x"], "no post with ID 999999"),
                (["comment", "add", "--post", "1", "--author", "", "--email", "a@example.org", "--text", "x"], "Please enter your name."),
                (["comment", "approve", "999999"], "no comment with ID 999999"),
                (["comment", "list", "--status", "weird"], "unknown status"),
                (["serve", "--port", "99999"], "--port"),
                (["serve", "--cache-size", "0"], "--cache-size"),
            ]
            for (args, message) in cases {
                let r = try await drey(args, data: data)
                #expect(r.status != 0, "\(args) exited 0")
                #expect(r.err.contains(message), "\(args): \(r.err)")
                #expect(r.err.split(separator: "\n").count <= 3, "\(args): \(r.err)")
            }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("p-\(UUID()).md")
            try "text".write(to: file, atomically: true, encoding: .utf8)
            let badDate = try await drey(["post", "new", "--title", "T", "--file", file.path, "--date", "2008-02-31"], data: data)
            #expect(badDate.status != 0 && badDate.err.contains("invalid date '2008-02-31'"))
            let badCategory = try await drey(["post", "new", "--title", "Orphan", "--file", file.path, "--category", "Nowhere"], data: data)
            #expect(badCategory.status != 0 && badCategory.err.contains("unknown category 'Nowhere'"))
            let listed = try await drey(["site", "get", "timezone"], data: data)
            #expect(listed.out == "UTC\n")
        }
    }
}
