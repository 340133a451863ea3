import DreyCore
import Foundation
import SQLKit

extension SQLStore: SpamStore {
    public func spamModelVersion(siteID: Int64) async throws -> Int64? {
        try await read { db in
            try await db.select().column("version").from("spam_models").where("site_id", .equal, SQLBind(siteID))
                .first(decodingColumn: "version", as: Int64.self)
        }
    }

    public func spamModel(siteID: Int64) async throws -> (version: Int64, data: Data?)? {
        try await read { db in
            guard
                let row = try await db.select().columns("version", "model").from("spam_models")
                    .where("site_id", .equal, SQLBind(siteID)).first()
            else { return nil }
            return (try row.int64("version"), try row.decode(column: "model", as: Data?.self))
        }
    }

    @discardableResult
    public func updateSpamModel(siteID: Int64, now: Date, _ body: @escaping @Sendable (Data?) throws -> Data) async throws -> Int64 {
        try await database.transaction { db in
            try await db.insert(into: "spam_models").columns("site_id", "version", "model", "updated_at")
                .values(SQLBind(siteID), SQLBind(0), SQLLiteral.null, SQLBind(now))
                .ignoringConflicts(with: ["site_id"]).run()
            // Bumping the version first takes the row lock on PostgreSQL (SQLite's write transaction is already exclusive).
            try await db.update("spam_models")
                .set("version", to: SQLBinaryExpression(SQLIdentifier("version"), .add, SQLLiteral.numeric("1")))
                .set("updated_at", to: SQLBind(now)).where("site_id", .equal, SQLBind(siteID)).run()
            guard
                let row = try await db.select().columns("version", "model").from("spam_models")
                    .where("site_id", .equal, SQLBind(siteID)).first()
            else { throw StoreError.invalid("spam model row vanished") }
            let version = try row.int64("version")
            let updated = try body(try row.decode(column: "model", as: Data?.self))
            try await db.update("spam_models").set("model", to: SQLBind(updated)).where("site_id", .equal, SQLBind(siteID)).run()
            return version
        }
    }

    public func useFormToken(siteID: Int64, nonce: String, expiresAt: Date) async throws -> Bool {
        try await read { db in try await Self.spendFormToken(db, siteID: siteID, nonce: nonce, expiresAt: expiresAt) }
    }

    /// Marks a form token used; false when it already was. Only a fresh insert returns a row: the unique key makes
    /// two racing uses of one token yield one winner.
    static func spendFormToken(_ db: any SQLDatabase, siteID: Int64, nonce: String, expiresAt: Date) async throws -> Bool {
        try await db.insert(into: "form_tokens").columns("site_id", "nonce", "expires_at")
            .values(SQLBind(siteID), SQLBind(nonce), SQLBind(expiresAt))
            .ignoringConflicts(with: ["site_id", "nonce"]).returning("nonce").first() != nil
    }

    /// Whether a comment was already stored with this form token.
    public func isFormTokenUsed(siteID: Int64, nonce: String) async throws -> Bool {
        try await read { db in
            try await db.select().column("nonce").from("form_tokens").where("site_id", .equal, SQLBind(siteID))
                .where("nonce", .equal, SQLBind(nonce)).first() != nil
        }
    }

    @discardableResult
    public func purgeFormTokens(before: Date) async throws -> Int {
        try await read { db in
            try await db.delete(from: "form_tokens").where("expires_at", .lessThan, SQLBind(before)).returning("nonce").all().count
        }
    }

    public func reputation(siteID: Int64, email: String, ip: String, websiteHost: String) async throws -> Reputation {
        let keys: [(Reputation.Key, String, String)] = [
            (.email, "author_email", email), (.ip, "author_ip", ip), (.website, "author_domain", websiteHost),
        ]
        return try await read { db in
            var result = Reputation(websiteHost: websiteHost)
            for (key, column, value) in keys where !value.isEmpty {
                let rows = try await db.select().column("status").column(SQLFunction("count", args: SQLLiteral.all), as: "n")
                    .from("comments").where("site_id", .equal, SQLBind(siteID)).where(column, .equal, SQLBind(value))
                    .where("status", .in, SQLBind.group([CommentStatus.spam.rawValue, CommentStatus.approved.rawValue]))
                    .groupBy("status").all()
                var counts = Reputation.Counts()
                for row in rows {
                    let n = try row.int("n")
                    if try row.string("status") == CommentStatus.spam.rawValue { counts.spam = n } else { counts.approved = n }
                }
                if counts != Reputation.Counts() { result.counts[key] = counts }
            }
            return result
        }
    }

    public func commentCount(siteID: Int64, ip: String?, email: String?, since: Date) async throws -> Int {
        try await read { db in
            var query = db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("comments")
                .where("site_id", .equal, SQLBind(siteID)).where("created_at", .greaterThanOrEqual, SQLBind(since))
            if let ip { query = query.where("author_ip", .equal, SQLBind(ip)) }
            if let email { query = query.where("author_email", .equal, SQLBind(email)) }
            return try await query.first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }

    public func lastCommentTime(siteID: Int64, ip: String, email: String) async throws -> Date? {
        if ip.isEmpty && email.isEmpty { return nil }
        return try await read { db in
            try await db.select().column(SQLFunction("max", args: SQLIdentifier("created_at")), as: "t").from("comments")
                .where("site_id", .equal, SQLBind(siteID))
                .where { group in
                    var g = group
                    if !ip.isEmpty { g = g.orWhere("author_ip", .equal, SQLBind(ip)) }
                    if !email.isEmpty { g = g.orWhere("author_email", .equal, SQLBind(email)) }
                    return g
                }
                .first(decodingColumn: "t", as: Date?.self) ?? nil
        }
    }

    @discardableResult
    public func purgeSpam(siteID: Int64, before: Date) async throws -> Int {
        try await read { db in
            try await db.delete(from: "comments").where("site_id", .equal, SQLBind(siteID))
                .where("status", .equal, SQLBind(CommentStatus.spam.rawValue)).where("created_at", .lessThan, SQLBind(before))
                .returning("id").all().count
        }
    }

    public func countDiscard(siteID: Int64, day: String, reason: String) async throws {
        try await read { db in
            try await db.insert(into: "spam_discards").columns("site_id", "day", "reason", "count")
                .values(SQLBind(siteID), SQLBind(day), SQLBind(reason), SQLBind(1))
                .onConflict(with: ["site_id", "day", "reason"]) {
                    $0.set("count", to: SQLBinaryExpression(SQLColumn("count", table: "spam_discards"), .add, SQLLiteral.numeric("1")))
                }
                .run()
        }
    }

    public func discards(siteID: Int64, sinceDay: String) async throws -> [(day: String, reason: String, count: Int)] {
        try await read { db in
            try await db.select().columns("day", "reason", "count").from("spam_discards").where("site_id", .equal, SQLBind(siteID))
                .where("day", .greaterThanOrEqual, SQLBind(sinceDay)).orderBy("day").orderBy("reason").all()
                .map { (try $0.string("day"), try $0.string("reason"), try $0.int("count")) }
        }
    }

    public func commentStatusCounts(siteID: Int64) async throws -> [CommentStatus: Int] {
        try await read { db in
            var counts: [CommentStatus: Int] = [:]
            for row in try await db.select().column("status").column(SQLFunction("count", args: SQLLiteral.all), as: "n")
                .from("comments").where("site_id", .equal, SQLBind(siteID)).groupBy("status").all()
            {
                counts[try row.enumValue("status", as: CommentStatus.self)] = try row.int("n")
            }
            return counts
        }
    }
}
