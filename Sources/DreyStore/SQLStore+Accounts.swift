import DreyCore
import Foundation
import SQLKit

extension SQLStore: AccountStore {
    public func createSession(idHash: String, userID: Int64, expiresAt: Date, ip: String, userAgent: String) async throws {
        try await read { db in
            try await db.insert(into: "sessions").columns("id", "user_id", "created_at", "expires_at", "ip", "user_agent")
                .values(SQLBind(idHash), SQLBind(userID), SQLBind(Date()), SQLBind(expiresAt), SQLBind(ip), SQLBind(String(userAgent.prefix(255))))
                .run()
        }
    }

    public func session(idHash: String) async throws -> SessionRecord? {
        try await read { db in
            try await db.select().columns("id", "user_id", "created_at", "expires_at").from("sessions")
                .where("id", .equal, SQLBind(idHash)).first().map {
                    SessionRecord(
                        id: try $0.string("id"), userID: try $0.int64("user_id"), createdAt: try $0.date("created_at"),
                        expiresAt: try $0.date("expires_at"))
                }
        }
    }

    public func deleteSession(idHash: String) async throws {
        try await read { db in try await db.delete(from: "sessions").where("id", .equal, SQLBind(idHash)).run() }
    }

    /// Signs a person out on every browser.
    public func deleteSessions(userID: Int64) async throws {
        try await read { db in try await db.delete(from: "sessions").where("user_id", .equal, SQLBind(userID)).run() }
    }

    public func recordLoginFailure(keys: [String], at date: Date) async throws {
        try await read { db in
            for key in keys {
                try await db.insert(into: "login_failures").columns("key", "at").values(SQLBind(key), SQLBind(date)).run()
            }
        }
    }

    public func loginFailures(key: String, since: Date) async throws -> Int {
        try await read { db in
            try await db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("login_failures")
                .where("key", .equal, SQLBind(key)).where("at", .greaterThanOrEqual, SQLBind(since))
                .first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }

    /// Forgets failed sign-ins and reset requests recorded before `date`; returns how many.
    public func pruneLoginFailures(before date: Date) async throws -> Int {
        try await write { db in
            try await db.delete(from: "login_failures").where("at", .lessThan, SQLBind(date)).returning("key").all().count
        }
    }

    public func clearLoginFailures(key: String) async throws {
        try await read { db in try await db.delete(from: "login_failures").where("key", .equal, SQLBind(key)).run() }
    }

    public func createPasswordReset(idHash: String, userID: Int64, expiresAt: Date) async throws {
        try await read { db in
            try await db.insert(into: "password_resets").columns("id", "user_id", "created_at", "expires_at")
                .values(SQLBind(idHash), SQLBind(userID), SQLBind(Date()), SQLBind(expiresAt)).run()
        }
    }

    /// Forgets a link whose mail could not be sent.
    public func deletePasswordReset(idHash: String) async throws {
        try await read { db in try await db.delete(from: "password_resets").where("id", .equal, SQLBind(idHash)).run() }
    }

    /// Marks a reset link used and returns its user, in one step so a link works once only.
    public func consumePasswordReset(idHash: String, now: Date) async throws -> Int64? {
        try await database.transaction { db in
            guard
                let row = try await db.select().columns("user_id", "expires_at", "used_at").from("password_resets")
                    .where("id", .equal, SQLBind(idHash)).first()
            else { return nil }
            guard try row.decode(column: "used_at", as: Date?.self) == nil, try row.date("expires_at") > now else { return nil }
            let userID = try row.int64("user_id")
            // Every other link of the account ends with this one: an older mail must not reopen it.
            try await Self.endPasswordResets(db, userID: userID, at: now)
            return userID
        }
    }

    public func passwordResetIsUsable(idHash: String, now: Date) async throws -> Bool {
        try await read { db in
            guard
                let row = try await db.select().columns("expires_at", "used_at").from("password_resets")
                    .where("id", .equal, SQLBind(idHash)).first()
            else { return false }
            return try row.decode(column: "used_at", as: Date?.self) == nil && row.date("expires_at") > now
        }
    }

    /// A new password ends every reset link the account still has, whoever changed it and how.
    public func setPassword(hash: String, userID: Int64) async throws {
        try await database.transaction { db in
            try await db.update("users").set("password_hash", to: SQLBind(hash)).where("id", .equal, SQLBind(userID)).run()
            try await Self.endPasswordResets(db, userID: userID, at: Date())
        }
    }

    static func endPasswordResets(_ db: any SQLDatabase, userID: Int64, at date: Date) async throws {
        try await db.update("password_resets").set("used_at", to: SQLBind(date)).where("user_id", .equal, SQLBind(userID))
            .where("used_at", .is, SQLLiteral.null).run()
    }

    public func setActive(_ active: Bool, userID: Int64) async throws {
        try await read { db in
            try await db.update("users").set("active", to: SQLBind(active)).where("id", .equal, SQLBind(userID)).run()
        }
    }

    public func removeMembership(userID: Int64, siteID: Int64) async throws {
        try await read { db in
            try await db.delete(from: "memberships").where("user_id", .equal, SQLBind(userID)).where("site_id", .equal, SQLBind(siteID)).run()
        }
    }

    public func hasAdministrator(siteID: Int64) async throws -> Bool {
        try await read { db in
            try await db.select().column("user_id").from("memberships").where("site_id", .equal, SQLBind(siteID))
                .where("role", .equal, SQLBind(Role.administrator.rawValue)).first() != nil
        }
    }
}
