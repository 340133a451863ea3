import ArgumentParser
import DreyCore
import DreyStore
import Foundation
import Logging

/// `drey backup FILE`: a consistent copy of a SQLite blog (while it serves) and its uploads, in one tar archive.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy a SQLite blog and its uploads into one archive, while it serves.",
        discussion: """
            The database is copied with SQLite's VACUUM INTO: the copy holds every write committed before the backup \
            began, and the blog keeps serving meanwhile. FILE ending in .tar.gz or .tgz is compressed. A PostgreSQL blog \
            is backed up with pg_dump; this command prints the line to use.
            """)

    @OptionGroup var common: CommonOptions
    @Argument(help: "The archive to write (.tar, or .tar.gz/.tgz compressed); it must not exist yet.") var file: String

    func run() async throws {
        try await Self.failing {
            if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
                throw CLIError(Self.postgresAdvice(url: url, data: common.data))
            }
            let summary = try await BlogArchive.backup(data: common.data, to: file)
            print(summary)
        }
    }

    /// What to run instead on PostgreSQL: the password stays out of the line (pg_dump reads PGPASSWORD or ~/.pgpass).
    static func postgresAdvice(url: String, data: String) -> String {
        var shown = url
        if var components = URLComponents(string: url), components.password != nil {
            components.password = nil
            shown = components.string ?? url
        }
        let day = Date().formatted(Date.ISO8601FormatStyle().year().month().day())
        return """
            this blog is on PostgreSQL, and `drey backup` copies SQLite blogs only. Back it up with PostgreSQL's own tool \
            (the password from PGPASSWORD or ~/.pgpass), and the uploads folder beside it:
              pg_dump --format=custom --no-owner --file=drey-\(day).dump '\(shown)'
              tar -czf drey-uploads-\(day).tar.gz -C '\(data)' uploads
            Restore with: pg_restore --no-owner --dbname='\(shown)' drey-\(day).dump
            """
    }
}

/// `drey restore FILE --data DIR`: unpacks a backup into an empty data folder, checked before it is trusted.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup made by `drey backup` into an empty data folder.",
        discussion: "The folder given with --data must be empty or not exist yet; an older backup is migrated to this version.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "The archive `drey backup` wrote.") var file: String

    func run() async throws {
        try await Self.failing {
            if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
                throw CLIError(
                    "`drey restore` writes a SQLite blog into --data; unset DATABASE_URL (a PostgreSQL blog is restored with pg_restore)")
            }
            print(try await BlogArchive.restore(from: file, data: common.data))
        }
    }
}

/// The archive's layout: `drey-backup.json` (what it holds), `drey.sqlite`, and `uploads/` when the blog has any.
enum BlogArchive {
    static let manifestName = "drey-backup.json"
    static let databaseName = "drey.sqlite"
    static let counted = ["posts", "comments", "users", "terms"]

    struct Manifest: Codable {
        var format = "drey-backup"
        var version = 1
        var createdAt: Date
        var schemaVersion: Int
        var counts: [String: Int]
        var uploads: Int
    }

    static var quiet: Logger {
        var logger = Logger(label: "drey-backup")
        logger.logLevel = .error
        return logger
    }

    static func backup(data: String, to file: String) async throws -> String {
        let fm = FileManager.default
        let source = (data as NSString).appendingPathComponent(databaseName)
        guard fm.fileExists(atPath: source) else { throw CLIError("there is no blog in \(data): \(source) does not exist") }
        let target = URL(fileURLWithPath: file).standardizedFileURL
        guard !fm.fileExists(atPath: target.path) else { throw CLIError("\(file) exists already: backups never overwrite, choose another name") }
        let folder = target.deletingLastPathComponent()
        guard fm.isWritableFile(atPath: folder.path) else { throw CLIError("cannot write in \(folder.path)") }
        let staging = folder.appendingPathComponent(".\(target.lastPathComponent).partial-\(UUID().uuidString.prefix(8))")
        try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        defer { try? fm.removeItem(at: staging) }
        let copy = staging.appendingPathComponent(databaseName).path

        let live = try await Database.open(sqlitePath: source, logger: quiet)
        do {
            try await live.snapshot(to: copy)
        } catch {
            await live.close()
            throw CLIError("the database could not be copied: \(error)")
        }
        await live.close()

        let (check, counts, versions) = try await inspect(copy)
        guard check == "ok" else {
            throw CLIError("the copy failed SQLite's check (\(check)); the blog itself may need `sqlite3 \(source) 'PRAGMA integrity_check'`")
        }
        let uploads = URL(fileURLWithPath: data).appendingPathComponent("uploads")
        let uploadCount = countFiles(uploads)
        let manifest = Manifest(createdAt: Date(), schemaVersion: versions.max() ?? 0, counts: counts, uploads: uploadCount)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: staging.appendingPathComponent(manifestName))

