import DreyCore
import Foundation
import SQLKit

extension SQLStore: UserStore {
    static let userColumns = ["id", "email", "login", "display_name", "url", "password_hash", "active"]
    static let userColumnList = ColumnList(userColumns)
    static let userColumnsOfUsers = ColumnList(userColumns, table: "users")

    static func user(from row: any SQLRow) throws -> User {
        User(
            id: try row.int64("id"), email: try row.string("email"), login: try row.string("login"),
            displayName: try row.string("display_name"), url: try row.string("url"),
            passwordHash: try row.string("password_hash"), active: try row.bool("active"))
    }

    public func createUser(_ user: User) async throws -> User {
        try await read { db in
            let existing = try await db.select().column("id").from("users")
                .where(SQLFunction("lower", args: SQLIdentifier("email")), .equal, SQLBind(user.email.lowercased()))
                .orWhere(SQLFunction("lower", args: SQLIdentifier("login")), .equal, SQLBind(user.login.lowercased()))
                .first()
            if existing != nil { throw StoreError.conflict("a user with email \(user.email) or login \(user.login) already exists") }
            let id = try await db.insert(into: "users")
                .columns("email", "login", "display_name", "url", "password_hash", "active", "created_at")
                .values(
                    SQLBind(user.email), SQLBind(user.login), SQLBind(user.displayName), SQLBind(user.url),
                    SQLBind(user.passwordHash), SQLBind(user.active), SQLBind(Date())
                )
                .returning("id").first(decodingColumn: "id", as: Int64.self)
            var created = user
            created.id = id ?? 0
            return created
        }
    }

    public func user(id: Int64) async throws -> User? {
        try await read { db in
            try await db.raw("SELECT \(Self.userColumnList) FROM users WHERE id = \(bind: id) LIMIT 1").first().map(Self.user(from:))
        }
    }

    public func user(email: String) async throws -> User? {
        try await read { db in
            try await db.select().column(Self.userColumnList).from("users")
                .where(SQLFunction("lower", args: SQLIdentifier("email")), .equal, SQLBind(email.lowercased()))
                .first().map(Self.user(from:))
        }
    }

    public func user(login: String) async throws -> User? {
        try await read { db in
            try await db.select().column(Self.userColumnList).from("users")
                .where(SQLFunction("lower", args: SQLIdentifier("login")), .equal, SQLBind(login.lowercased()))
                .first().map(Self.user(from:))
        }
    }

    public func users(ids: [Int64]) async throws -> [Int64: User] {
        guard !ids.isEmpty else { return [:] }
        return try await read { db in
            let rows = try await db.select().column(Self.userColumnList).from("users")
                .where("id", .in, SQLBind.group(Array(Set(ids)))).all()
            return Dictionary(
                uniqueKeysWithValues: try rows.map {
                    let u = try Self.user(from: $0)
                    return (u.id, u)
                })
        }
    }

    public func setRole(_ role: Role, userID: Int64, siteID: Int64) async throws {
        try await read { db in
            try await db.insert(into: "memberships").columns("site_id", "user_id", "role")
                .values(SQLBind(siteID), SQLBind(userID), SQLBind(role.rawValue))
                .onConflict(with: ["site_id", "user_id"]) { $0.set(excludedValueOf: "role") }
                .run()
        }
    }

    public func role(userID: Int64, siteID: Int64) async throws -> Role? {
        try await read { db in
            try await db.select().column("role").from("memberships")
                .where("site_id", .equal, SQLBind(siteID)).where("user_id", .equal, SQLBind(userID))
                .first().flatMap { Role(rawValue: try $0.string("role")) }
        }
    }

    public func members(siteID: Int64) async throws -> [(User, Role)] {
        try await read { db in
            let rows = try await db.select().column(Self.userColumnsOfUsers)
                .column(SQLColumn("role", table: "memberships"))
                .from("users").join("memberships", on: SQLColumn("user_id", table: "memberships"), .equal, SQLColumn("id", table: "users"))
                .where(SQLColumn("site_id", table: "memberships"), .equal, SQLBind(siteID))
                .orderBy(SQLColumn("id", table: "users")).all()
            return try rows.map { (try Self.user(from: $0), try $0.enumValue("role", as: Role.self)) }
        }
    }
}
