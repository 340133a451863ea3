import DreyCore
import DreyImport
import DreyStore
import DreyTestSupport
import Foundation
import SQLKit

/// A migrated database with one site and its administrator, for import tests on SQLite and PostgreSQL.
struct ImportFixture: Sendable {
    let db: Database
    let location: TestLocation
    let store: SQLStore
    let site: Site
    let admin: User

    static let fixedNow = Date(timeIntervalSince1970: 1_700_000_000)

    static func with(_ kind: TestDatabase, _ body: (ImportFixture) async throws -> Void) async throws {
        try await kind.withMigrated { db, location in
            let store = SQLStore(database: db)
            let site = try await store.createSite(host: "blog.test", settings: [:])
            let admin = try await store.createUser(User(email: "admin@blog.test", login: "admin", displayName: "Admin"))
            try await store.setRole(.administrator, userID: admin.id, siteID: site.id)
            try await body(ImportFixture(db: db, location: location, store: store, site: site, admin: admin))
        }
    }

    var uploads: URL { URL(fileURLWithPath: location.dataDirectory).appendingPathComponent("uploads/\(site.id)") }

    @discardableResult
    func importFile(_ url: URL, mediaDir: URL? = nil, adopt: Bool = true, timeZone: String = "UTC") async throws -> ImportSummary {
        var options = ImportOptions(
            uploadsDirectory: uploads, timeZone: TimeZone(identifier: timeZone)!, mediaDirectory: mediaDir, now: Self.fixedNow)
        options.adoptPermalinks = adopt
        return try await WordPressImporter(database: db, siteID: site.id).run(url, options: options)
    }

    func importText(_ wxr: String, _ body: ((ImportSummary) throws -> Void)? = nil) async throws -> ImportSummary {
        let url = try WXRSamples.write(wxr)
        defer { try? FileManager.default.removeItem(at: url) }
        let summary = try await importFile(url)
        try body?(summary)
        return summary
    }

    /// Rows of `table` for this site (all rows for tables without a site).
    func count(_ table: String) async throws -> Int {
        let siteScoped = ["posts", "comments", "terms", "media", "legacy_paths", "memberships"]
        return try await db.withSQL { db in
            var q = db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from(table)
            if siteScoped.contains(table) { q = q.where("site_id", .equal, SQLBind(self.site.id)) }
            return try await q.first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }

    /// Counts of everything an import writes, to show that a failed one wrote nothing.
    func everything() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in ["posts", "comments", "terms", "media", "legacy_paths", "memberships", "users", "post_terms", "site_settings"] {
            counts[table] = try await count(table)
        }
        return counts
    }

    func posts(status: [PostStatus] = PostStatus.allCases, type: PostType = .post) async throws -> [Post] {
        var q = PostQuery(siteID: site.id)
        q.statuses = status
        q.type = type
        q.limit = 10_000
        return try await store.posts(q)
    }

    func export(baseURL: String = "http://blog.test") async throws -> (String, ExportCounts) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("drey-export-\(UUID().uuidString).xml")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        let sites = try await store.sites()
        let counts = try await WordPressExporter(store: store, site: sites.first { $0.id == site.id }!, baseURL: baseURL, now: Self.fixedNow)
            .write(to: WXROutput(handle: handle))
        try handle.close()
        defer { try? FileManager.default.removeItem(at: url) }
        return (try String(contentsOf: url, encoding: .utf8), counts)
    }
}

/// Small WXR documents written for one test each.
enum WXRSamples {
    static func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("drey-wxr-\(UUID().uuidString).xml")
        try Data(text.utf8).write(to: url)
        return url
    }

    static func write(bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("drey-wxr-\(UUID().uuidString).xml")
        try Data(bytes).write(to: url)
        return url
    }

    static func document(version: String = "1.2", channel: String = "", items: [String] = []) -> String {
        """
        <?xml version="1.0" encoding="UTF-8" ?>
        <rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
            xmlns:content="http://purl.org/rss/1.0/modules/content/"
            xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
        <channel>
        <title>Sample</title>
        <link>http://old.example.org</link>
        <wp:wxr_version>\(version)</wp:wxr_version>
        <wp:base_site_url>http://old.example.org</wp:base_site_url>
        <wp:base_blog_url>http://old.example.org</wp:base_blog_url>
        \(channel)
        \(items.joined(separator: "\n"))
        </channel>
        </rss>
        """
    }

    static func author(_ login: String, email: String = "", id: Int = 1, name: String = "") -> String {
        "<wp:author><wp:author_id>\(id)</wp:author_id><wp:author_login><![CDATA[\(login)]]></wp:author_login><wp:author_email>\(email)</wp:author_email><wp:author_display_name><![CDATA[\(name)]]></wp:author_display_name></wp:author>"
    }

    static func item(
        id: Int, title: String = "A post", slug: String? = nil, type: String = "post", status: String = "publish",
        date: String = "2008-01-27 00:04:00", gmt: String? = nil, creator: String = "admin", parent: Int = 0,
        content: String = "Hello", extra: String = "", comments: [String] = []
    ) -> String {
        """
        <item><title>\(title)</title><link>http://old.example.org/?p=\(id)</link><dc:creator>\(creator)</dc:creator>
        <guid isPermaLink="false">http://old.example.org/?p=\(id)</guid>
        <content:encoded><![CDATA[\(content)]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
        <wp:post_id>\(id)</wp:post_id><wp:post_date>\(date)</wp:post_date><wp:post_date_gmt>\(gmt ?? date)</wp:post_date_gmt>
        <wp:comment_status>open</wp:comment_status><wp:ping_status>open</wp:ping_status>
        <wp:post_name>\(slug ?? "post-\(id)")</wp:post_name><wp:status>\(status)</wp:status><wp:post_parent>\(parent)</wp:post_parent>
        <wp:menu_order>0</wp:menu_order><wp:post_type>\(type)</wp:post_type><wp:post_password></wp:post_password><wp:is_sticky>0</wp:is_sticky>
        \(extra)
        \(comments.joined(separator: "\n"))
        </item>
        """
    }

    static func comment(
        id: Int, parent: Int = 0, author: String = "Reader", approved: String = "1", type: String = "", date: String = "2008-01-28 10:00:00",
        text: String = "Nice post"
    ) -> String {
        """
        <wp:comment><wp:comment_id>\(id)</wp:comment_id><wp:comment_author><![CDATA[\(author)]]></wp:comment_author>
        <wp:comment_author_email>reader@example.org</wp:comment_author_email><wp:comment_author_url>http://reader.example.org/</wp:comment_author_url>
        <wp:comment_author_IP>192.0.2.1</wp:comment_author_IP><wp:comment_date>\(date)</wp:comment_date><wp:comment_date_gmt>\(date)</wp:comment_date_gmt>
        <wp:comment_content><![CDATA[\(text)]]></wp:comment_content><wp:comment_approved>\(approved)</wp:comment_approved>
        <wp:comment_type>\(type)</wp:comment_type><wp:comment_parent>\(parent)</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id>
        </wp:comment>
        """
    }
}