        let partial = staging.appendingPathComponent("archive").path
        var arguments = ["-c", "-f", partial] + (isCompressed(file) ? ["-z"] : []) + ["-C", staging.path, manifestName, databaseName]
        if fm.fileExists(atPath: uploads.path) { arguments += ["-C", URL(fileURLWithPath: data).path, "uploads"] }
        try runTar(arguments)
        try fm.moveItem(atPath: partial, toPath: target.path)
        let size = (try? fm.attributesOfItem(atPath: target.path)[.size] as? Int) ?? 0
        return "backed up \(data) to \(file) (\(ByteCountFormatter.string(fromByteCount: Int64(size), countStyle: .file))): "
            + describe(counts, uploads: uploadCount)
    }

    static func restore(from file: String, data: String) async throws -> String {
        let fm = FileManager.default
        guard fm.fileExists(atPath: file) else { throw CLIError("there is no backup at \(file)") }
        let dir = URL(fileURLWithPath: data).standardizedFileURL
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: dir.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CLIError("\(data) is a file, not a data folder") }
            let present = try fm.contentsOfDirectory(atPath: dir.path).sorted()
            guard present.isEmpty else {
                throw CLIError(
                    "restore only fills an empty data folder, and \(data) holds \(present.prefix(5).joined(separator: ", "))\(present.count > 5 ? ", …" : ""); "
                        + "give a new folder with --data (nothing was changed)")
            }
        }
        let created = !fm.fileExists(atPath: dir.path)
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        let staging = dir.appendingPathComponent(".restore-\(UUID().uuidString.prefix(8))")
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
            try runTar(["-x", "-f", URL(fileURLWithPath: file).standardizedFileURL.path, "-C", staging.path, "--no-same-owner"])
            let manifestData = fm.contents(atPath: staging.appendingPathComponent(manifestName).path)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            guard let manifestData, let manifest = try? decoder.decode(Manifest.self, from: manifestData), manifest.format == "drey-backup"
            else { throw CLIError("\(file) is not a backup made by `drey backup` (it has no \(manifestName))") }
            let database = staging.appendingPathComponent(databaseName).path
            guard fm.fileExists(atPath: database) else { throw CLIError("\(file) holds no \(databaseName)") }
            let (check, counts, versions) = try await inspect(database)
            guard check == "ok" else { throw CLIError("the database in \(file) is damaged (\(check))") }
            let unknown = Set(versions).subtracting(Migrator.knownVersions)
            guard unknown.isEmpty else {
                throw CLIError("\(file) was made by a newer drey (schema \(versions.max() ?? 0)); restore it with that version")
            }
            try fm.moveItem(atPath: database, toPath: dir.appendingPathComponent(databaseName).path)
            let uploads = staging.appendingPathComponent("uploads")
            if fm.fileExists(atPath: uploads.path) { try fm.moveItem(at: uploads, to: dir.appendingPathComponent("uploads")) }
            try fm.removeItem(at: staging)
            // A backup from an older drey comes up to this version's schema now, not at the first `serve`.
            let restored = try await Database.open(sqlitePath: dir.appendingPathComponent(databaseName).path, logger: quiet)
            do {
                try await Migrator(database: restored).migrate()
            } catch {
                await restored.close()
                throw CLIError("the restored database could not be migrated: \(error)")
            }
            await restored.close()
            let uploadCount = countFiles(dir.appendingPathComponent("uploads"))
            return "restored \(file) (made \(manifest.createdAt.formatted(Date.ISO8601FormatStyle()))) into \(data): "
                + describe(counts, uploads: uploadCount) + "\nserve it with: drey serve --data \(data)"
        } catch {
            // Leave the folder as it was found: empty, or not there at all.
            if created {
                try? fm.removeItem(at: dir)
            } else {
                for item in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] { try? fm.removeItem(at: dir.appendingPathComponent(item)) }
            }
            throw error
        }
    }

    static func inspect(_ path: String) async throws -> (check: String, counts: [String: Int], versions: [Int]) {
        let db = try await Database.open(sqlitePath: path, logger: quiet)
        do {
            let check = try await db.quickCheck()
            let counts = try await db.counts(counted)
            let versions = try await Migrator(database: db).appliedVersions()
            await db.close()
            return (check, counts, versions)
        } catch {
            await db.close()
            throw CLIError("\(path) is not a readable Drey database: \(error)")
        }
    }

    static func describe(_ counts: [String: Int], uploads: Int) -> String {
        "\(counts["posts"] ?? 0) posts and pages, \(counts["comments"] ?? 0) comments, \(counts["users"] ?? 0) users, \(uploads) uploaded files"
    }

    static func countFiles(_ folder: URL) -> Int {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return 0 }
        var n = 0
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { n += 1 }
        return n
    }

    static func isCompressed(_ file: String) -> Bool { file.hasSuffix(".gz") || file.hasSuffix(".tgz") }

    /// Debian's GNU tar: it refuses members that would land outside the folder (`..`, absolute names).
    static func runTar(_ arguments: [String]) throws {
        let tar: (status: Int32, output: String, error: String)
        do {
            tar = try ChildProcess.run("/usr/bin/env", ["tar"] + arguments)
        } catch {
            throw CLIError("tar could not be started: \(error)")
        }
        guard tar.status == 0 else {
            throw CLIError("tar failed: \(tar.error.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
