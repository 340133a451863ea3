import DreyCore
import Foundation
import SQLKit

/// Writes a WordPress import through the one connection of its transaction, so that all of it is
/// committed or none of it. WordPress IDs and GUIDs are stored beside the rows they made, which is
/// what makes a second run of the same import add nothing.
public struct ImportWriter: Sendable {
    public let db: any SQLDatabase
    public let siteID: Int64

    public init(_ db: any SQLDatabase, siteID: Int64) {
        self.db = db
        self.siteID = siteID
    }

    /// Most rows one multi-row INSERT carries: well under SQLite's and PostgreSQL's bind limits.
    static let batchRows = 200

    // MARK: What the site already has

    public struct ExistingPost: Sendable {
        public let id: Int64
        public let wpID: Int64?
        public let guid: String
        public let type: PostType
        public let slug: String
    }

    public func existingPosts() async throws -> [ExistingPost] {
        try await db.select().columns("id", "wp_id", "guid", "type", "slug").from("posts")
            .where("site_id", .equal, SQLBind(siteID)).all()
            .map {
                ExistingPost(
                    id: try $0.int64("id"), wpID: try $0.optionalInt64("wp_id"), guid: try $0.string("guid"),
                    type: try $0.enumValue("type", as: PostType.self), slug: try $0.string("slug"))
            }
    }

    public func existingTerms() async throws -> [(term: Term, wpID: Int64?)] {
        try await db.select().columns(SQLStore.termColumns + ["wp_id"]).from("terms")
            .where("site_id", .equal, SQLBind(siteID)).orderBy("id").all()
            .map { (try SQLStore.term(from: $0), try $0.optionalInt64("wp_id")) }
    }

    public func existingMedia() async throws -> [(id: Int64, wpID: Int64?, guid: String, slug: String)] {
        try await db.select().columns("id", "wp_id", "guid", "slug").from("media")
            .where("site_id", .equal, SQLBind(siteID)).all()
            .map { (try $0.int64("id"), try $0.optionalInt64("wp_id"), try $0.string("guid"), try $0.string("slug")) }
    }

    /// WordPress comment IDs already imported onto a post, with the IDs they got here.
    public func commentIDs(postID: Int64) async throws -> [Int64: Int64] {
        var map: [Int64: Int64] = [:]
        for row in try await db.select().columns("id", "wp_id").from("comments")
            .where("post_id", .equal, SQLBind(postID)).where("wp_id", .isNot, SQLLiteral.null).all()
        {
            map[try row.int64("wp_id")] = try row.int64("id")
        }
        return map
    }

    // MARK: Users

    public func user(email: String) async throws -> User? {
        try await db.select().column(SQLStore.userColumnList).from("users")
            .where(SQLFunction("lower", args: SQLIdentifier("email")), .equal, SQLBind(email.lowercased()))
            .first().map(SQLStore.user(from:))
    }

    public func user(login: String) async throws -> User? {
        try await db.select().column(SQLStore.userColumnList).from("users")
            .where(SQLFunction("lower", args: SQLIdentifier("login")), .equal, SQLBind(login.lowercased()))
            .first().map(SQLStore.user(from:))
    }

    public func createUser(_ user: User) async throws -> User {
        let id = try await db.insert(into: "users")
            .columns("email", "login", "display_name", "url", "password_hash", "active", "created_at")
            .values(
                SQLBind(user.email), SQLBind(user.login), SQLBind(user.displayName), SQLBind(user.url),
                SQLBind(user.passwordHash), SQLBind(user.active), SQLBind(Date())
            )
            .returning("id").first(decodingColumn: "id", as: Int64.self)
        guard let id else { throw StoreError.invalid("user \(user.login) was not created") }
        var created = user
        created.id = id
        return created
    }

    /// Makes `userID` a member with `role` unless they already are one (an existing role is never
    /// lowered), and records their WordPress author ID for `?author=ID` links.
    public func addMember(userID: Int64, role: Role, wpAuthorID: Int64?) async throws {
        try await db.insert(into: "memberships").columns("site_id", "user_id", "role", "wp_author_id")
            .values(SQLBind(siteID), SQLBind(userID), SQLBind(role.rawValue), SQLBind(wpAuthorID))
            .ignoringConflicts(with: ["site_id", "user_id"]).run()
        if let wpAuthorID {
            try await db.update("memberships").set("wp_author_id", to: SQLBind(wpAuthorID))
                .where("site_id", .equal, SQLBind(siteID)).where("user_id", .equal, SQLBind(userID))
                .where("wp_author_id", .is, SQLLiteral.null).run()
        }
    }

