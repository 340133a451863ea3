import Foundation
import SQLKit

/// A consistent copy of a serving SQLite blog, and the checks a restore makes before it trusts one.
extension Database {
    /// Writes the whole database to `path` with `VACUUM INTO`: one read transaction, so the copy holds every write
    /// committed before it began and none after, while writers carry on (WAL). Not a file copy: a copy of the file
    /// and its `-wal` taken while pages move is not a database.
    public func snapshot(to path: String) async throws {
        guard dialect == .sqlite else { throw StoreError.invalid("a snapshot is made of SQLite databases only") }
        try await withSQL { try await $0.raw("VACUUM INTO \(bind: path)").run() }
    }

    /// SQLite's `quick_check`: "ok", or what is wrong with the file.
    public func quickCheck() async throws -> String {
        try await withSQL { db in
            try await db.raw("PRAGMA quick_check").all().map { try $0.decode(column: "quick_check", as: String.self) }
                .joined(separator: "; ")
        }
    }

    /// Rows in each of `tables`, for a summary a person can check against what they expect.
    public func counts(_ tables: [String]) async throws -> [String: Int] {
        try await withSQL { db in
            var result: [String: Int] = [:]
            for table in tables {
                result[table] = try await db.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0
            }
            return result
        }
    }
}
