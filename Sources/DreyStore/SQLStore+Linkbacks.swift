import DreyCore
import Foundation
import SQLKit

extension SQLStore: LinkbackStore {
    static let webmentionColumns = [
        "id", "site_id", "post_id", "source", "target", "token", "state", "kind", "author_name", "author_url",
        "author_photo", "comment_id", "detail", "created_at", "updated_at",
    ]
    static let webmentionColumnList = ColumnList(webmentionColumns)

    static func webmention(from row: any SQLRow) throws -> ReceivedWebmention {
        ReceivedWebmention(
            id: try row.int64("id"), siteID: try row.int64("site_id"), postID: try row.int64("post_id"),
            source: try row.string("source"), target: try row.string("target"), token: try row.string("token"),
            state: try row.enumValue("state", as: WebmentionState.self), kind: try row.enumValue("kind", as: MentionKind.self),
            authorName: try row.string("author_name"), authorURL: try row.string("author_url"),
            authorPhoto: try row.string("author_photo"), commentID: try row.optionalInt64("comment_id"),
            detail: try row.string("detail"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }

    public func queueWebmention(siteID: Int64, postID: Int64, source: String, target: String, token: String, now: Date)
        async throws -> ReceivedWebmention
    {
        let columns = Self.webmentionColumns.joined(separator: ", ")
        let stamp = now.storable
        // A repeated Webmention is the sender saying the source changed: queue it again, same row and status URL.
        let row = try await write { db in
            try await db.raw(
                """
                INSERT INTO webmentions (site_id, post_id, source, target, token, state, kind, created_at, updated_at)
                VALUES (\(bind: siteID), \(bind: postID), \(bind: source), \(bind: target), \(bind: token), 'queued', 'mention',
                \(bind: stamp), \(bind: stamp))
                ON CONFLICT (site_id, source, target) DO UPDATE SET state = 'queued', post_id = excluded.post_id,
                updated_at = excluded.updated_at
                RETURNING \(unsafeRaw: columns)
                """
            ).first()
        }
        guard let row else { throw StoreError.invalid("webmention was not stored") }
        return try Self.webmention(from: row)
    }

    public func webmention(id: Int64) async throws -> ReceivedWebmention? {
        try await read { db in
            try await db.select().column(Self.webmentionColumnList).from("webmentions").where("id", .equal, SQLBind(id))
                .first().map(Self.webmention(from:))
        }
    }

    public func webmention(token: String) async throws -> ReceivedWebmention? {
        try await read { db in
            try await db.select().column(Self.webmentionColumnList).from("webmentions").where("token", .equal, SQLBind(token))
                .first().map(Self.webmention(from:))
        }
    }

    public func update(_ w: ReceivedWebmention) async throws {
        try await write { db in
            try await db.update("webmentions").set("state", to: SQLBind(w.state.rawValue)).set("kind", to: SQLBind(w.kind.rawValue))
                .set("author_name", to: SQLBind(w.authorName)).set("author_url", to: SQLBind(w.authorURL))
                .set("author_photo", to: SQLBind(w.authorPhoto)).set("comment_id", to: SQLBind(w.commentID))
                .set("detail", to: SQLBind(String(w.detail.prefix(1000)))).set("updated_at", to: SQLBind(w.updatedAt.storable))
                .where("id", .equal, SQLBind(w.id)).run()
        }
    }

    public func webmentions(postID: Int64) async throws -> [ReceivedWebmention] {
        try await read { db in
            try await db.select().column(Self.webmentionColumnList).from("webmentions").where("post_id", .equal, SQLBind(postID))
                .orderBy("id").all().map(Self.webmention(from:))
        }
    }

    public func webmentions(siteID: Int64, limit: Int) async throws -> [ReceivedWebmention] {
        try await read { db in
            try await db.select().column(Self.webmentionColumnList).from("webmentions").where("site_id", .equal, SQLBind(siteID))
                .orderBy("updated_at", .descending).orderBy("id", .descending).limit(limit).all().map(Self.webmention(from:))
        }
    }

    /// Whether `url` already linked to the post by any protocol: a pingback or trackback stored from it, or a
    /// Webmention from it that is queued or accepted. One source–target pair is one linkback.
    public func hasPing(postID: Int64, from url: String) async throws -> Bool {
        try await read { db in
            if try await db.select().column("id").from("comments").where("post_id", .equal, SQLBind(postID))
                .where("author_url", .equal, SQLBind(url)).limit(1).first() != nil
            {
                return true
            }
            return try await db.select().column("id").from("webmentions").where("post_id", .equal, SQLBind(postID))
                .where("source", .equal, SQLBind(url)).where("state", .in, ["queued", "accepted"])
                .limit(1).first() != nil
        }
    }

    /// The pingback or trackback comment a page at `source` left on the post, if one is stored and not in the trash.
    public func pingComment(postID: Int64, source: String) async throws -> Int64? {
        try await read { db in
            try await db.select().column("id").from("comments").where("post_id", .equal, SQLBind(postID))
                .where("author_url", .equal, SQLBind(source)).where("type", .in, ["pingback", "trackback"])
                .where("status", .notEqual, SQLBind("trash")).orderBy("id").limit(1).first(decodingColumn: "id", as: Int64.self)
        }
    }

    public func updateLinkbackComment(id: Int64, authorName: String, authorURL: String, source: String, contentHTML: String)
        async throws
    {
        try await database.transaction { db in
            guard
                let postID = try await db.update("comments").set("author_name", to: SQLBind(authorName))
                    .set("author_url", to: SQLBind(authorURL)).set("source", to: SQLBind(source))
                    .set("content_html", to: SQLBind(contentHTML)).where("id", .equal, SQLBind(id)).returning("post_id")
                    .first(decodingColumn: "post_id", as: Int64.self)
            else { throw StoreError.notFound("no comment with ID \(id)") }
            try await Self.recount(db, postID: postID)
        }
    }

    static let sendColumns = [
        "id", "site_id", "post_id", "target", "method", "endpoint", "state", "http_status", "detail", "attempts", "updated_at",
    ]
    static let sendColumnList = ColumnList(sendColumns)

    static func sent(from row: any SQLRow) throws -> SentLinkback {
        SentLinkback(
            id: try row.int64("id"), siteID: try row.int64("site_id"), postID: try row.int64("post_id"),
            target: try row.string("target"), method: try row.enumValue("method", as: SendMethod.self),
            endpoint: try row.string("endpoint"), state: try row.enumValue("state", as: SendState.self),
            httpStatus: try row.int("http_status"), detail: try row.string("detail"), attempts: try row.int("attempts"),
            updatedAt: try row.date("updated_at"))
    }

    public func sendRecord(siteID: Int64, postID: Int64, target: String, now: Date) async throws -> SentLinkback {
        let columns = Self.sendColumns.joined(separator: ", ")
        let row = try await write { db in
            try await db.raw(
                """
                INSERT INTO linkback_sends (site_id, post_id, target, method, state, updated_at)
                VALUES (\(bind: siteID), \(bind: postID), \(bind: target), 'none', 'pending', \(bind: now.storable))
                ON CONFLICT (post_id, target) DO UPDATE SET updated_at = linkback_sends.updated_at
                RETURNING \(unsafeRaw: columns)
                """
            ).first()
        }
        guard let row else { throw StoreError.invalid("send record was not stored") }
        return try Self.sent(from: row)
    }

    public func update(_ s: SentLinkback) async throws {
        try await write { db in
            try await db.update("linkback_sends").set("method", to: SQLBind(s.method.rawValue))
                .set("endpoint", to: SQLBind(s.endpoint)).set("state", to: SQLBind(s.state.rawValue))
                .set("http_status", to: SQLBind(s.httpStatus)).set("detail", to: SQLBind(String(s.detail.prefix(1000))))
                .set("attempts", to: SQLBind(s.attempts)).set("updated_at", to: SQLBind(s.updatedAt.storable))
                .where("id", .equal, SQLBind(s.id)).run()
        }
    }

    public func sends(postID: Int64) async throws -> [SentLinkback] {
        try await read { db in
            try await db.select().column(Self.sendColumnList).from("linkback_sends").where("post_id", .equal, SQLBind(postID))
                .orderBy("id").all().map(Self.sent(from:))
        }
    }

    public func sends(siteID: Int64, limit: Int) async throws -> [SentLinkback] {
        try await read { db in
            try await db.select().column(Self.sendColumnList).from("linkback_sends").where("site_id", .equal, SQLBind(siteID))
                .orderBy("updated_at", .descending).orderBy("id", .descending).limit(limit).all().map(Self.sent(from:))
        }
    }
}
