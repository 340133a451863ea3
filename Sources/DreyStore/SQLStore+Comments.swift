import DreyCore
import Foundation
import SQLKit

extension SQLStore: CommentStore {
    static let commentColumns = [
        "id", "site_id", "post_id", "parent_id", "type", "status", "author_name", "author_email", "author_url",
        "author_ip", "user_agent", "user_id", "source", "content_html", "created_at", "moderation_note", "spam_score",
    ]
    static let commentColumnList = ColumnList(commentColumns)
    /// What a page shows of a comment: not what was typed, nor where it came from or the moderator's note.
    /// With the reader who wrote it, so a page asks for readers' faces only when a comment has one.
    static let displayCommentColumnList = ColumnList(
        commentColumns + ["reader_id"], emptied: ["source", "author_ip", "user_agent", "moderation_note"])

    static func comment(from row: any SQLRow) throws -> Comment {
        Comment(
            id: try row.int64("id"), siteID: try row.int64("site_id"), postID: try row.int64("post_id"),
            parentID: try row.optionalInt64("parent_id"), type: try row.enumValue("type", as: CommentType.self),
            status: try row.enumValue("status", as: CommentStatus.self), authorName: try row.string("author_name"),
            authorEmail: try row.string("author_email"), authorURL: try row.string("author_url"),
            authorIP: try row.string("author_ip"), userAgent: try row.string("user_agent"),
            userID: try row.optionalInt64("user_id"), source: try row.string("source"),
            contentHTML: try row.string("content_html"), createdAt: try row.date("created_at"),
            moderationNote: try row.string("moderation_note"), spamScore: try row.decode(column: "spam_score", as: Double?.self),
            readerID: row.contains(column: "reader_id") ? try row.optionalInt64("reader_id") : nil)
    }

    /// Thrown by `insert(_:spending:)` when the form token was spent meanwhile: nothing was stored.
    public typealias FormTokenSpent = DreyCore.FormTokenSpent

    /// Stores a comment; with `spending`, marks that form token used in the same transaction, so a form is spent
    /// only by a comment that was stored (a refused or failed one can be sent again) and two racing uses store one.
    public func insert(_ comment: Comment) async throws -> Comment {
        try await insert(comment, spending: nil)
    }

    public func insert(_ comment: Comment, spending token: (nonce: String, expiresAt: Date)?) async throws -> Comment {
        try await database.transaction { db in
            if let token, try await !Self.spendFormToken(db, siteID: comment.siteID, nonce: token.nonce, expiresAt: token.expiresAt) {
                throw FormTokenSpent()
            }
            let id = try await db.insert(into: "comments")
                .columns(Array(Self.commentColumns.dropFirst()) + ["author_domain"])
                .values(
                    SQLBind(comment.siteID), SQLBind(comment.postID), SQLBind(comment.parentID),
                    SQLBind(comment.type.rawValue), SQLBind(comment.status.rawValue), SQLBind(comment.authorName),
                    SQLBind(comment.authorEmail), SQLBind(comment.authorURL), SQLBind(comment.authorIP),
                    SQLBind(comment.userAgent), SQLBind(comment.userID), SQLBind(comment.source),
                    SQLBind(comment.contentHTML), SQLBind(comment.createdAt.storable), SQLBind(comment.moderationNote),
                    SQLBind(comment.spamScore), SQLBind(Reputation.websiteHost(comment.authorURL))
                )
                .returning("id").first(decodingColumn: "id", as: Int64.self)
            guard let id else { throw StoreError.invalid("comment was not created") }
            try await Self.recount(db, postID: comment.postID)
            var saved = comment
            saved.id = id
            saved.createdAt = comment.createdAt.storable
            return saved
        }
    }

    public func comment(id: Int64) async throws -> Comment? {
        try await read { db in
            try await db.select().column(Self.commentColumnList).from("comments").where("id", .equal, SQLBind(id))
                .first().map(Self.comment(from:))
        }
    }

