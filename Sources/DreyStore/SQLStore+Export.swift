import DreyCore
import Foundation
import SQLKit

/// Reads a whole site for export from one connection, inside one read transaction, so the file
/// describes the site as it was at one moment even while the server keeps writing.
public struct ExportReader: Sendable {
    let db: any SQLDatabase
    public let siteID: Int64

    public struct Author: Sendable {
        public let user: User
        public let wpAuthorID: Int64?
    }

    /// Every member of the site, and every other user who wrote one of its posts or uploads, so
    /// each `dc:creator` has its `wp:author` (WordPress's importer maps authors by that list).
    public func authors() async throws -> [Author] {
        let rows = try await db.select().column(SQLStore.userColumnsOfUsers)
            .column(SQLColumn("wp_author_id", table: "memberships"))
            .from("users").join("memberships", on: SQLColumn("user_id", table: "memberships"), .equal, SQLColumn("id", table: "users"))
            .where(SQLColumn("site_id", table: "memberships"), .equal, SQLBind(siteID))
            .orderBy(SQLColumn("id", table: "users")).all()
        var authors = try rows.map { Author(user: try SQLStore.user(from: $0), wpAuthorID: try $0.optionalInt64("wp_author_id")) }
        let known = Set(authors.map(\.user.id))
        var writers = try await db.select().distinct().column("author_id").from("posts")
            .where("site_id", .equal, SQLBind(siteID)).all().map { try $0.int64("author_id") }
        writers += try await db.select().distinct().column("author_id").from("media")
            .where("site_id", .equal, SQLBind(siteID)).where("author_id", .isNot, SQLLiteral.null).all()
            .map { try $0.int64("author_id") }
        let missing = Array(Set(writers.filter { !known.contains($0) }))
        if !missing.isEmpty {
            authors += try await db.select().column(SQLStore.userColumnList).from("users")
                .where("id", .in, SQLBind.group(missing)).orderBy("id").all()
                .map { Author(user: try SQLStore.user(from: $0), wpAuthorID: nil) }
        }
        return authors
    }

    public func terms() async throws -> [(term: Term, wpID: Int64?)] {
        try await db.select().columns(SQLStore.termColumns + ["wp_id"]).from("terms")
            .where("site_id", .equal, SQLBind(siteID)).orderBy("id").all()
            .map { (try SQLStore.term(from: $0), try $0.optionalInt64("wp_id")) }
    }

    /// Slug, type and parent of every post, for page paths and parent IDs without loading bodies.
    public func outline() async throws -> [Int64: (slug: String, type: PostType, parentID: Int64?, wpID: Int64?)] {
        var result: [Int64: (String, PostType, Int64?, Int64?)] = [:]
        for row in try await db.select().columns("id", "slug", "type", "parent_id", "wp_id").from("posts")
            .where("site_id", .equal, SQLBind(siteID)).all()
        {
            result[try row.int64("id")] = (
                try row.string("slug"), try row.enumValue("type", as: PostType.self), try row.optionalInt64("parent_id"),
                try row.optionalInt64("wp_id")
            )
        }
        return result
    }

    /// Posts and pages of every status in ID order, `limit` at a time after `id`.
    public func posts(after id: Int64, limit: Int) async throws -> [(post: Post, wpID: Int64?)] {
        try await db.select().columns(SQLStore.postColumns + ["wp_id"]).from("posts")
            .where("site_id", .equal, SQLBind(siteID)).where("id", .greaterThan, SQLBind(id))
            .orderBy("id").limit(limit).all()
            .map { (try SQLStore.post(from: $0), try $0.optionalInt64("wp_id")) }
    }

    public func termIDs(postIDs: [Int64]) async throws -> [Int64: [Int64]] {
        guard !postIDs.isEmpty else { return [:] }
        var result: [Int64: [Int64]] = [:]
        for row in try await db.select().columns("post_id", "term_id").from("post_terms")
            .where("post_id", .in, SQLBind.group(postIDs)).orderBy("term_id").all()
        {
            result[try row.int64("post_id"), default: []].append(try row.int64("term_id"))
        }
        return result
    }

    /// Comments of every status on these posts, oldest first.
    public func comments(postIDs: [Int64]) async throws -> [Int64: [(comment: Comment, wpID: Int64?)]] {
        guard !postIDs.isEmpty else { return [:] }
        var result: [Int64: [(Comment, Int64?)]] = [:]
        for row in try await db.select().columns(SQLStore.commentColumns + ["wp_id"]).from("comments")
            .where("post_id", .in, SQLBind.group(postIDs)).orderBy("created_at").orderBy("id").all()
        {
            let comment = try SQLStore.comment(from: row)
            result[comment.postID, default: []].append((comment, try row.optionalInt64("wp_id")))
        }
        return result
    }

    public func media() async throws -> [(media: Media, wpID: Int64?)] {
        try await db.select().columns(SQLStore.mediaColumns + ["wp_id"]).from("media")
            .where("site_id", .equal, SQLBind(siteID)).orderBy("id").all()
            .map { (try SQLStore.media(from: $0), try $0.optionalInt64("wp_id")) }
    }

    /// The largest WordPress ID kept in `table` (posts and media share WordPress's ID space).
    public func maxWordPressID(_ table: ExportTable) async throws -> Int64 {
        let n = try await db.select().column(SQLFunction("max", args: SQLIdentifier(table.column)), as: "n")
            .from(table.rawValue).where("site_id", .equal, SQLBind(siteID))
            .first(decodingColumn: "n", as: Int64?.self)
        return (n ?? nil) ?? 0
    }

    public func maxID(_ table: ExportTable) async throws -> Int64 {
        let n = try await db.select().column(SQLFunction("max", args: SQLIdentifier("id")), as: "n")
            .from(table.rawValue).where("site_id", .equal, SQLBind(siteID))
            .first(decodingColumn: "n", as: Int64?.self)
        return (n ?? nil) ?? 0
    }
}

public enum ExportTable: String, Sendable {
    case posts, comments, terms, media, memberships

    var column: String { self == .memberships ? "wp_author_id" : "wp_id" }
}

extension SQLStore {
    /// Runs `body` with a reader that sees one consistent state of the site.
    public func exportSnapshot<T: Sendable>(siteID: Int64, _ body: @Sendable (ExportReader) async throws -> T) async throws -> T {
        let begin = database.dialect.readSnapshotBegin
        return try await database.withSQL { db in
            try await db.raw(SQLQueryString(begin)).run()
            do {
                let result = try await body(ExportReader(db: db, siteID: siteID))
                try await db.raw("COMMIT").run()
                return result
            } catch {
                // In a task of its own, so a cancelled export still ends its transaction (see `Database.run(transaction:)`).
                try? await Task { try await db.raw("ROLLBACK").run() }.value
                throw error
            }
        }
    }
}

extension Database.Dialect {
    /// A read transaction that sees one snapshot and takes no write lock.
    var readSnapshotBegin: String {
        switch self {
        case .sqlite: return "BEGIN DEFERRED"
        case .postgres: return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        }
    }
}
