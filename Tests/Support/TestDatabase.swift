import DreyCore
import DreyStore
import Foundation
import Logging
import SQLKit

/// Where a test's blog lives: a fresh SQLite folder, or a fresh database on the test PostgreSQL.
public struct TestLocation: Sendable {
    public let kind: TestDatabase
    public let dataDirectory: String
    public let databaseURL: String?
    let cleanupDatabase: String?

    init(kind: TestDatabase, dataDirectory: String, databaseURL: String?, cleanupDatabase: String?) {
        self.kind = kind
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.cleanupDatabase = cleanupDatabase
    }

    /// Another folder on an existing database: its cleanup leaves the database alone.
    public init(kind: TestDatabase, dataDirectory: String, databaseURL: String?) {
        self.init(kind: kind, dataDirectory: dataDirectory, databaseURL: databaseURL, cleanupDatabase: nil)
    }

    /// Removes the folder and drops the database.
    public func cleanup() async {
        try? FileManager.default.removeItem(atPath: dataDirectory)
        if let name = cleanupDatabase, let admin = TestDatabase.adminURL {
            if let db = try? await Database.open(url: admin, logger: TestDatabase.logger) {
                try? await db.withSQL { try await $0.raw(SQLQueryString("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)")).run() }
                await db.close()
            }
        }
    }
}

/// The databases every store and HTTP test runs on. PostgreSQL is never skipped: without
/// `DREY_TEST_POSTGRES_URL` (which `make test` provides) those tests fail with a clear message.
public enum TestDatabase: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite, postgres

    public var description: String { rawValue }

    static let logger: Logger = {
        var l = Logger(label: "drey-test")
        l.logLevel = .error
        return l
    }()

    /// With a long `connect_timeout`: the whole suite on two cores can keep a connection waiting past PostgresNIO's
    /// 10 s.
    static var adminURL: String? { ProcessInfo.processInfo.environment["DREY_TEST_POSTGRES_URL"].map(patient) }

    static func patient(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.queryItems =
            (components.queryItems ?? []).filter { $0.name != "connect_timeout" } + [URLQueryItem(name: "connect_timeout", value: "60")]
        return components.string ?? url
    }

    public struct MissingPostgres: Error, CustomStringConvertible {
        public var description: String {
            "DREY_TEST_POSTGRES_URL is not set: run the suite with `make test`, which starts a throwaway PostgreSQL"
        }
    }

    /// A new empty location; the caller opens it (which migrates) and calls `cleanup()`.
    public func makeLocation() async throws -> TestLocation {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drey-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        switch self {
        case .sqlite:
            return TestLocation(kind: self, dataDirectory: dir, databaseURL: nil, cleanupDatabase: nil)
        case .postgres:
            guard let admin = Self.adminURL, var components = URLComponents(string: admin) else { throw MissingPostgres() }
            let name = "drey_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            let template = try await PostgresTemplate.shared.name(admin: admin)
            let db = try await Database.open(url: admin, logger: Self.logger)
            try await db.withSQL {
                try await $0.raw(SQLQueryString("CREATE DATABASE \(unsafeRaw: String(name)) TEMPLATE \(unsafeRaw: template)")).run()
            }
            await db.close()
            components.path = "/" + name
            return TestLocation(kind: self, dataDirectory: dir, databaseURL: components.string, cleanupDatabase: String(name))
        }
    }

    /// A fresh migrated database, for store tests that need no web layer.
    public func openMigrated() async throws -> (Database, TestLocation) {
        let location = try await makeLocation()
        let db = try await Database.open(
            sqlitePath: (location.dataDirectory as NSString).appendingPathComponent("drey.sqlite"), url: location.databaseURL,
            logger: Self.logger)
        try await Migrator(database: db).migrate()
        return (db, location)
    }

    /// `body` on a fresh migrated database, closed and removed afterwards whether `body` throws or not.
    public func withMigrated<T>(_ body: (Database, TestLocation) async throws -> T) async throws -> T {
        let (db, location) = try await openMigrated()
        let result: Result<T, any Error>
        do { result = .success(try await body(db, location)) } catch { result = .failure(error) }
        await db.close()
        await location.cleanup()
        return try result.get()
    }
}

/// Read-only test material from outside the project (`../shared/data`).
public enum SharedData {
    public static var directory: URL {
        if let env = ProcessInfo.processInfo.environment["DREY_SHARED_DIR"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    public static func file(_ relative: String) -> URL { directory.appendingPathComponent("data").appendingPathComponent(relative) }
}

/// Runs a Python check from `Tests/python`, returning its exit status and output.
public enum PythonCheck {
    /// The Python that has the test clients: `DREY_TEST_PYTHON` (the virtual environment `scripts/test.sh` makes),
    /// else `python3` from the PATH.
    public static var python: String {
        let given = ProcessInfo.processInfo.environment["DREY_TEST_PYTHON"] ?? ""
        return given.isEmpty ? "python3" : given
    }

    /// `run` from async code, waiting on a GCD thread (see `offThread`); in async code the compiler picks this one.
    public static func run(_ script: String, arguments: [String]) async throws -> (status: Int32, output: String) {
        try await offThread { try run(script, arguments: arguments) }
    }

    public static func run(_ script: String, arguments: [String]) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(
            "/usr/bin/env", [python, SharedData.packageRoot.appendingPathComponent("Tests/python/\(script)").path] + arguments,
            error: .sameAsOutput)
        let result = child.collect()
        return (result.status, String(decoding: result.output, as: UTF8.self))
    }
}

/// One migrated database per schema, copied by PostgreSQL for each test (`CREATE DATABASE … TEMPLATE`), so a test
/// starts from a migrated schema without running every migration again.
actor PostgresTemplate {
    static let shared = PostgresTemplate()
    private var made: Task<String, any Error>?

    func name(admin: String) async throws -> String {
        if let made { return try await made.value }
        let task = Task { try await Self.make(admin: admin) }
        made = task
        return try await task.value
    }

    private static func make(admin: String) async throws -> String {
        let name = "drey_tmpl_" + Migrator.schemaSignature
        let db = try await Database.open(url: admin, logger: TestDatabase.logger)
        do {
            let exists = try await db.withSQL {
                try await $0.raw("SELECT 1 AS x FROM pg_database WHERE datname = \(bind: name)").first() != nil
            }
            if !exists {
                // Built under a name of its own and renamed when complete: a run stopped half-way leaves no template.
                let building = "drey_tmpl_build_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
                try await db.withSQL { try await $0.raw(SQLQueryString("CREATE DATABASE \(unsafeRaw: String(building))")).run() }
                guard var components = URLComponents(string: admin) else { throw TestDatabase.MissingPostgres() }
                components.path = "/" + building
                guard let url = components.string else { throw TestDatabase.MissingPostgres() }
                let fresh = try await Database.open(url: url, logger: TestDatabase.logger)
                try await Migrator(database: fresh).migrate()
                await fresh.close()
                try await db.withSQL { sql in
                    try await sql.raw("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(bind: String(building))").run()
                    try await sql.raw(SQLQueryString("ALTER DATABASE \(unsafeRaw: String(building)) RENAME TO \(unsafeRaw: name)")).run()
                }
            }
            await db.close()
            return name
        } catch {
            await db.close()
            throw error
        }
    }
}
