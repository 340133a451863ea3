import Foundation
import SQLKit

/// Applies the numbered migrations that a database has not seen yet.
public struct Migrator: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Names the schema the migrations make: tests keep one migrated template database per schema.
    public static var schemaSignature: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Migrations.all.map({ "\($0.number):\($0.name)" }).joined(separator: ",").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "\(Migrations.all.count)_\(String(hash, radix: 16))"
    }

    /// Migrates to the newest schema; returns the names of the migrations applied now.
    @discardableResult
    public func migrate() async throws -> [String] {
        let dialect = database.dialect
        try await database.withSQL { db in
            try await db.raw(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)
                """
            ).run()
        }
        var applied: [String] = []
        for migration in Migrations.all {
            let done = try await database.transaction { db -> Bool in
                // Several instances may start together: the transaction (and on PostgreSQL an
                // advisory lock) makes only one of them apply each step.
                if dialect == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(7140001)").run() }
                let rows = try await db.select().column("version").from("schema_migrations")
                    .where("version", .equal, SQLBind(migration.number)).all()
                if !rows.isEmpty { return false }
                for statement in migration.statements(for: dialect) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.insert(into: "schema_migrations").columns("version", "name", "applied_at")
                    .values(SQLBind(migration.number), SQLBind(migration.name), SQLBind(ISO8601DateFormatter().string(from: Date())))
                    .run()
                return true
            }
            if done { applied.append(String(format: "%04d_%@", migration.number, migration.name)) }
        }
        return applied
    }

    /// Versions applied so far, for `drey migrate --status`.
    public func appliedVersions() async throws -> [Int] {
        try await database.withSQL { db in
            try await db.select().column("version").from("schema_migrations").orderBy("version").all()
                .map { try $0.decode(column: "version", as: Int.self) }
        }
    }

    /// The numbers of every known migration, in order.
    public static var knownVersions: [Int] { Migrations.all.map(\.number) }
}