    public func comments(postID: Int64, statuses: [CommentStatus]) async throws -> [Comment] {
        try await comments(postID: postID, statuses: statuses, forDisplay: false)
    }

    /// `forDisplay`: without what a page does not show (the source, the address and browser, the moderation note),
    /// which come back empty; such a comment is for showing only, never to edit and save.
    public func comments(postID: Int64, statuses: [CommentStatus], forDisplay: Bool) async throws -> [Comment] {
        try await read { db in
            try await db.raw(
                """
                SELECT \(forDisplay ? Self.displayCommentColumnList : Self.commentColumnList) FROM comments \
                WHERE post_id = \(bind: postID) AND status IN (\(binds: statuses.map(\.rawValue))) ORDER BY created_at, id
                """
            ).all().map(Self.comment(from:))
        }
    }

    public func comments(siteID: Int64, statuses: [CommentStatus], limit: Int, offset: Int) async throws -> [Comment] {
        try await read { db in
            try await db.select().column(Self.commentColumnList).from("comments").where("site_id", .equal, SQLBind(siteID))
                .where("status", .in, SQLBind.group(statuses.map(\.rawValue)))
                .orderBy("created_at", .descending).orderBy("id", .descending)
                .limit(limit).offset(offset).all().map(Self.comment(from:))
        }
    }

    public func setStatus(_ status: CommentStatus, commentID: Int64) async throws {
        try await database.transaction { db in
            guard
                let postID = try await db.select().column("post_id").from("comments")
                    .where("id", .equal, SQLBind(commentID)).first(decodingColumn: "post_id", as: Int64.self)
            else { throw StoreError.notFound("no comment with ID \(commentID)") }
            try await db.update("comments").set("status", to: SQLBind(status.rawValue))
                .where("id", .equal, SQLBind(commentID)).run()
            try await Self.recount(db, postID: postID)
        }
    }

    public func hasApproved(email: String, authorName: String, siteID: Int64) async throws -> Bool {
        try await read { db in
            try await db.select().column("id").from("comments").where("site_id", .equal, SQLBind(siteID))
                .where("author_email", .equal, SQLBind(email)).where("author_name", .equal, SQLBind(authorName))
                .where("status", .equal, SQLBind(CommentStatus.approved.rawValue)).limit(1).first() != nil
        }
    }

    public func isDuplicate(postID: Int64, email: String, authorName: String, source: String) async throws -> Bool {
        try await read { db in
            try await db.select().column("id").from("comments").where("post_id", .equal, SQLBind(postID))
                .where("source", .equal, SQLBind(source))
                .where { $0.where("author_email", .equal, SQLBind(email)).orWhere("author_name", .equal, SQLBind(authorName)) }
                .where("status", .notEqual, SQLBind(CommentStatus.trash.rawValue))
                .limit(1).first() != nil
        }
    }

    public func lastCommentTime(ip: String, siteID: Int64) async throws -> Date? {
        try await read { db in
            try await db.select().column(SQLFunction("max", args: SQLIdentifier("created_at")), as: "t").from("comments")
                .where("site_id", .equal, SQLBind(siteID)).where("author_ip", .equal, SQLBind(ip))
                .first(decodingColumn: "t", as: Date?.self) ?? nil
        }
    }

    public func recount(postID: Int64) async throws -> Int {
        try await read { db in try await Self.recount(db, postID: postID) }
    }

    @discardableResult
    static func recount(_ db: any SQLDatabase, postID: Int64) async throws -> Int {
        let count =
            try await db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("comments")
            .where("post_id", .equal, SQLBind(postID)).where("status", .equal, SQLBind(CommentStatus.approved.rawValue))
            .first(decodingColumn: "n", as: Int.self) ?? 0
        try await db.update("posts").set("comment_count", to: SQLBind(count)).where("id", .equal, SQLBind(postID)).run()
        return count
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
}
