import DreyCore
import Foundation
import SQLKit

/// What sitemaps list, as WordPress lists it: published content a reader may see without a password, in id order,
/// a page of `size` at a time. Each `…Pages` query answers the index in one pass: one row per sitemap page.
extension SQLStore {
    /// One sitemap page: how many URLs it holds and when the newest of them changed.
    public struct SitemapPage: Sendable, Equatable {
        public let count: Int
        public let lastModified: Date
    }

    /// The WHERE clause shared by every sitemap query over posts (`p`).
    private static func listed(_ siteID: Int64, _ type: PostType) -> SQLQueryString {
        "p.site_id = \(bind: siteID) AND p.type = \(bind: type.rawValue) AND p.status = 'publish' AND p.password = ''"
    }

    private static func pages(_ db: any SQLDatabase, inner: SQLQueryString, size: Int) async throws -> [SitemapPage] {
        // `inner` yields one row per URL (`id`, `lastmod`); the window numbers them in id order to cut pages.
        let sql: SQLQueryString =
            "SELECT chunk, COUNT(*) AS n, MAX(lastmod) AS lastmod FROM (SELECT (ROW_NUMBER() OVER (ORDER BY id) - 1) / \(literal: size) AS chunk, lastmod FROM ("
            + inner + ") AS u) AS c GROUP BY chunk ORDER BY chunk"
        return try await db.raw(sql).all().map { SitemapPage(count: try $0.int("n"), lastModified: try $0.date("lastmod")) }
    }

    public func sitemapPostPages(siteID: Int64, type: PostType, size: Int) async throws -> [SitemapPage] {
        try await read { db in
            try await Self.pages(db, inner: "SELECT p.id AS id, p.modified_at AS lastmod FROM posts p WHERE " + Self.listed(siteID, type), size: size)
        }
    }

    /// The posts of one sitemap page, without their content.
    public func sitemapPosts(siteID: Int64, type: PostType, limit: Int, offset: Int) async throws -> [Post] {
        try await read { db in
            let sql: SQLQueryString =
                "SELECT p.id, p.slug, p.author_id, p.parent_id, p.published_at, p.modified_at FROM posts p WHERE "
                + Self.listed(siteID, type) + " ORDER BY p.id LIMIT \(literal: limit) OFFSET \(literal: offset)"
            return try await db.raw(sql).all().map { row in
                Post(
                    id: try row.int64("id"), siteID: siteID, type: type, status: .publish, slug: try row.string("slug"), title: "",
                    source: "", authorID: try row.int64("author_id"), parentID: try row.optionalInt64("parent_id"),
                    publishedAt: try row.date("published_at"), modifiedAt: try row.date("modified_at"))
            }
        }
    }

    /// Every page's id, slug and parent, to spell nested page paths without a query per level.
    public func pageTree(siteID: Int64) async throws -> [Int64: (slug: String, parentID: Int64?)] {
        try await read { db in
            let rows = try await db.raw("SELECT id, slug, parent_id FROM posts WHERE site_id = \(bind: siteID) AND type = 'page'").all()
            var tree: [Int64: (slug: String, parentID: Int64?)] = [:]
            for row in rows { tree[try row.int64("id")] = (try row.string("slug"), try row.optionalInt64("parent_id")) }
            return tree
        }
    }

    /// Terms holding at least one listed post, each with the time its newest post changed.
    private static func listedTerms(_ siteID: Int64, _ taxonomy: Taxonomy) -> SQLQueryString {
        "SELECT t.id AS id, MAX(p.modified_at) AS lastmod FROM terms t JOIN post_terms pt ON pt.term_id = t.id JOIN posts p ON p.id = pt.post_id WHERE t.site_id = \(bind: siteID) AND t.taxonomy = \(bind: taxonomy.rawValue) AND "
            + listed(siteID, .post) + " GROUP BY t.id"
    }

    public func sitemapTermPages(siteID: Int64, taxonomy: Taxonomy, size: Int) async throws -> [SitemapPage] {
        try await read { db in try await Self.pages(db, inner: Self.listedTerms(siteID, taxonomy), size: size) }
    }

    public func sitemapTerms(siteID: Int64, taxonomy: Taxonomy, limit: Int, offset: Int) async throws -> [(term: Term, lastModified: Date)] {
        try await read { db in
            let sql: SQLQueryString =
                "SELECT t.id, t.site_id, t.taxonomy, t.name, t.slug, t.description, t.parent_id, l.lastmod FROM terms t JOIN ("
                + Self.listedTerms(siteID, taxonomy) + ") AS l ON l.id = t.id ORDER BY t.id LIMIT \(literal: limit) OFFSET \(literal: offset)"
            return try await db.raw(sql).all().map { (try Self.term(from: $0), try $0.date("lastmod")) }
        }
    }

    /// Members of the site with at least one listed post, each with the time their newest post changed.
    private static func listedAuthors(_ siteID: Int64) -> SQLQueryString {
        "SELECT u.id AS id, MAX(p.modified_at) AS lastmod FROM users u JOIN memberships m ON m.user_id = u.id AND m.site_id = \(bind: siteID) JOIN posts p ON p.author_id = u.id WHERE "
            + listed(siteID, .post) + " GROUP BY u.id"
    }

    public func sitemapAuthorPages(siteID: Int64, size: Int) async throws -> [SitemapPage] {
        try await read { db in try await Self.pages(db, inner: Self.listedAuthors(siteID), size: size) }
    }

    public func sitemapAuthors(siteID: Int64, limit: Int, offset: Int) async throws -> [(login: String, lastModified: Date)] {
        try await read { db in
            let sql: SQLQueryString =
                "SELECT u.login, l.lastmod FROM users u JOIN (" + Self.listedAuthors(siteID)
                + ") AS l ON l.id = u.id ORDER BY u.id LIMIT \(literal: limit) OFFSET \(literal: offset)"
            return try await db.raw(sql).all().map { (try $0.string("login"), try $0.date("lastmod")) }
        }
    }
}
