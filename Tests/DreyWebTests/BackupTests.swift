import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation
import Testing

@testable import DreyApp
@testable import DreyWeb

/// `drey backup` and `drey restore`, run as an operator runs them, against a blog that is serving and being written to.
@Suite struct BackupTests {
    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))").path
    }

    struct Written: Sendable {
        let text: String
        let started: Date
        let acknowledged: Date
    }

    @Test("comments posted during a backup: the restored blog serves, with its uploads and every comment acknowledged before the backup began")
    func underLoad() async throws {
        let photo = Data((0..<3000).map { UInt8($0 % 251) })
        let server = try await DreyServer.start(.sqlite) { data, env, _ in
            for args in OpsTests.openComments { try DreyBinary.run(args, data: data, env: env) }
            try DreyBinary.run(["user", "add", "--email", "sam@example.org", "--name", "Sam", "--role", "administrator"], data: data, env: env)
            let file = try LinkbackPeerTests.writeFile("Talk to me.")
            try DreyBinary.run(["post", "new", "--title", "Hello", "--file", file, "--date", "2008-01-27T00:04:00Z"], data: data, env: env)
            let folder = URL(fileURLWithPath: data).appendingPathComponent("uploads/1/2008/01")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try photo.write(to: folder.appendingPathComponent("photo.jpg"))
        }
        defer { server.stopSoon() }
        let archive = Self.temporary("drey-backup") + ".tar.gz"
        let restoredFolder = Self.temporary("drey-restored")
        defer {
            try? FileManager.default.removeItem(atPath: archive)
            try? FileManager.default.removeItem(atPath: restoredFolder)
        }

        let written = Locked<[Written]>([])
        let stop = Locked(false)
        let writers = (0..<3).map { w in
            Task {
                var n = 0
                while !stop.current && n < 2000 {
                    let text = "Comment \(w)-\(n) " + UUID().uuidString
                    let started = Date()
                    if let response = try? await OpsTests.comment(server, postPath: "/2008/01/27/hello/", email: "w\(w)@example.org", text: text),
                        response.status == 303
                    {
                        written.withLock { $0.append(Written(text: text, started: started, acknowledged: Date())) }
                    }
                    n += 1
                }
            }
        }
        // A few comments acknowledged before the backup begins (under the whole suite's load a debug server takes
        // minutes for its first ones: it trains the spam seed first).
        #expect(try await server.waitUntil(timeout: 300) { written.current.count >= 3 })
        let began = Date()
        let backup = try await server.run(["backup", archive])
        let ended = Date()
        // Comments go on after the backup too; a few more, then the writers stop.
        _ = try await server.waitUntil(timeout: 180) { written.current.contains { $0.started > ended } }
        stop.withLock { $0 = true }
        for writer in writers { await writer.value }
        #expect(backup.status == 0, "\(backup.err)")
        #expect(backup.out.contains("backed up"), "\(backup.out)")
        #expect(backup.out.contains("1 uploaded files"), "\(backup.out)")

        let restore = try await offThread { try DreyBinary.run(["restore", archive], data: restoredFolder) }
        #expect(restore.status == 0, "\(restore.err)")
        #expect(restore.out.contains("serve it with: drey serve --data \(restoredFolder)"), "\(restore.out)")
        let restored = try await DreyServer.serve(
            TestLocation(kind: .sqlite, dataDirectory: restoredFolder, databaseURL: nil), port: try FetcherTests.closedPort(),
            serveArguments: [], environment: [:], ownsLocation: false)
        defer { restored.stopSoon() }
        #expect(try await restored.get("/2008/01/27/hello/").status == 200)
        let upload = try await restored.get("/wp-content/uploads/2008/01/photo.jpg")
        #expect(upload.status == 200)
        #expect(Data(upload.body) == photo)

        let kept = Set(try await restored.jsonLines(["comment", "list", "--json", "--limit", "100000"]).compactMap { $0["text"] as? String })
        let before = written.current.filter { $0.acknowledged < began }
        let after = written.current.filter { $0.started > ended }
        #expect(before.count >= 3)
        #expect(!after.isEmpty)
        let lost = before.filter { !kept.contains($0.text) }
        #expect(lost.isEmpty, "acknowledged before the backup began but not restored: \(lost.map(\.text))")
        // A copy of one moment, not of whatever the file held by the end.
        #expect(after.allSatisfy { !kept.contains($0.text) })
    }

    @Test("backup and restore refuse what would overwrite or mix data, and say why")
    func refusals() async throws {
        let server = try await DreyServer.start(.sqlite) { _, _, _ in }
        defer { server.stopSoon() }
        let existing = Self.temporary("drey-existing") + ".tar"
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: existing))
        defer { try? FileManager.default.removeItem(atPath: existing) }
        let over = try await server.run(["backup", existing])
        #expect(over.status != 0)
        #expect(over.err.contains("exists already: backups never overwrite"), "\(over.err)")
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")

        let nothing = try await DreyBinary.run(["backup", Self.temporary("drey-none") + ".tar"], data: Self.temporary("drey-no-blog"))
        #expect(nothing.status != 0)
        #expect(nothing.err.contains("there is no blog in"), "\(nothing.err)")

        let archive = Self.temporary("drey-good") + ".tar"
        defer { try? FileManager.default.removeItem(atPath: archive) }
        #expect(try await server.run(["backup", archive]).status == 0)
        // Into a folder that holds a blog already: refused, and the folder is as it was.
        let busy = try await offThread { try DreyBinary.run(["restore", archive], data: server.data) }
        #expect(busy.status != 0)
        #expect(busy.err.contains("restore only fills an empty data folder"), "\(busy.err)")
        #expect(try await server.get("/").status == 200)

        let notAnArchive = try await DreyBinary.run(["restore", existing], data: Self.temporary("drey-target"))
        #expect(notAnArchive.status != 0)
        #expect(notAnArchive.err.contains("tar failed") || notAnArchive.err.contains("is not a backup"), "\(notAnArchive.err)")
        let empty = Self.temporary("drey-empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let plainTar = Self.temporary("drey-plain") + ".tar"
        defer { try? FileManager.default.removeItem(atPath: plainTar) }
        try BlogArchiveTestTar.make(plainTar, containing: existing)
        let foreign = try await DreyBinary.run(["restore", plainTar], data: empty)
        #expect(foreign.status != 0)
        #expect(foreign.err.contains("is not a backup made by `drey backup`"), "\(foreign.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty).isEmpty)
    }

    @Test("on PostgreSQL, drey backup prints the pg_dump line (without the password) and exits non-zero")
    func postgres() throws {
        let archive = Self.temporary("drey-pg") + ".tar"
        let url = "postgres://drey:hunter2@127.0.0.1:5432/blog"
        let result = try DreyBinary.run(["backup", archive], data: Self.temporary("drey-pg-data"), env: ["DATABASE_URL": url])
        #expect(result.status != 0)
        #expect(result.err.contains("pg_dump --format=custom --no-owner --file=drey-"), "\(result.err)")
        #expect(result.err.contains("'postgres://drey@127.0.0.1:5432/blog'"), "\(result.err)")
        #expect(!result.err.contains("hunter2"))
        #expect(!FileManager.default.fileExists(atPath: archive))
    }
}

/// A tar that is not a Drey backup, made with Debian's tar.
enum BlogArchiveTestTar {
    static func make(_ path: String, containing file: String) throws {
        let url = URL(fileURLWithPath: file)
        let tar = try ChildProcess.run("/usr/bin/env", ["tar", "-c", "-f", path, "-C", url.deletingLastPathComponent().path, url.lastPathComponent])
        guard tar.status == 0 else { throw CLIFailure("tar: \(tar.error)") }
    }
}
