import DreyCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// The one handle on the database: SQLite in the data folder by default, PostgreSQL when given a URL.
public final class Database: Sendable {
    public enum Dialect: String, Sendable { case sqlite, postgres }

    public let dialect: Dialect
    let backend: Backend
    let logger: Logger
    let writeGate = WriteGate()

    enum Backend: Sendable {
        case sqlite(SQLitePool)
        case postgres(PostgresClient, Task<Void, Never>)
    }

    /// Opens SQLite at `path`, or PostgreSQL when `url` is a `postgres://` URL.
    public static func open(sqlitePath: String? = nil, url: String? = nil, logger: Logger) async throws -> Database {
        if let url, !url.isEmpty {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw StoreError.invalid("DATABASE_URL must start with postgres:// (got '\(url.prefix(20))…')")
            }
            return try await openPostgres(url: url, logger: logger)
        }
        guard let sqlitePath else { throw StoreError.invalid("no database path given") }
        let pool = try await SQLitePool.open(path: sqlitePath, size: 4, logger: logger)
        return Database(dialect: .sqlite, backend: .sqlite(pool), logger: logger)
    }

    init(dialect: Dialect, backend: Backend, logger: Logger) {
        self.dialect = dialect
        self.backend = backend
        self.logger = logger
    }

    static func openPostgres(url: String, logger: Logger) async throws -> Database {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw StoreError.invalid("DATABASE_URL is not a valid URL")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let query = components.queryItems ?? []
        let tls = try PostgresTLS(
            sslmode: query.first(where: { $0.name == "sslmode" })?.value,
            rootCertificate: query.first(where: { $0.name == "sslrootcert" })?.value)
        // libpq's `connect_timeout` (seconds) is honoured; PostgresNIO's 10 s otherwise.
        let connectTimeout = query.first(where: { $0.name == "connect_timeout" })?.value.flatMap(Int64.init).flatMap { $0 > 0 ? $0 : nil }
        do {
            try await tls.probe(
                host: host, port: components.port ?? 5432, username: components.user ?? "postgres", password: components.password,
                database: database.isEmpty ? nil : database, connectTimeout: connectTimeout, logger: logger)
        } catch {
            throw StoreError.invalid("cannot connect to PostgreSQL at \(host):\(components.port ?? 5432): \(String(reflecting: error).prefix(300))")
        }
        var config = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database.isEmpty ? nil : database, tls: tls.client)
        config.options.maximumConnections = 16
        if let connectTimeout { config.options.connectTimeout = .seconds(connectTimeout) }
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        let runner = Task { await client.run() }
        let db = Database(dialect: .postgres, backend: .postgres(client, runner), logger: logger)
        // Give the runner a moment to start: a lease taken before `run()` works but warns on every CLI command.
        try? await Task.sleep(for: .milliseconds(5))
        // Fail fast with a clear message rather than on the first page view.
        do {
            try await db.withSQL { try await $0.raw("SELECT 1").run() }
        } catch {
            runner.cancel()
            throw StoreError.invalid("cannot connect to PostgreSQL at \(host):\(components.port ?? 5432): \(String(reflecting: error).prefix(300))")
        }
        return db
    }

    /// Runs `body` on one connection from the pool, or on the open transaction this task is inside (`transaction`),
    /// so a service's reads see its own uncommitted writes.
    public func withSQL<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        if let open = Self.ambient, open.database === self, open.isOpen { return try await body(open.sql) }
        switch backend {
        case .sqlite(let pool):
            return try await pool.withConnection { try await body($0.sql()) }
        case .postgres(let client, _):
            return try await client.withConnection { try await body($0.sql()) }
        }
    }

    /// `withSQL` for a body that reads: on SQLite outside a transaction, its `SELECT`s run on connections that keep
    /// their prepared statements (`SQLiteReads`); anything else it runs goes to sqlite-nio's pool as in `withSQL`.
    func withReads<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        if let open = Self.ambient, open.database === self, open.isOpen { return try await body(open.sql) }
        guard case .sqlite(let pool) = backend else { return try await withSQL(body) }
        return try await body(ReadingSQLiteDatabase(reads: pool.reads, pool: pool, template: pool.template, gate: writeGate))
    }

    /// Runs `body`, which only reads, with its store reads in one read transaction on SQLite: one state of the blog,
    /// and one read lock instead of one per statement (`SQLiteReads.Snapshot`). On PostgreSQL, or inside a
    /// transaction, it runs as it is.
    public func readSnapshot<T>(_ body: () async throws -> T) async rethrows -> T {
        guard case .sqlite(let pool) = backend, Self.ambient == nil else { return try await body() }
        return try await pool.reads.snapshot(body)
    }

    /// Runs `body` with its store reads outside the snapshot it is inside, if any: for what is remembered past the
    /// response by the change it was read at (the menu), which must not be read from a state older than that change.
    public func outsideSnapshot<T>(_ body: () async throws -> T) async rethrows -> T {
        guard case .sqlite(let pool) = backend else { return try await body() }
        return try await pool.reads.outsideSnapshot(body)
    }

    /// Runs `body` in one transaction: all of it is committed, or none of it.
    ///
    /// Every query `body` makes through this database, directly or through the store's methods, joins the
    /// transaction (a task-local names it), and so does a `transaction` started inside it: a service can write a
    /// post, its change row and the jobs the write causes as one unit, with store methods that know nothing of it.
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        if let open = Self.ambient, open.database === self, open.isOpen { return try await body(open.sql) }
        guard dialect == .sqlite else { return try await run(transaction: body) }
        // One SQLite write transaction at a time per process. Waiting for the write lock happens in
        // SQLite's busy handler on one of the few NIO pool threads; two such waits could take every
        // thread from the connection that holds the lock, and all would stall until the busy timeout.
        return try await writeGate.serialized { try await self.run(transaction: body) }
    }

    /// The transaction a task is inside; closed once it ends, so a task it spawned cannot use the connection later.
    final class OpenTransaction: Sendable {
        let database: Database
        let sql: any SQLDatabase
        private let open = Locked(true)

        init(database: Database, sql: any SQLDatabase) {
            self.database = database
            self.sql = sql
        }

        var isOpen: Bool { open.withLock { $0 } }
        func close() { open.withLock { $0 = false } }
    }

    @TaskLocal static var ambient: OpenTransaction?

    private func run<T: Sendable>(transaction body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withSQL { db in
            try await db.raw(SQLQueryString(self.dialect == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN")).run()
            let open = OpenTransaction(database: self, sql: db)
            do {
                let result = try await Self.$ambient.withValue(open) { try await body(db) }
                open.close()
                try await db.raw("COMMIT").run()
                return result
            } catch {
                open.close()
                // Not in this task: a cancelled task's ROLLBACK would be refused before it ran, and the connection would
                // go back to the pool inside the transaction, holding SQLite's write lock ("cannot start a transaction
                // within a transaction" for the next, every other writer waiting out the busy timeout).
                try? await Task { try await db.raw("ROLLBACK").run() }.value
                throw error
            }
        }
    }

    /// On PostgreSQL, calls `onNotify` for every notification on `channel` until cancelled; returns at once on SQLite.
    public func listen(channel: String, onNotify: @escaping @Sendable () async -> Void) async throws {
        guard case .postgres(let client, _) = backend else { return }
        try await client.withConnection { connection in
            try await connection.listen(on: channel) { notifications in
                for try await _ in notifications { await onNotify() }
            }
        }
    }

    public func close() async {
        switch backend {
        case .sqlite(let pool): await pool.close()
        case .postgres(_, let runner): runner.cancel()
        }
    }
}

public enum StoreError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    case conflict(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .invalid(let m), .conflict(let m), .notFound(let m): return m
        }
    }
}
