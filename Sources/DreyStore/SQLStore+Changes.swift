import DreyCore
import Foundation
import SQLKit

extension SQLStore: ChangeStore {
    public func atomically<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await database.transaction { _ in try await body() }
    }

    @discardableResult
    public func record(siteID: Int64, scopes: Set<CacheScope>) async throws -> Int64 {
        let text = scopes.map(\.key).sorted().joined(separator: ",")
        let dialect = database.dialect
        // Inside the write's own transaction when there is one (`ChangeFeed.commit`). On PostgreSQL, change rows are
        // numbered in commit order: readers take every id above the last they saw, so an id committed after a higher
        // one would be skipped. The lock, held to the end of the transaction, keeps writers of change rows in line;
        // it is taken last, so the write's own work runs in parallel. SQLite writes are serial anyway.
        return try await database.transaction { db in
            if dialect == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(\(literal: Self.changeLockKey))").run() }
            let id =
                try await db.insert(into: "changes").columns("site_id", "scopes", "created_at")
                .values(SQLBind(siteID), SQLBind(text), SQLBind(Date()))
                .returning("id").first(decodingColumn: "id", as: Int64.self) ?? 0
            if let notify = dialect.announceChangeSQL { try await db.raw(notify).run() }
            return id
        }
    }

    /// The advisory lock that orders change rows on PostgreSQL ("drey" in ASCII, as a number).
    static let changeLockKey: Int64 = 0x6472_6579

    /// At most this many changes are read at once; the feed reads again until it has them all.
    public static let changePage = 1000

    public func changes(after sequence: Int64) async throws -> [(sequence: Int64, siteID: Int64, scopes: Set<CacheScope>)] {
        try await read { db in
            try await db.select().columns("id", "site_id", "scopes").from("changes")
                .where("id", .greaterThan, SQLBind(sequence)).orderBy("id").limit(Self.changePage).all()
                .map { row in
                    let scopes = try row.string("scopes").split(separator: ",").compactMap { CacheScope(key: String($0)) }
                    return (try row.int64("id"), try row.int64("site_id"), Set(scopes))
                }
        }
    }

    /// The channel instances listen on for changes made elsewhere (PostgreSQL only).
    public static let changeChannel = "drey_changes"

    public func latestSequence() async throws -> Int64 {
        try await read { db in
            try await db.select().column(SQLFunction("max", args: SQLIdentifier("id")), as: "n").from("changes")
                .first(decodingColumn: "n", as: Int64?.self) ?? nil
        } ?? 0
    }

    /// The row that remembers how far the log was pruned; no instance is called this.
    static let prunedMarker = "~pruned"

    public func reportRead(instance: String, sequence: Int64, at date: Date) async throws {
        try await read { db in
            try await db.insert(into: "change_readers").columns("instance", "sequence", "seen_at")
                .values(SQLBind(instance), SQLBind(sequence), SQLBind(date))
                .onConflict(with: ["instance"]) { $0.set(excludedValueOf: "sequence").set(excludedValueOf: "seen_at") }.run()
        }
    }

    @discardableResult
    public func pruneChanges(before: Date, readersSince: Date) async throws -> Int {
        try await database.transaction { db in
            try await db.delete(from: "change_readers").where("seen_at", .lessThan, SQLBind(readersSince))
                .where("instance", .notEqual, SQLBind(Self.prunedMarker)).run()
            let seen =
                try await db.select().column(SQLFunction("min", args: SQLIdentifier("sequence")), as: "n")
                .from("change_readers").where("instance", .notEqual, SQLBind(Self.prunedMarker))
                .first(decodingColumn: "n", as: Int64?.self) ?? nil
            let newest =
                try await db.select().column(SQLFunction("max", args: SQLIdentifier("id")), as: "n").from("changes")
                .first(decodingColumn: "n", as: Int64?.self) ?? nil
            // With no live reader, nobody can miss anything; the newest row always stays, so sequences keep growing.
            guard let newest else { return 0 }
            let limit = min(seen ?? newest, newest - 1)
            guard
                let through = try await db.select().column(SQLFunction("max", args: SQLIdentifier("id")), as: "n").from("changes")
                    .where("id", .lessThanOrEqual, SQLBind(limit)).where("created_at", .lessThan, SQLBind(before))
                    .first(decodingColumn: "n", as: Int64?.self) ?? nil
            else { return 0 }
            let gone = try await db.delete(from: "changes").where("id", .lessThanOrEqual, SQLBind(through)).returning("id").all().count
            try await db.insert(into: "change_readers").columns("instance", "sequence", "seen_at")
                .values(SQLBind(Self.prunedMarker), SQLBind(through), SQLBind(before))
                .onConflict(with: ["instance"]) { $0.set(excludedValueOf: "sequence").set(excludedValueOf: "seen_at") }.run()
            return gone
        }
    }

    public func prunedThrough() async throws -> Int64 {
        try await read { db in
            try await db.select().column("sequence").from("change_readers").where("instance", .equal, SQLBind(Self.prunedMarker))
                .first(decodingColumn: "sequence", as: Int64.self)
        } ?? 0
    }
}