    /// Members who may publish, most trusted first: the fallback author of items that name nobody.
    public func publishingMembers() async throws -> [User] {
        let rows = try await db.select().column(SQLStore.userColumnsOfUsers)
            .column(SQLColumn("role", table: "memberships"))
            .from("users").join("memberships", on: SQLColumn("user_id", table: "memberships"), .equal, SQLColumn("id", table: "users"))
            .where(SQLColumn("site_id", table: "memberships"), .equal, SQLBind(siteID))
            .orderBy(SQLColumn("id", table: "users")).all()
        let ranked = try rows.map { (try SQLStore.user(from: $0), try $0.enumValue("role", as: Role.self)) }
            .filter { $0.1.can(.publishPosts) }
        let order = Role.allCases
        return ranked.sorted { order.firstIndex(of: $0.1)! < order.firstIndex(of: $1.1)! }.map(\.0)
    }

    // MARK: Terms

    public func insertTerm(_ term: Term, wpID: Int64?) async throws -> Int64 {
        let id = try await db.insert(into: "terms")
            .columns("site_id", "taxonomy", "name", "slug", "description", "parent_id", "wp_id")
            .values(
                SQLBind(siteID), SQLBind(term.taxonomy.rawValue), SQLBind(term.name), SQLBind(term.slug),
                SQLBind(term.description), SQLBind(term.parentID), SQLBind(wpID)
            )
            .returning("id").first(decodingColumn: "id", as: Int64.self)
        guard let id else { throw StoreError.invalid("term \(term.slug) was not created") }
        return id
    }

    public func setTermParent(termID: Int64, parentID: Int64) async throws {
        try await db.update("terms").set("parent_id", to: SQLBind(parentID)).where("id", .equal, SQLBind(termID)).run()
    }

    /// Gives a term made here before the import the WordPress ID it matched, for `?cat=ID` links.
    public func setTermWordPressID(termID: Int64, wpID: Int64) async throws {
        try await db.update("terms").set("wp_id", to: SQLBind(wpID)).where("id", .equal, SQLBind(termID))
            .where("wp_id", .is, SQLLiteral.null).run()
    }

    // MARK: Posts

    public func insertPost(_ post: Post, wpID: Int64?) async throws -> Int64 {
        let id = try await db.insert(into: "posts").columns(SQLStore.writableColumns + ["wp_id"])
            .values(SQLStore.values(post) + [SQLBind(wpID)])
            .returning("id").first(decodingColumn: "id", as: Int64.self)
        guard let id else { throw StoreError.invalid("post \(post.slug) was not created") }
        return id
    }

    /// Files posts under terms, many links per statement; a link already there is left alone.
    public func addTerms(_ links: [(postID: Int64, termID: Int64)]) async throws {
        var start = links.startIndex
        while start < links.endIndex {
            let chunk = links[start..<min(start + Self.batchRows * 2, links.endIndex)]
            var insert = db.insert(into: "post_terms").columns("post_id", "term_id")
            for (postID, termID) in chunk { insert = insert.values(SQLBind(postID), SQLBind(termID)) }
            try await insert.ignoringConflicts(with: ["post_id", "term_id"]).run()
            start = chunk.endIndex
        }
    }

    public func setPostParent(postID: Int64, parentID: Int64) async throws {
        try await db.update("posts").set("parent_id", to: SQLBind(parentID)).where("id", .equal, SQLBind(postID)).run()
    }

    public func post(id: Int64) async throws -> Post? {
        try await db.select().column(SQLStore.postColumnList).from("posts").where("id", .equal, SQLBind(id)).first()
            .map(SQLStore.post(from:))
    }

    public func setRenderedContent(postID: Int64, html: String) async throws {
        try await db.update("posts").set("content_html", to: SQLBind(html))
            .set("content_text", to: SQLBind(PlainText.fromHTML(html))).where("id", .equal, SQLBind(postID)).run()
    }

    // MARK: Comments

    /// Inserts comments in multi-row statements; returns the new ID of each by its WordPress ID.
    /// A comment whose WordPress ID is already on the site is left out, so a re-run adds nothing.
    public func insertComments(_ rows: [(comment: Comment, wpID: Int64)]) async throws -> [Int64: Int64] {
        var ids: [Int64: Int64] = [:]
        ids.reserveCapacity(rows.count)
        var start = rows.startIndex
        while start < rows.endIndex {
            let chunk = rows[start..<min(start + Self.batchRows, rows.endIndex)]
            var insert = db.insert(into: "comments").columns(Array(SQLStore.commentColumns.dropFirst()) + ["author_domain", "wp_id"])
            for (c, wpID) in chunk {
                insert = insert.values(
                    SQLBind(c.siteID), SQLBind(c.postID), SQLBind(c.parentID), SQLBind(c.type.rawValue),
                    SQLBind(c.status.rawValue), SQLBind(c.authorName), SQLBind(c.authorEmail), SQLBind(c.authorURL),
                    SQLBind(c.authorIP), SQLBind(c.userAgent), SQLBind(c.userID), SQLBind(c.source),
                    SQLBind(c.contentHTML), SQLBind(c.createdAt.storable), SQLBind(c.moderationNote), SQLBind(c.spamScore),
                    SQLBind(Reputation.websiteHost(c.authorURL)), SQLBind(wpID))
            }
            for row in try await insert.ignoringConflicts(with: ["site_id", "wp_id"]).returning("id", "wp_id").all() {
                ids[try row.int64("wp_id")] = try row.int64("id")
            }
            start = chunk.endIndex
        }
        return ids
    }

