import DreyCore
import Foundation
import SQLKit

extension SQLStore: PostStore {
    static let postColumns = [
        "id", "site_id", "type", "status", "slug", "title", "format", "source", "content_html", "excerpt",
        "author_id", "parent_id", "menu_order", "published_at", "modified_at", "sticky", "comment_status",
        "ping_status", "password", "typography", "guid", "comment_count", "featured_media_id",
    ]
    static let postColumnList = ColumnList(postColumns)
    static let displayColumnList = ColumnList(postColumns, emptied: ["source"])
    static let linkColumnList = ColumnList(postColumns, emptied: ["source", "content_html", "excerpt"])

    static func columnList(_ reading: PostReading) -> ColumnList {
        switch reading {
        case .everything: return postColumnList
        case .forDisplay: return displayColumnList
        case .forLinks: return linkColumnList
        }
    }

    static func post(from row: any SQLRow) throws -> Post {
        Post(
            id: try row.int64("id"), siteID: try row.int64("site_id"), type: try row.enumValue("type", as: PostType.self),
            status: try row.enumValue("status", as: PostStatus.self), slug: try row.string("slug"),
            title: try row.string("title"), format: try row.enumValue("format", as: SourceFormat.self),
            source: try row.string("source"), contentHTML: try row.string("content_html"),
            excerpt: try row.string("excerpt"), authorID: try row.int64("author_id"),
            parentID: try row.optionalInt64("parent_id"), menuOrder: try row.int("menu_order"),
            publishedAt: try row.date("published_at"), modifiedAt: try row.date("modified_at"),
            sticky: try row.bool("sticky"), commentStatus: try row.enumValue("comment_status", as: OpenStatus.self),
            pingStatus: try row.enumValue("ping_status", as: OpenStatus.self), password: try row.string("password"),
            typography: Typography(storageString: try row.string("typography")), guid: try row.string("guid"),
            commentCount: try row.int("comment_count"), featuredMediaID: try row.optionalInt64("featured_media_id"))
    }

    static func values(_ post: Post) -> [any SQLExpression] {
        [
            SQLBind(post.siteID), SQLBind(post.type.rawValue), SQLBind(post.status.rawValue), SQLBind(post.slug),
            SQLBind(post.title), SQLBind(post.format.rawValue), SQLBind(post.source), SQLBind(post.contentHTML),
            SQLBind(PlainText.fromHTML(post.contentHTML)), SQLBind(post.excerpt), SQLBind(post.authorID),
            SQLBind(post.parentID), SQLBind(post.menuOrder), SQLBind(post.publishedAt.storable),
            SQLBind(post.modifiedAt.storable), SQLBind(post.sticky), SQLBind(post.commentStatus.rawValue),
            SQLBind(post.pingStatus.rawValue), SQLBind(post.password), SQLBind(post.typography.storageString),
            SQLBind(post.guid), SQLBind(post.commentCount),
        ]
    }

    static let writableColumns = [
        "site_id", "type", "status", "slug", "title", "format", "source", "content_html", "content_text", "excerpt",
        "author_id", "parent_id", "menu_order", "published_at", "modified_at", "sticky", "comment_status",
        "ping_status", "password", "typography", "guid", "comment_count",
    ]

    public func insert(_ post: Post, termIDs: [Int64]) async throws -> Post {
        try await database.transaction { db in
            let id = try await db.insert(into: "posts").columns(Self.writableColumns).values(Self.values(post))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
            guard let id else { throw StoreError.invalid("post was not created") }
            try await Self.replaceTerms(db, postID: id, termIDs: termIDs)
            var saved = post
            saved.id = id
            saved.publishedAt = post.publishedAt.storable
            saved.modifiedAt = post.modifiedAt.storable
            return saved
        }
    }

    public func update(_ post: Post, termIDs: [Int64]) async throws {
        try await database.transaction { db in
            var update = db.update("posts").where("id", .equal, SQLBind(post.id))
            for (column, value) in zip(Self.writableColumns, Self.values(post)) where column != "comment_count" {
                update = update.set(SQLIdentifier(column), to: value)
            }
            try await update.run()
            try await Self.replaceTerms(db, postID: post.id, termIDs: termIDs)
        }
    }

    static func replaceTerms(_ db: any SQLDatabase, postID: Int64, termIDs: [Int64]) async throws {
        try await db.delete(from: "post_terms").where("post_id", .equal, SQLBind(postID)).run()
        for termID in Set(termIDs).sorted() {
            try await db.insert(into: "post_terms").columns("post_id", "term_id")
                .values(SQLBind(postID), SQLBind(termID)).run()
        }
    }

