import DreyCore
import Foundation
import SQLKit

/// Uploads made in Drey (not imported): the library, the processing state, and where images are used.
extension SQLStore {
    static func renditionsJSON(_ renditions: [MediaRendition]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(renditions)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    static func renditions(json: String) -> [MediaRendition] {
        (try? JSONDecoder().decode([MediaRendition].self, from: Data(json.utf8))) ?? []
    }

    /// Adds an upload; `media.file` must be free (see `mediaFileTaken`).
    public func insertMedia(_ media: Media) async throws -> Media {
        let id = try await write { db in
            try await db.insert(into: "media").columns(Array(Self.mediaColumns.dropFirst())).values(Self.values(media))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
        }
        guard let id else { throw StoreError.invalid("media \(media.slug) was not created") }
        var saved = media
        saved.id = id
        return saved
    }

    /// Whether a row of the site already names `file` or has a copy there.
    public func mediaFileTaken(_ file: String, siteID: Int64) async throws -> Bool {
        try await read { db in
            try await db.select().column("id").from("media").where("site_id", .equal, SQLBind(siteID))
                .where("file", .equal, SQLBind(file)).first() != nil
        }
    }

    /// Records what processing made: the served size, the copies, the state.
    public func finishMedia(
        id: Int64, state: MediaState, message: String = "", width: Int = 0, height: Int = 0, mimeType: String? = nil,
        renditions: [MediaRendition] = [], at now: Date
    ) async throws {
        try await write { db in
            var update = db.update("media").set("state", to: SQLBind(state.rawValue)).set("state_message", to: SQLBind(message))
                .set("width", to: SQLBind(width)).set("height", to: SQLBind(height))
                .set("renditions", to: SQLBind(Self.renditionsJSON(renditions)))
                .set("stored", to: SQLBind(state == .ready)).set("modified_at", to: SQLBind(now.storable))
            if let mimeType { update = update.set("mime_type", to: SQLBind(mimeType)) }
            try await update.where("id", .equal, SQLBind(id)).run()
        }
    }

    /// Title, alt text and caption as edited in the library.
    public func updateMediaText(id: Int64, siteID: Int64, title: String, altText: String, caption: String, at now: Date) async throws {
        try await write { db in
            try await db.update("media").set("title", to: SQLBind(title)).set("alt_text", to: SQLBind(altText))
                .set("caption", to: SQLBind(caption)).set("modified_at", to: SQLBind(now.storable))
                .where("id", .equal, SQLBind(id)).where("site_id", .equal, SQLBind(siteID)).run()
        }
    }

    public func deleteMedia(id: Int64, siteID: Int64) async throws {
        try await write { db in
            try await db.update("posts").set("featured_media_id", to: SQLLiteral.null)
                .where("featured_media_id", .equal, SQLBind(id)).run()
            try await db.delete(from: "legacy_paths").where("site_id", .equal, SQLBind(siteID))
                .where("kind", .equal, SQLBind("media")).where("target_id", .equal, SQLBind(id)).run()
            try await db.delete(from: "media").where("id", .equal, SQLBind(id)).where("site_id", .equal, SQLBind(siteID)).run()
        }
    }

    /// The library, newest first; `search` matches title, file name, alt text and caption.
    /// `month` is a `2026/12` folder of the uploads; `mimePrefix` a type (`image/png`) or family (`image/`).
    public func mediaLibrary(
        siteID: Int64, search: String = "", month: String? = nil, mimePrefix: String? = nil, limit: Int = 60, offset: Int = 0
    ) async throws -> [Media] {
        try await read { db in
            var query = db.select().column(Self.mediaColumnList).from("media").where("site_id", .equal, SQLBind(siteID))
            if let month, !month.isEmpty { query = query.where(Self.like(SQLColumn("file"), Self.escapeLike(month) + "/%")) }
            if let mimePrefix, !mimePrefix.isEmpty {
                query = query.where(Self.like(SQLColumn("mime_type"), Self.escapeLike(mimePrefix) + (mimePrefix.hasSuffix("/") ? "%" : "")))
            }
            let needle = search.trimmingCharacters(in: .whitespaces).lowercased()
            if !needle.isEmpty {
                let pattern = "%" + Self.escapeLike(needle) + "%"
                query = query.where { group in
                    var g = group
                    for column in ["title", "file", "alt_text", "caption"] {
                        g = g.orWhere(Self.like(SQLFunction("lower", args: SQLColumn(column)), pattern))
                    }
                    return g
                }
            }
            return try await query.orderBy("published_at", .descending).orderBy("id", .descending).limit(limit).offset(offset)
                .all().map(Self.media(from:))
        }
    }

    /// The `year/month` folders that hold uploads, newest first, for the library's month filter.
    public func mediaMonths(siteID: Int64) async throws -> [String] {
        try await read { db in
            try await db.select().distinct().column(
                SQLAlias(SQLFunction("substr", args: SQLColumn("file"), SQLLiteral.numeric("1"), SQLLiteral.numeric("7")), as: SQLIdentifier("month"))
            )
            .from("media").where("site_id", .equal, SQLBind(siteID)).where(Self.like(SQLColumn("file"), "____/__/%"))
            .orderBy("month", .descending).all().map { try $0.string("month") }
        }
    }

    /// Uploads whose full-size file is one of `files`: how rendering finds sizes for the images a post shows.
    public func media(files: [String], siteID: Int64) async throws -> [Media] {
        guard !files.isEmpty else { return [] }
        return try await read { db in
            try await db.select().column(Self.mediaColumnList).from("media").where("site_id", .equal, SQLBind(siteID))
                .where("file", .in, SQLBind.group(files)).all().map(Self.media(from:))
        }
    }

    /// Posts (any status) that show `media`: as their featured image, or by its address in their text.
    public func postsUsing(_ media: Media) async throws -> [(id: Int64, title: String)] {
        let needle = "%" + Self.escapeLike("/wp-content/uploads/" + media.file) + "%"
        return try await read { db in
            try await db.select().columns("id", "title").from("posts").where("site_id", .equal, SQLBind(media.siteID))
                .where { group in
                    group.where("featured_media_id", .equal, SQLBind(media.id)).orWhere(Self.like(SQLColumn("source"), needle))
                }
                .orderBy("id").all().map { (try $0.int64("id"), try $0.string("title")) }
        }
    }

    public func setFeaturedMedia(postID: Int64, siteID: Int64, mediaID: Int64?) async throws {
        try await write { db in
            try await db.update("posts").set("featured_media_id", to: SQLBind(mediaID))
                .where("id", .equal, SQLBind(postID)).where("site_id", .equal, SQLBind(siteID)).run()
        }
    }

    public func featuredMedia(postID: Int64, siteID: Int64) async throws -> Media? {
        try await read { db in
            try await db.raw(
                """
                SELECT \(Self.mediaColumnsOfMedia) FROM media INNER JOIN posts ON posts.featured_media_id = media.id \
                WHERE posts.id = \(bind: postID) AND posts.site_id = \(bind: siteID) LIMIT 1
                """
            ).first().map(Self.media(from:))
        }
    }

    /// `LIKE` with `\` as its escape character, said outright: SQLite has none unless told.
    static func like(_ left: any SQLExpression, _ pattern: String) -> any SQLExpression {
        SQLBinaryExpression(left, .like, SQLQueryString("\(bind: pattern) ESCAPE '\\'"))
    }

    /// Featured images of many posts at once (for feeds), by post ID.
    public func featuredMedia(postIDs: [Int64], siteID: Int64) async throws -> [Int64: Media] {
        guard !postIDs.isEmpty else { return [:] }
        return try await read { db in
            var found: [Int64: Media] = [:]
            let rows = try await db.select().column(Self.mediaColumnsOfMedia)
                .column(SQLColumn("id", table: "posts"), as: "featured_post_id").from("media")
                .join("posts", on: SQLColumn("featured_media_id", table: "posts"), .equal, SQLColumn("id", table: "media"))
                .where(SQLColumn("id", table: "posts"), .in, SQLBind.group(postIDs))
                .where(SQLColumn("site_id", table: "posts"), .equal, SQLBind(siteID)).all()
            for row in rows { found[try row.int64("featured_post_id")] = try Self.media(from: row) }
            return found
        }
    }

    static func escapeLike(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
