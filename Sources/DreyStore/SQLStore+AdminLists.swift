import DreyCore
import Foundation
import SQLKit

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
            let total =
                try await adminFiltered(db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n"), f)
                .first(decodingColumn: "n", as: Int.self) ?? 0
            let posts = try await adminFiltered(db.select().column(Self.postColumnList), f)
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
}
