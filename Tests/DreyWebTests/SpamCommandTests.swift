import ArgumentParser
import DreyCore
import DreyTestSupport
import Foundation
import Testing

@testable import DreyCLI

/// `drey spam eval|train|check|stats` and `drey comment not-spam`, as operators run them.
@Suite struct SpamCommandTests {
    typealias Run = DreyBinary.Output

    func drey(_ args: [String], data: String? = nil, env: [String: String] = [:], stdin: String? = nil) async throws -> Run {
        // Waited for on a GCD thread, so in-process servers of other tests keep Swift concurrency's threads.
        try await offThread { try DreyBinary.run(args, data: data, env: env, stdin: stdin) }
    }

    /// Ten obvious spam and ten obvious real comments: every fold's model gets all of them right.
    static let smallCSV: String = {
        var rows = ["COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS"]
        for n in 1...10 {
            rows.append("s\(n),Promo\(n)bot,2015-01-01,\"Subscribe to my channel http://views\(n).example for FREE money!!! check it out\",1")
            rows.append("h\(n),Reader \(n),2015-01-01,\"I love this song, the chorus still gives me chills after \(n) years\",0")
        }
        return rows.joined(separator: "\n") + "\n"
    }()

    func file(_ text: String, _ ext: String = "csv") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spam-\(UUID()).\(ext)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test("eval prints precision, recall, F1, real comments sent to spam and held, for the classifier and the whole filter")
    func eval() async throws {
        let r = try await drey(["spam", "eval", try file(Self.smallCSV), "--folds", "5"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("5-fold cross-validation: 20 comments (10 spam, 10 real)"))
        #expect(r.out.contains("  precision          1.0000\n  recall             1.0000\n  F1                 1.0000"))
        #expect(r.out.contains("  real → spam          0.00%  (0 of 10)"))
        #expect(r.out.contains("  spam kept off      100.00%"))
        #expect(r.out.contains("  real held            0.00%  (0 of 10)"))
        #expect(r.out.contains("timing: training on all 20 comments"))
        // The same figures for scripts.
        let j = try await drey(["spam", "eval", try file(Self.smallCSV), "--folds", "5", "--json"])
        #expect(j.status == 0, "\(j.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(j.out.utf8)) as? [String: Any])
        let classifier = try #require(object["classifier"] as? [String: Any])
        let pipeline = try #require(object["pipeline"] as? [String: Any])
        #expect(object["comments"] as? Int == 20 && object["spam"] as? Int == 10)
        #expect(classifier["f1"] as? Double == 1 && classifier["real_to_spam"] as? Double == 0)
        #expect(pipeline["spam_kept_off"] as? Double == 1 && pipeline["real_to_spam_count"] as? Int == 0)
        #expect((object["training_seconds"] as? Double ?? -1) >= 0)
    }

    @Test("bad arguments and bad files get one clear line and a non-zero exit")
    func badArguments() async throws {
        let cases: [([String], String)] = [
            (["spam", "eval", "/nonexistent.csv"], "cannot read /nonexistent.csv"),
            (["spam", "eval", try file(Self.smallCSV), "--folds", "1"], "--folds must be from 2 to 20"),
            (["spam", "eval", try file(Self.smallCSV), "--hold", "2"], "--hold must be above 0"),
            (["spam", "eval", try file("CONTENT,AUTHOR\nhello,me\n")], "missing column CLASS"),
            (["spam", "eval", try file("CONTENT,CLASS\nhello,1\nbye,maybe\n")], "row 3: unknown class 'maybe'"),
            (["spam", "eval", try file("CONTENT,CLASS\nhello,1\nbye,0\n")], "need at least 5 spam and 5 real comments"),
            (["spam", "train", "/nonexistent.csv"], "cannot read"),
        ]
        for (args, message) in cases {
            let r = try await drey(args)
            #expect(r.status != 0, "\(args) exited 0")
            #expect(r.err.contains(message), "\(args): \(r.err)")
            #expect(r.err.split(separator: "\n").count <= 3, "\(args): \(r.err)")
        }
        // The same checks hold in-process, before anything runs.
        #expect(throws: (any Error).self) { try DreyCommand.parseAsRoot(["spam", "eval", "x.csv", "--folds", "0"]) }
        #expect(throws: (any Error).self) { try DreyCommand.parseAsRoot(["spam", "check", "--unknown"]) }
        #expect(try DreyCommand.parseAsRoot(["spam", "eval", "x.csv", "--folds", "3"]) is SpamCommand.Eval)
    }

    @Test("train adds to the site's model; check judges JSON lines without storing; not-spam restores", arguments: TestDatabase.allCases)
    func trainCheckNotSpam(_ kind: TestDatabase) async throws {
        let location = try await kind.makeLocation()
        defer { Task { await location.cleanup() } }
        let data = location.dataDirectory
        let env = location.databaseURL.map { ["DATABASE_URL": $0] } ?? [:]
        let trained = try await drey(["spam", "train", try file(Self.smallCSV)], data: data, env: env)
        #expect(trained.status == 0, "\(trained.err)")
        #expect(trained.out.contains("added 20 comments (10 spam, 10 real) to the classifier of localhost; it has learned from 2708 examples"))
        let lines = [
            #"{"author":"Promo7bot","email":"p@views.example","text":"Subscribe to my channel http://views7.example for FREE money!!! check it out","ip":"203.0.113.5"}"#,
            #"{"author":"Margaret","email":"margaret@example.org","text":"The chorus still gives me chills.","url":"margaret.example.org"}"#,
            #"{"author":"Eve","email":"eve@example.org\r\nBcc: all@example.org","text":"hello"}"#,
            #"not json"#,
            #"{"author":"NoText"}"#,
            #"{"author":"Ann","email":"ann@example.org","text":"hi","post":999999}"#,
        ]
        let checked = try await drey(["spam", "check"], data: data, env: env, stdin: lines.joined(separator: "\n") + "\n")
        #expect(checked.status == 1)
        let out = checked.out.split(separator: "\n").map(String.init)
        try #require(out.count == 6, "\(checked.err)")
        func object(_ line: String) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let spam = try object(out[0])
        #expect(spam["verdict"] as? String == "spam")
        #expect((spam["score"] as? Double ?? 0) >= 0.9)
        #expect((spam["reasons"] as? [String])?.contains { $0.hasPrefix("classifier ") } == true)
        #expect((spam["reasons"] as? [String])?.last?.hasPrefix("backed by ") == true)
        let ham = try object(out[1])
        #expect(ham["verdict"] as? String == "hold")
        #expect((ham["reasons"] as? [String])?.first == "first comment from this author")
        let injected = try object(out[2])
        #expect(injected["verdict"] as? String == "refuse")
        #expect(injected["reasons"] as? [String] == ["Please enter a valid email address."])
        #expect(out[3] == #"{"error":"line 4: not a JSON object"}"#)
        #expect(out[4] == #"{"error":"line 5: missing \"text\""}"#)
        #expect(try object(out[5])["reasons"] as? [String] == ["That post does not exist, so the comment cannot be added to it."])
        #expect(checked.err.contains("line 4: not a JSON object"))
        let stats = try await drey(["spam", "stats"], data: data, env: env)
        #expect(stats.out.contains("pending\t0\napproved\t0\nspam\t0\ntrash\t0\n"))
        // not-spam: restores and approves; only for held or spam comments.
        _ = try await drey(["user", "add", "--email", "ed@example.org", "--name", "Ed", "--role", "administrator"], data: data, env: env)
        let made = try await drey(["post", "new", "--title", "T", "--file", try file("Body", "md")], data: data, env: env)
        #expect(made.status == 0, "\(made.err)")
        let added = try await drey(
            ["comment", "add", "--post", "1", "--author", "Al", "--email", "al@example.org", "--text", "Caught by mistake", "--status", "spam"],
            data: data, env: env)
        let id = try #require(added.out.split(separator: " ").dropFirst().first.map(String.init))
        let restored = try await drey(["comment", "not-spam", id], data: data, env: env)
        #expect(restored.status == 0, "\(restored.err)")
        #expect(restored.out == "comment \(id) approved\n")
        let again = try await drey(["comment", "not-spam", id], data: data, env: env)
        #expect(again.status != 0 && again.err.contains("is approved, neither held nor spam"))
        let listed = try await drey(["comment", "list", "--json"], data: data, env: env)
        #expect(listed.out.contains("\"status\":\"approved\""))

        // Spam past the retention period (30 days) goes at the next purge; younger spam stays for "not spam".
        let old = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-40 * 86400))
        let young = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-5 * 86400))
        for (name, date) in [("Old", old), ("Young", young)] {
            let r = try await drey(
                [
                    "comment", "add", "--post", "1", "--author", name, "--email", "\(name)@spam.example", "--text", "Buy \(name)", "--status", "spam",
                    "--date", date,
                ], data: data, env: env)
            #expect(r.status == 0, "\(r.err)")
        }
        let badDate = try await drey(
            ["comment", "add", "--post", "1", "--author", "X", "--email", "x@example.org", "--text", "t", "--date", "yesterday"], data: data, env: env
        )
        #expect(badDate.status != 0 && badDate.err.contains("invalid date 'yesterday'"))
        let purged = try await drey(["spam", "purge"], data: data, env: env)
        #expect(purged.status == 0, "\(purged.err)")
        #expect(purged.out == "deleted 1 spam comment past the retention period\n")
        let left = try await drey(["comment", "list", "--status", "spam"], data: data, env: env).out
        #expect(left.contains("Young") && !left.contains("Old"))
        #expect(try await drey(["spam", "purge"], data: data, env: env).out == "deleted 0 spam comments past the retention period\n")
    }
}
