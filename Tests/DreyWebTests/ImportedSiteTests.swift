import DreyCore
import DreyImport
import DreyStore
import DreyTestSupport
import Foundation
import HummingbirdTesting
import SQLKit
import Testing

@testable import DreyApp
@testable import DreyWeb

/// A blog moved in from WordPress (the Theme Unit Test export) behaves on the site as it did there.
@Suite struct ImportedSiteTests {
    static let themeData = SharedData.file("wxr/theme-test-data/themeunittestdata.wordpress.xml")

    @discardableResult
    static func importInto(_ blog: TestBlog, _ file: URL, mediaDir: URL? = nil, adopt: Bool = true) async throws -> ImportSummary {
        var options = ImportOptions(
            uploadsDirectory: blog.config.uploadsDirectory(siteID: blog.site.id), timeZone: blog.siteNow.settings.timeZone,
            mediaDirectory: mediaDir)
        options.adoptPermalinks = adopt
        let summary = try await WordPressImporter(database: blog.drey.database, siteID: blog.site.id).run(file, options: options)
        try await blog.drey.sites.reload()
        try await blog.drey.changes.record(siteID: blog.site.id, .imported)
        return summary
    }

    /// WordPress ID → (Drey ID, type, status) of every imported post and page.
    static func wordPressIDs(_ blog: TestBlog) async throws -> [Int64: (id: Int64, type: String, status: String)] {
        try await blog.drey.database.withSQL { db in
            var map: [Int64: (Int64, String, String)] = [:]
            for row in try await db.select().columns("id", "wp_id", "type", "status").from("posts").all() {
                map[try row.decode(column: "wp_id", as: Int64.self)] = (
                    try row.decode(column: "id", as: Int64.self), try row.decode(column: "type", as: String.self),
                    try row.decode(column: "status", as: String.self)
                )
            }
            return map
        }
    }

