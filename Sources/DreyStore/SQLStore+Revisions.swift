import DreyCore
import Foundation
import SQLKit

/// A saved state of a post, kept on every save so changes can be compared and undone.
public struct Revision: Sendable, Equatable, Identifiable {
    public enum Kind: String, Sendable { case revision, autosave }
    public var id: Int64
    public var postID: Int64
    public var kind: Kind
    public var title: String
    public var format: SourceFormat
    public var source: String
    public var excerpt: String
    public var authorID: Int64?
    public var createdAt: Date
}

extension SQLStore {
    public func addRevision(of post: Post, kind: Revision.Kind, by authorID: Int64?, at date: Date) async throws {
        try await read { db in
            if kind == .autosave {
                // One autosave per post: the newest replaces the last.
                try await db.delete(from: "post_revisions").where("post_id", .equal, SQLBind(post.id))
                    .where("kind", .equal, SQLBind(Revision.Kind.autosave.rawValue)).run()
            }
            try await db.insert(into: "post_revisions")
                .columns("post_id", "kind", "title", "format", "source", "excerpt", "author_id", "created_at")
                .values(
                    SQLBind(post.id), SQLBind(kind.rawValue), SQLBind(post.title), SQLBind(post.format.rawValue),
                    SQLBind(post.source), SQLBind(post.excerpt), SQLBind(authorID), SQLBind(date.storable)
                ).run()
        }
    }

    public func revisions(postID: Int64) async throws -> [Revision] {
        try await read { db in
            try await db.select().columns("id", "post_id", "kind", "title", "format", "source", "excerpt", "author_id", "created_at")
                .from("post_revisions").where("post_id", .equal, SQLBind(postID))
                .orderBy("created_at", .descending).orderBy("id", .descending).all().map { row in
                    Revision(
                        id: try row.int64("id"), postID: try row.int64("post_id"), kind: try row.enumValue("kind", as: Revision.Kind.self),
                        title: try row.string("title"), format: try row.enumValue("format", as: SourceFormat.self),
                        source: try row.string("source"), excerpt: try row.string("excerpt"),
                        authorID: try row.optionalInt64("author_id"), createdAt: try row.date("created_at"))
                }
        }
    }
}

/// What the admin's post list filters by.
public struct AdminPostFilter: Sendable {
    public var siteID: Int64
    public var type: PostType = .post
    public var status: PostStatus? = nil
    public var search: String = ""
    public var authorID: Int64? = nil
    public var termID: Int64? = nil
    /// Set for people without `read_private_posts` and `edit_others_posts`: of others' posts they see only published ones.
    public var onlyOwnUnpublished: Int64? = nil
    public var limit = 20
    public var offset = 0

    public init(siteID: Int64) { self.siteID = siteID }
}

extension SQLStore {
    func adminFiltered(_ select: SQLSelectBuilder, _ f: AdminPostFilter) -> SQLSelectBuilder {
        var q = select.from("posts").where("site_id", .equal, SQLBind(f.siteID)).where("type", .equal, SQLBind(f.type.rawValue))
        if let status = f.status {
            q = q.where("status", .equal, SQLBind(status.rawValue))
        } else {
            q = q.where("status", .notEqual, SQLBind(PostStatus.trash.rawValue))
        }
        if !f.search.isEmpty {
            q = q.where(SQLFunction("lower", args: SQLIdentifier("title")), .like, SQLBind("%" + f.search.lowercased() + "%"))
        }
        if let authorID = f.authorID { q = q.where("author_id", .equal, SQLBind(authorID)) }
        if let reader = f.onlyOwnUnpublished { q = q.where { Self.readable($0, by: reader) } }
        if let termID = f.termID {
            q = q.where("id", .in, SQLSubquery.select { $0.column("post_id").from("post_terms").where("term_id", .equal, SQLBind(termID)) })
        }
        return q
    }

    public func adminPosts(_ f: AdminPostFilter) async throws -> (posts: [Post], total: Int) {
        try await read { db in
            let total = try await adminFiltered(db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n"), f)
                .first(decodingColumn: "n", as: Int.self) ?? 0
            let posts = try await adminFiltered(db.select().columns(Self.postColumns), f)
                .orderBy("published_at", .descending).orderBy("id", .descending).limit(f.limit).offset(f.offset).all()
                .map(Self.post(from:))
            return (posts, total)
        }
    }

    /// Published posts, and any post by `reader`.
    static func readable<W: SQLPredicateBuilder>(_ w: W, by reader: Int64) -> W {
        w.where("status", .equal, SQLBind(PostStatus.publish.rawValue)).orWhere("author_id", .equal, SQLBind(reader))
    }

    /// How many posts of a type each status has, for the list's tabs; with `onlyOwnUnpublished`, as that person may see them.
    public func postCounts(siteID: Int64, type: PostType, onlyOwnUnpublished reader: Int64? = nil) async throws -> [PostStatus: Int] {
        try await read { db in
            var query = db.select().column("status").column(SQLFunction("count", args: SQLLiteral.all), as: "n")
                .from("posts").where("site_id", .equal, SQLBind(siteID)).where("type", .equal, SQLBind(type.rawValue))
            if let reader { query = query.where { Self.readable($0, by: reader) } }
            let rows = try await query.groupBy("status").all()
            var counts: [PostStatus: Int] = [:]
            for row in rows { if let s = PostStatus(rawValue: try row.string("status")) { counts[s] = try row.int("n") } }
            return counts
        }
    }

    public func commentCounts(siteID: Int64) async throws -> [CommentStatus: Int] {
        try await read { db in
            let rows = try await db.select().column("status").column(SQLFunction("count", args: SQLLiteral.all), as: "n")
                .from("comments").where("site_id", .equal, SQLBind(siteID)).groupBy("status").all()
            var counts: [CommentStatus: Int] = [:]
            for row in rows { if let s = CommentStatus(rawValue: try row.string("status")) { counts[s] = try row.int("n") } }
            return counts
        }
    }

    /// Deletes comments for good (emptying spam or trash); returns the posts whose counts changed.
    public func deleteComments(siteID: Int64, status: CommentStatus) async throws -> [Int64] {
        try await database.transaction { db in
            let postIDs = try await db.select().column("post_id").from("comments").where("site_id", .equal, SQLBind(siteID))
                .where("status", .equal, SQLBind(status.rawValue)).all().map { try $0.int64("post_id") }
            // Replies keep existing; their parent link is cleared by the foreign key.
            try await db.delete(from: "comments").where("site_id", .equal, SQLBind(siteID)).where("status", .equal, SQLBind(status.rawValue)).run()
            for id in Set(postIDs) { try await Self.recount(db, postID: id) }
            return Array(Set(postIDs))
        }
    }

    public func updateComment(_ comment: Comment) async throws {
        try await read { db in
            try await db.update("comments")
                .set("author_name", to: SQLBind(comment.authorName)).set("author_email", to: SQLBind(comment.authorEmail))
                .set("author_url", to: SQLBind(comment.authorURL)).set("source", to: SQLBind(comment.source))
                .set("content_html", to: SQLBind(comment.contentHTML))
                .where("id", .equal, SQLBind(comment.id)).run()
        }
    }

    public func setStatus(_ status: PostStatus, postIDs: [Int64], siteID: Int64) async throws {
        guard !postIDs.isEmpty else { return }
        try await read { db in
            try await db.update("posts").set("status", to: SQLBind(status.rawValue))
                .where("site_id", .equal, SQLBind(siteID)).where("id", .in, SQLBind.group(postIDs)).run()
        }
    }
}
