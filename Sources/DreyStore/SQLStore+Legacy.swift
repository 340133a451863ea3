import DreyCore
import Foundation
import SQLKit

/// Lookups by the identities a WordPress site used, so its old links can be redirected.
extension SQLStore {
    /// The post or page that had WordPress ID `wordPressID` before the import.
    public func post(wordPressID: Int64, siteID: Int64) async throws -> Post? {
        try await read { db in
            try await db.select().column(Self.postColumnList).from("posts")
                .where("site_id", .equal, SQLBind(siteID)).where("wp_id", .equal, SQLBind(wordPressID))
                .first().map(Self.post(from:))
        }
    }

    public func term(wordPressID: Int64, taxonomy: Taxonomy, siteID: Int64) async throws -> Term? {
        try await read { db in
            try await db.select().column(Self.termColumnList).from("terms").where("site_id", .equal, SQLBind(siteID))
                .where("taxonomy", .equal, SQLBind(taxonomy.rawValue)).where("wp_id", .equal, SQLBind(wordPressID))
                .first().map(Self.term(from:))
        }
    }

    /// The member who was author `wordPressAuthorID` on the WordPress site.
    public func user(wordPressAuthorID: Int64, siteID: Int64) async throws -> User? {
        try await read { db in
            try await db.select().column(Self.userColumnsOfUsers).from("users")
                .join("memberships", on: SQLColumn("user_id", table: "memberships"), .equal, SQLColumn("id", table: "users"))
                .where(SQLColumn("site_id", table: "memberships"), .equal, SQLBind(siteID))
                .where(SQLColumn("wp_author_id", table: "memberships"), .equal, SQLBind(wordPressAuthorID))
                .first().map(Self.user(from:))
        }
    }

    public func media(wordPressID: Int64, siteID: Int64) async throws -> Media? {
        try await read { db in
            try await db.select().column(Self.mediaColumnList).from("media").where("site_id", .equal, SQLBind(siteID))
                .where("wp_id", .equal, SQLBind(wordPressID)).first().map(Self.media(from:))
        }
    }

    public func media(id: Int64, siteID: Int64) async throws -> Media? {
        try await read { db in
            try await db.select().column(Self.mediaColumnList).from("media").where("site_id", .equal, SQLBind(siteID))
                .where("id", .equal, SQLBind(id)).first().map(Self.media(from:))
        }
    }

    /// What an old address of the site now names, if an import recorded it.
    public func legacyTarget(path: String, siteID: Int64) async throws -> LegacyTarget? {
        try await read { db in
            guard
                let row = try await db.select().columns("kind", "target_id").from("legacy_paths")
                    .where("site_id", .equal, SQLBind(siteID)).where("path", .equal, SQLBind(path)).first()
            else { return nil }
            return LegacyTarget(kind: try row.string("kind"), id: try row.int64("target_id"))
        }
    }
}