    @Test("every imported post and page renders, reached through its old ?p= link", arguments: TestDatabase.allCases)
    func everyPageRenders(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await Self.importInto(blog, Self.themeData)
            let ids = try await Self.wordPressIDs(blog)
            #expect(ids.count == 79)
            for (wpID, post) in ids.sorted(by: { $0.key < $1.key }) {
                let old = try await client.get(post.type == "page" ? "/?page_id=\(wpID)" : "/?p=\(wpID)")
                guard post.status == "publish" else {
                    #expect(old.status == .notFound, "\(wpID) \(post.status)")
                    continue
                }
                #expect(old.status == .movedPermanently, "\(wpID)")
                let location = try #require(old.location)
                #expect(location.hasPrefix("http://blog.test/"))
                let page = try await client.get(String(location.dropFirst("http://blog.test".count)))
                #expect(page.status == .ok, "\(wpID) \(location)")
                #expect(!page.text.contains("{{") && !page.text.contains("[caption") && !page.text.contains("<!-- wp:"), "\(wpID)")
            }
            // The export's permalink structure was adopted, so the old post URLs answer directly.
            #expect(try await client.get("/2012/01/03/template-comments/").status == .ok)
            #expect(try await client.get("/about/page-with-comments/").status == .ok)
        }
    }

    @Test("threaded comments, pingbacks, trackbacks, sticky and password-protected posts behave", arguments: TestDatabase.allCases)
    func behaviour(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await Self.importInto(blog, Self.themeData)
            let comments = try await client.get("/2012/01/03/template-comments/")
            #expect(comments.status == .ok)
            #expect(comments.text.contains("<ol class=\"children\">"))
            #expect(comments.text.contains("depth-2") && comments.text.contains("depth-3"))
            let linkbacks = try await client.get("/2012/01/01/template-pingbacks-an-trackbacks/")
            #expect(linkbacks.text.contains("Pingback by") && linkbacks.text.contains("Trackback by"))
            #expect(linkbacks.text.contains("Mentions elsewhere"))
            let home = try await client.get("/")
            // The sticky post leads the front page, ahead of newer posts that are listed after it.
            let titles = home.text.components(separatedBy: "<h2 class=\"entry-title p-name\"><a href=\"").dropFirst().map {
                String($0.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" })
            }
            #expect(titles.first == "Template: Sticky", "\(titles)")
            #expect(titles.count > 1 && !titles.dropFirst().contains("Template: Sticky"), "\(titles)")
            let locked = try await client.get("/2012/01/04/template-password-protected/")
            #expect(locked.text.contains("This content is password protected"))
            #expect(!locked.text.contains("This content, comments, pingbacks, and trackbacks should not be visible"))
            // Pending comments stay hidden; the count is WordPress's (approved comments and linkbacks).
            let ids = try await Self.wordPressIDs(blog)
            let pingPost = try #require(try await blog.drey.store.post(id: ids[1149]!.id, siteID: blog.site.id))
            #expect(pingPost.commentCount == 5)
        }
    }

    @Test("old WordPress links answer with 301 to the right place", arguments: TestDatabase.allCases)
    func oldLinks(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await Self.importInto(blog, Self.themeData)
            func redirect(_ uri: String) async throws -> String? {
                let r = try await client.get(uri)
                #expect(r.status == .movedPermanently, "\(uri) → \(r.status)")
                return r.location.map { String($0.dropFirst("http://blog.test".count)) }
            }
            #expect(try await redirect("/?p=1148") == "/2012/01/03/template-comments/")
            #expect(try await redirect("/?page_id=155") == "/about/page-with-comments/")
            let aciform = try #require(try await blog.drey.store.term(slug: "aciform", taxonomy: .category, siteID: blog.site.id))
            #expect(try await redirect("/?cat=2835016") == "/category/\(aciform.slug)/")
            #expect(try await redirect("/?tag=content") == "/tag/content/")
            #expect(try await redirect("/?m=200801") == "/2008/01/")
            #expect(try await redirect("/?m=2012") == "/2012/")
            #expect(try await redirect("/?m=20120103") == "/2012/01/03/")
            #expect(try await redirect("/?feed=rss2") == "/feed/")
            #expect(try await redirect("/?feed=atom") == "/feed/atom/")
            #expect(try await redirect("/?feed=comments-rss2") == "/comments/feed/")
            #expect(try await redirect("/?cat=2835016&feed=rss2") == "/category/\(aciform.slug)/feed/")
            #expect(try await redirect("/?p=1148&feed=rss2") == "/2012/01/03/template-comments/feed/")
            #expect(try await redirect("/feed/rss2/") == "/feed/")
            #expect(try await redirect("/category/aciform/feed/rdf/") == "/category/aciform/feed/")
            #expect(try await redirect("/wp-rss2.php") == "/feed/")
            #expect(try await redirect("/wp-atom.php") == "/feed/atom/")
            #expect(try await redirect("/wp-commentsrss2.php") == "/comments/feed/")
            // An attachment page goes to the post it belongs to (its file was not copied in).
            #expect(try await redirect("/2010/09/10/post-format-gallery/canola2/") == "/2010/09/10/post-format-gallery/")
            #expect(try await redirect("/?attachment_id=611") == "/2010/09/10/post-format-gallery/")
            // A post whose old address did not follow the structure still redirects.
            #expect(try await redirect("/wp-6-1-theme-block-category/") != nil)
            #expect(try await client.get("/?p=1164").status == .notFound)  // a draft
            #expect(try await client.get("/?cat=999999").status == .notFound)
            #expect(try await client.get("/?m=201399").status == .notFound)
        }
    }

    @Test("?author= follows the WordPress author ID", arguments: [TestDatabase.sqlite])
    func authorLinks(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let file = try Self.write(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"
                 xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><wp:wxr_version>1.2</wp:wxr_version>
                <wp:author><wp:author_id>42</wp:author_id><wp:author_login>jane</wp:author_login><wp:author_email>jane@old.example</wp:author_email>
                <wp:author_display_name>Jane</wp:author_display_name></wp:author>
                <item><title>Hi</title><dc:creator>jane</dc:creator><wp:post_id>7</wp:post_id><wp:post_date_gmt>2010-01-02 03:04:05</wp:post_date_gmt>
                <wp:post_name>hi</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
                <content:encoded>Hello</content:encoded></item></channel></rss>
                """)
            defer { try? FileManager.default.removeItem(at: file) }
            try await Self.importInto(blog, file)
            let r = try await client.get("/?author=42")
            #expect(r.status == .movedPermanently && r.location == "http://blog.test/author/jane/")
            #expect(try await client.get("/author/jane/").text.contains(">Hi<"))
        }
    }

    @Test("with --media-dir files are copied in, served at their old path, and content points at them", arguments: TestDatabase.allCases)
    func mediaDirectory(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let uploads = FileManager.default.temporaryDirectory.appendingPathComponent("drey-uploads-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: uploads) }
            try FileManager.default.createDirectory(at: uploads.appendingPathComponent("2008/06"), withIntermediateDirectories: true)
            try Data([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]).write(to: uploads.appendingPathComponent("2008/06/boat.jpg"))
            try Data([0xFF, 0xD8, 0xFF, 0xE0, 4]).write(to: uploads.appendingPathComponent("2008/06/boat-300x200.jpg"))
            let file = try Self.write(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"
                 xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><wp:wxr_version>1.2</wp:wxr_version>
                <wp:base_site_url>http://old.example.org</wp:base_site_url><wp:base_blog_url>http://old.example.org</wp:base_blog_url>
                <item><title>Boats</title><link>http://old.example.org/2008/06/10/boats/</link><wp:post_id>5</wp:post_id>
                <wp:post_date_gmt>2008-06-10 10:00:00</wp:post_date_gmt><wp:post_name>boats</wp:post_name><wp:status>publish</wp:status>
                <wp:post_type>post</wp:post_type><dc:creator>admin</dc:creator>
                <content:encoded><![CDATA[[caption align="alignleft"]<a href="http://old.example.org/wp-content/uploads/2008/06/boat.jpg"><img src="https://old.example.org/wp-content/uploads/2008/06/boat-300x200.jpg" alt="Boat" /></a> A boat[/caption]
                Elsewhere: <img src="http://elsewhere.example.com/wp-content/uploads/2008/06/boat.jpg" alt="">]]></content:encoded></item>
                <item><title>boat</title><link>http://old.example.org/2008/06/10/boats/boat/</link><wp:post_id>6</wp:post_id>
                <wp:post_date_gmt>2008-06-10 10:00:00</wp:post_date_gmt><wp:post_name>boat</wp:post_name><wp:status>inherit</wp:status>
                <wp:post_parent>5</wp:post_parent><wp:post_type>attachment</wp:post_type>
                <wp:attachment_url>http://old.example.org/wp-content/uploads/2008/06/boat.jpg</wp:attachment_url>
                <wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value>2008/06/boat.jpg</wp:meta_value></wp:postmeta></item>
                <item><title>evil</title><wp:post_id>7</wp:post_id><wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>
                <wp:attachment_url>http://old.example.org/wp-content/uploads/../../etc/passwd</wp:attachment_url>
                <wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value>../../etc/passwd</wp:meta_value></wp:postmeta></item>
                </channel></rss>
                """)
            defer { try? FileManager.default.removeItem(at: file) }
            let summary = try await Self.importInto(blog, file, mediaDir: uploads)
            #expect(summary.filesCopied == 2)
            let image = try await client.get("/wp-content/uploads/2008/06/boat.jpg")
            #expect(image.status == .ok && image.headers[.contentType] == "image/jpeg")
            #expect(try await client.get("/wp-content/uploads/2008/06/../../../drey.sqlite").status == .notFound)
            let post = try await client.get("/2008/06/10/boats/")
            #expect(post.text.contains("src=\"/wp-content/uploads/2008/06/boat-300x200.jpg\""))
            #expect(post.text.contains("href=\"/wp-content/uploads/2008/06/boat.jpg\""))
            #expect(post.text.contains("http://elsewhere.example.com/wp-content/uploads/2008/06/boat.jpg"))  // another site's file stays
            let page = try await client.get("/2008/06/10/boats/boat/")
            #expect(page.status == .movedPermanently && page.location == "http://blog.test/wp-content/uploads/2008/06/boat.jpg")
            #expect(
                !FileManager.default.fileExists(
                    atPath: blog.config.uploadsDirectory(siteID: blog.site.id).appendingPathComponent("../etc/passwd").path))
        }
    }

    @Test("a site that keeps its own permalinks redirects the export's post addresses", arguments: [TestDatabase.sqlite])
    func keepsOwnPermalinks(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.set(.permalinkStructure, "/archives/%post_id%")
            let summary = try await Self.importInto(blog, Self.themeData, adopt: false)
            #expect(!summary.permalinkAdopted)
            let r = try await client.get("/2012/01/03/template-comments/")
            #expect(r.status == .movedPermanently)
            let location = try #require(r.location)
            #expect(location.hasPrefix("http://blog.test/archives/"))
            #expect(try await client.get(String(location.dropFirst("http://blog.test".count))).status == .ok)
        }
    }

    static func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("drey-wxr-\(UUID().uuidString).xml")
        try Data(text.utf8).write(to: url)
        return url
    }
}