    public func post(id: Int64, siteID: Int64) async throws -> Post? {
        try await post(id: id, siteID: siteID, reading: .everything)
    }

    public func post(id: Int64, siteID: Int64, reading: PostReading) async throws -> Post? {
        try await read { db in
            try await db.raw("SELECT \(Self.columnList(reading)) FROM posts WHERE id = \(bind: id) AND site_id = \(bind: siteID) LIMIT 1")
                .first().map(Self.post(from:))
        }
    }

    public func post(slug: String, type: PostType, siteID: Int64) async throws -> Post? {
        try await post(slug: slug, type: type, siteID: siteID, reading: .everything)
    }

    public func post(slug: String, type: PostType, siteID: Int64, reading: PostReading) async throws -> Post? {
        try await read { db in
            try await db.raw(
                """
                SELECT \(Self.columnList(reading)) FROM posts \
                WHERE site_id = \(bind: siteID) AND "type" = \(bind: type.rawValue) AND slug = \(bind: slug) LIMIT 1
                """
            ).first().map(Self.post(from:))
        }
    }

    public func slugExists(_ slug: String, type: PostType, siteID: Int64, excluding id: Int64?) async throws -> Bool {
        try await read { db in
            var q = db.select().column("id").from("posts").where("site_id", .equal, SQLBind(siteID))
                .where("type", .equal, SQLBind(type.rawValue)).where("slug", .equal, SQLBind(slug))
            if let id { q = q.where("id", .notEqual, SQLBind(id)) }
            return try await q.first() != nil
        }
    }

    /// `FROM` and `WHERE` of a post list. The lists and the post page's queries are written as SQL rather than
    /// built with SQLKit's builder, whose serialization (an existential call and a string replacement per
    /// identifier) was a tenth of an uncached post page (decision 0028).
    func filtered(_ query: PostQuery) -> SQLQueryString {
        var q: SQLQueryString = """
            FROM posts WHERE site_id = \(bind: query.siteID) AND "type" = \(bind: query.type.rawValue) \
            AND status IN (\(binds: query.statuses.map(\.rawValue)))
            """
        if let termIDs = query.termIDs {
            q += " AND id IN (SELECT post_id FROM post_terms WHERE term_id IN (\(binds: termIDs.isEmpty ? [-1] : termIDs)))"
        }
        if let authorID = query.authorID { q += " AND author_id = \(bind: authorID)" }
        if let from = query.publishedFrom { q += " AND published_at >= \(bind: from)" }
        if let before = query.publishedBefore { q += " AND published_at < \(bind: before)" }
        return q
    }

    public func posts(_ query: PostQuery) async throws -> [Post] {
        try await read { db in
            let direction = query.newestFirst ? "DESC" : "ASC"
            let order: SQLQueryString =
                " ORDER BY \(unsafeRaw: query.stickyFirst ? "sticky DESC, " : "")published_at \(unsafeRaw: direction), id \(unsafeRaw: direction)"
            let page: SQLQueryString = " LIMIT \(literal: query.limit) OFFSET \(literal: query.offset)"
            return try await db.raw("SELECT \(Self.columnList(query.reading)) " + filtered(query) + order + page).all().map(Self.post(from:))
        }
    }

    public func count(_ query: PostQuery) async throws -> Int {
        try await read { db in
            try await db.raw("SELECT count(*) AS n " + filtered(query)).first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }

    public func search(siteID: Int64, text: String, limit: Int, offset: Int) async throws -> (posts: [Post], total: Int) {
        let dialect = database.dialect
        guard let search = dialect.searchQuery(text) else { return ([], 0) }
        return try await read { db in
            let columns = Self.postColumns.map { "p.\($0)" }.joined(separator: ", ")
            let rows = try await db.raw(dialect.searchSQL(columns: columns, siteID: siteID, query: search, limit: limit, offset: offset)).all()
            let total = try await db.raw(dialect.searchCountSQL(siteID: siteID, query: search)).first(decodingColumn: "n", as: Int.self) ?? 0
            return (try rows.map(Self.post(from:)), total)
        }
    }

    public func publishDue(now: Date) async throws -> [(siteID: Int64, postID: Int64)] {
        try await database.transaction { db in
            let rows = try await db.select().columns("id", "site_id").from("posts")
                .where("status", .equal, SQLBind(PostStatus.future.rawValue))
                .where("published_at", .lessThanOrEqual, SQLBind(now)).all()
            let due = try rows.map { (siteID: try $0.int64("site_id"), postID: try $0.int64("id")) }
            if !due.isEmpty {
                try await db.update("posts").set("status", to: SQLBind(PostStatus.publish.rawValue))
                    .where("id", .in, SQLBind.group(due.map(\.postID))).run()
            }
            return due
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