    /// Sets these posts' counts of approved comments and linkbacks, as WordPress counts them.
    /// Only the posts named: rewriting every row of a large site costs its whole size in memory.
    public func recountComments(postIDs: [Int64]) async throws {
        var start = postIDs.startIndex
        while start < postIDs.endIndex {
            let chunk = Array(postIDs[start..<min(start + Self.batchRows, postIDs.endIndex)])
            try await db.raw(
                """
                UPDATE posts SET comment_count = (SELECT count(*) FROM comments c
                    WHERE c.post_id = posts.id AND c.status = 'approved')
                WHERE id IN \(SQLBind.group(chunk))
                """
            ).run()
            start += chunk.count
        }
    }

    // MARK: Media and old addresses

    public func insertMedia(_ media: Media, wpID: Int64?) async throws -> Int64 {
        let id = try await db.insert(into: "media").columns(SQLStore.mediaColumns.dropFirst() + ["wp_id"])
            .values(SQLStore.values(media) + [SQLBind(wpID)])
            .returning("id").first(decodingColumn: "id", as: Int64.self)
        guard let id else { throw StoreError.invalid("media \(media.slug) was not created") }
        return id
    }

    public func setMediaPost(mediaID: Int64, postID: Int64) async throws {
        try await db.update("media").set("post_id", to: SQLBind(postID)).where("id", .equal, SQLBind(mediaID)).run()
    }

    /// Records old addresses; one already recorded keeps its first target.
    public func addLegacyPaths(_ paths: [(path: String, target: LegacyTarget)]) async throws {
        var start = paths.startIndex
        while start < paths.endIndex {
            let chunk = paths[start..<min(start + Self.batchRows, paths.endIndex)]
            var insert = db.insert(into: "legacy_paths").columns("site_id", "path", "kind", "target_id")
            for (path, target) in chunk {
                let id: Int64
                switch target {
                case .post(let p): id = p
                case .media(let m): id = m
                }
                insert = insert.values(SQLBind(siteID), SQLBind(path), SQLBind(target.kind), SQLBind(id))
            }
            try await insert.ignoringConflicts(with: ["site_id", "path"]).run()
            start = chunk.endIndex
        }
    }

    public func setSettings(_ values: [String: String]) async throws {
        try await SQLStore.upsertSettings(db, siteID: siteID, values)
    }

    public func settings() async throws -> [String: String] {
        var values: [String: String] = [:]
        for row in try await db.select().columns("key", "value").from("site_settings")
            .where("site_id", .equal, SQLBind(siteID)).all()
        {
            values[try row.string("key")] = try row.string("value")
        }
        return values
    }
}

extension SQLStore {
    static let mediaColumns = [
        "id", "site_id", "post_id", "author_id", "slug", "title", "caption", "description", "alt_text", "mime_type",
        "original_url", "file", "stored", "guid", "published_at", "modified_at", "width", "height", "renditions", "state",
        "state_message",
    ]
    static let mediaColumnList = ColumnList(mediaColumns)
    static let mediaColumnsOfMedia = ColumnList(mediaColumns, table: "media")

    static func values(_ m: Media) -> [any SQLExpression] {
        [
            SQLBind(m.siteID), SQLBind(m.postID), SQLBind(m.authorID), SQLBind(m.slug), SQLBind(m.title),
            SQLBind(m.caption), SQLBind(m.description), SQLBind(m.altText), SQLBind(m.mimeType),
            SQLBind(m.originalURL), SQLBind(m.file), SQLBind(m.stored), SQLBind(m.guid),
            SQLBind(m.publishedAt.storable), SQLBind(m.modifiedAt.storable), SQLBind(m.width), SQLBind(m.height),
            SQLBind(renditionsJSON(m.renditions)), SQLBind(m.state.rawValue), SQLBind(m.stateMessage),
        ]
    }

    static func media(from row: any SQLRow) throws -> Media {
        var media = Media(
            id: try row.int64("id"), siteID: try row.int64("site_id"), postID: try row.optionalInt64("post_id"),
            authorID: try row.optionalInt64("author_id"), slug: try row.string("slug"), title: try row.string("title"),
            caption: try row.string("caption"), description: try row.string("description"),
            altText: try row.string("alt_text"), mimeType: try row.string("mime_type"),
            originalURL: try row.string("original_url"), file: try row.string("file"), stored: try row.bool("stored"),
            guid: try row.string("guid"), publishedAt: try row.date("published_at"),
            modifiedAt: try row.date("modified_at"))
        media.width = try row.int("width")
        media.height = try row.int("height")
        media.renditions = renditions(json: try row.string("renditions"))
        media.state = try row.enumValue("state", as: MediaState.self)
        media.stateMessage = try row.string("state_message")
        return media
    }
}
