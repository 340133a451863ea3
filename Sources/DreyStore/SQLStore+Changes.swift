import DreyCore
import Foundation
import SQLKit

extension SQLStore: ChangeStore {
    @discardableResult
    public func record(siteID: Int64, scopes: Set<CacheScope>) async throws -> Int64 {
        let text = scopes.map(\.key).sorted().joined(separator: ",")
        let dialect = database.dialect
        return try await read { db in
            let id = try await db.insert(into: "changes").columns("site_id", "scopes", "created_at")
                .values(SQLBind(siteID), SQLBind(text), SQLBind(Date()))
                .returning("id").first(decodingColumn: "id", as: Int64.self) ?? 0
            if let notify = dialect.announceChangeSQL { try await db.raw(notify).run() }
            return id
        }
    }

    public func changes(after sequence: Int64) async throws -> [(sequence: Int64, siteID: Int64, scopes: Set<CacheScope>)] {
        try await read { db in
            try await db.select().columns("id", "site_id", "scopes").from("changes")
                .where("id", .greaterThan, SQLBind(sequence)).orderBy("id").limit(1000).all()
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
}
