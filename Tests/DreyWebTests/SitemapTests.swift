import DreyCore
import DreyStore
import DreyTestSupport
import Foundation
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// xmllint (Debian's libxml2-utils) against the sitemaps.org schemas in `Tests/data/sitemaps`.
enum SitemapSchema: String {
    case urlset = "sitemap.xsd"
    case index = "siteindex.xsd"

    /// xmllint's complaint, or nil when the document is valid.
    func problems(_ xml: String) throws -> String? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sitemap-\(UUID().uuidString).xml")
        try xml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let schema = SharedData.packageRoot.appendingPathComponent("Tests/data/sitemaps/\(rawValue)").path
        let xmllint = try ChildProcess("/usr/bin/xmllint", ["--noout", "--nonet", "--schema", schema, file.path], error: .sameAsOutput).collect()
        return xmllint.status == 0 ? nil : String(decoding: xmllint.output, as: UTF8.self)
    }
}

/// The `<loc>`s of a sitemap or index, in order.
func sitemapLocations(_ xml: String) -> [String] {
    xml.components(separatedBy: "<loc>").dropFirst().compactMap { $0.components(separatedBy: "</loc>").first }
        .map { $0.replacingOccurrences(of: "&amp;", with: "&") }
}

@Suite struct SitemapTests {
    /// The path of a URL on the test blog.
    static func path(_ url: String) -> String {
        guard let components = URLComponents(string: url) else { return url }
        return components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    @Test("the sitemap index and each sitemap are valid sitemaps.org XML listing every public URL and nothing else", arguments: TestDatabase.allCases)
    func sitemaps(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.set(.permalinkStructure, "/%category%/%postname%/")
            try await blog.post("Fish & chips", categories: ["Food"], tags: ["Winter", "Salt"])
            try await blog.post("Nested", date: "2009-03-01T10:00:00Z", categories: ["Sub"])
            // "Sub" becomes a child of "Food": its archive (and the post's permalink) is /food/sub/.
            let sub = try #require(try await blog.drey.store.term(slug: "sub", taxonomy: .category, siteID: blog.site.id))
            let food = try #require(try await blog.drey.store.term(slug: "food", taxonomy: .category, siteID: blog.site.id))
            try await blog.drey.database.withSQL {
                try await $0.raw("UPDATE terms SET parent_id = \(bind: food.id) WHERE id = \(bind: sub.id)").run()
            }
            let about = try await blog.post("About", type: .page)
            try await blog.post("Team", type: .page, parent: about.id)
            try await blog.post("Draft thoughts", categories: ["Hidden"], status: .draft)
            try await blog.post("Secret diary", tags: ["Private"], status: .private)
            var locked = PostInput(title: "Locked away", source: "Hush.", authorID: blog.author.id)
            locked.password = "letmein"
            locked.tags = ["Locked"]
            _ = try await blog.drey.posts.create(locked, siteID: blog.site.id)
            let other = try await blog.drey.users.add(
                email: "ada@blog.test", name: "Ada", login: "ada", role: .author, password: nil, siteID: blog.site.id)
            var byAda = PostInput(title: "By Ada", source: "Hello.", authorID: other.id)
            byAda.categories = ["Food"]
            _ = try await blog.drey.posts.create(byAda, siteID: blog.site.id)
            // Someone with nothing published is not listed.
            _ = try await blog.drey.users.add(email: "bo@blog.test", name: "Bo", login: "bo", role: .editor, password: nil, siteID: blog.site.id)

            let robots = try await client.get("/robots.txt")
            #expect(robots.status == .ok)
            #expect(robots.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(robots.text.contains("User-agent: *\nDisallow: /admin/\n"))
            let sitemapLine = try #require(robots.text.split(separator: "\n").first { $0.hasPrefix("Sitemap: ") })
            #expect(sitemapLine.hasSuffix("/wp-sitemap.xml"))
            #expect(sitemapLine.hasPrefix("Sitemap: http"))

            for former in ["/sitemap.xml", "/sitemap_index.xml"] {
                let old = try await client.get(former)
                #expect(old.status == .movedPermanently)
                #expect(old.location.map(Self.path) == "/wp-sitemap.xml")
            }

            let index = try await client.get("/wp-sitemap.xml")
            #expect(index.status == .ok)
            #expect(index.headers[.contentType] == "application/xml; charset=utf-8")
            #expect(try SitemapSchema.index.problems(index.text) == nil)
            let sitemaps = sitemapLocations(index.text).map(Self.path)
            #expect(
                sitemaps == [
                    "/wp-sitemap-posts-post-1.xml", "/wp-sitemap-posts-page-1.xml", "/wp-sitemap-taxonomies-category-1.xml",
                    "/wp-sitemap-taxonomies-post_tag-1.xml", "/wp-sitemap-users-1.xml",
                ])
            #expect(index.text.components(separatedBy: "<lastmod>").count == 6)

            var listed: [String: [String]] = [:]
            for sitemap in sitemaps {
                let response = try await client.get(sitemap)
                #expect(response.status == .ok, "\(sitemap)")
                #expect(try SitemapSchema.urlset.problems(response.text) == nil, "\(sitemap)")
                let locations = sitemapLocations(response.text)
                #expect(response.text.components(separatedBy: "<lastmod>").count == locations.count + 1, "\(sitemap): a lastmod each")
                listed[sitemap] = locations.map(Self.path)
                // Every listed address is a page a reader gets, at its canonical address.
                for location in locations {
                    let page = try await client.get(Self.path(location))
                    #expect(page.status == .ok, "\(location) from \(sitemap)")
                }
            }
            #expect(listed["/wp-sitemap-posts-post-1.xml"] == ["/food/fish-chips/", "/food/sub/nested/", "/food/by-ada/"])
            #expect(listed["/wp-sitemap-posts-page-1.xml"] == ["/", "/about/", "/about/team/"])
            #expect(listed["/wp-sitemap-taxonomies-category-1.xml"] == ["/category/food/", "/category/food/sub/"])
            #expect(
                listed["/wp-sitemap-taxonomies-post_tag-1.xml"] == ["/tag/winter/", "/tag/salt/"]
                    || listed["/wp-sitemap-taxonomies-post_tag-1.xml"] == ["/tag/salt/", "/tag/winter/"])
            #expect(listed["/wp-sitemap-users-1.xml"] == ["/author/korakious/", "/author/ada/"])

            #expect(try await client.get("/wp-sitemap-posts-post-2.xml").status == .notFound)
            #expect(try await client.get("/wp-sitemap-users-0.xml").status == .notFound)
            #expect(try await client.get("/wp-sitemap-nothing-1.xml").status == .notFound)
        }
    }

    @Test("a sitemap holds 2,000 URLs; the rest go on the next page, named in the index", arguments: TestDatabase.allCases)
    func paginated(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let start = Date(timeIntervalSince1970: 1_200_000_000)
            for i in 0..<2001 {
                let at = start.addingTimeInterval(Double(i) * 60)
                _ = try await blog.drey.store.insert(
                    Post(
                        siteID: blog.site.id, status: .publish, slug: "post-\(i)", title: "Post \(i)", source: "x", contentHTML: "<p>x</p>",
                        authorID: blog.author.id, publishedAt: at, modifiedAt: at, guid: "urn:test:\(i)"),
                    termIDs: [])
            }
            let index = try await client.get("/wp-sitemap.xml")
            #expect(try SitemapSchema.index.problems(index.text) == nil)
            let sitemaps = sitemapLocations(index.text).map(Self.path)
            #expect(sitemaps.prefix(2) == ["/wp-sitemap-posts-post-1.xml", "/wp-sitemap-posts-post-2.xml"])
            let first = try await client.get("/wp-sitemap-posts-post-1.xml")
            #expect(try SitemapSchema.urlset.problems(first.text) == nil)
            #expect(sitemapLocations(first.text).count == 2000)
            let second = try await client.get("/wp-sitemap-posts-post-2.xml")
            #expect(sitemapLocations(second.text).map(Self.path) == ["/2008/01/12/post-2000/"])
            // Each page's lastmod in the index is its newest post's.
            #expect(index.text.contains("<lastmod>2008-01-12T06:40:00Z</lastmod>"))
            #expect(try await client.get("/wp-sitemap-posts-post-3.xml").status == .notFound)
        }
    }

    @Test("sitemaps come from the page cache and a new post drops them at once", arguments: TestDatabase.allCases)
    func cached(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.post("First")
            _ = try await client.get("/wp-sitemap-posts-post-1.xml")
            let again = try await client.get("/wp-sitemap-posts-post-1.xml")
            #expect(again.headers[.init("X-Drey-Cache")!] == "HIT")
            #expect(sitemapLocations(again.text).count == 1)
            let index = try await client.get("/wp-sitemap.xml")
            #expect(!index.text.contains("taxonomies-post_tag"))
            _ = try await client.get("/wp-sitemap.xml")

            try await blog.post("Second", date: "2008-02-01T00:00:00Z", tags: ["New"])
            let fresh = try await client.get("/wp-sitemap-posts-post-1.xml")
            #expect(fresh.headers[.init("X-Drey-Cache")!] == "MISS")
            #expect(sitemapLocations(fresh.text).map(Self.path) == ["/2008/01/27/first/", "/2008/02/01/second/"])
            #expect(try await client.get("/wp-sitemap.xml").text.contains("/wp-sitemap-taxonomies-post_tag-1.xml"))
        }
    }

    @Test("search results, password-protected and private posts tell robots not to index them; posts do not", arguments: TestDatabase.allCases)
    func noindex(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let robotsMeta = "<meta name=\"robots\" content=\"noindex\">"
            try await blog.post("Open post")
            var locked = PostInput(title: "Locked away", source: "Hush.", authorID: blog.author.id)
            locked.password = "letmein"
            locked.publishedAt = ISO8601DateFormatter().date(from: "2008-01-27T00:04:00Z")
            _ = try await blog.drey.posts.create(locked, siteID: blog.site.id)
            try await blog.post("Secret diary", status: .private)

            let open = try await client.get("/2008/01/27/open-post/")
            #expect(open.status == .ok)
            #expect(!open.text.contains(robotsMeta))
            let lockedPage = try await client.get("/2008/01/27/locked-away/")
            #expect(lockedPage.status == .ok)
            #expect(lockedPage.text.contains("This content is password protected"))
            #expect(lockedPage.text.contains(robotsMeta))
            let privatePage = try await client.get("/2008/01/27/secret-diary/")
            #expect(privatePage.status == .notFound)
            #expect(privatePage.text.contains(robotsMeta))
            let search = try await client.get("/?s=post")
            #expect(search.status == .ok)
            #expect(search.text.contains(robotsMeta))
            #expect(!(try await client.get("/").text.contains(robotsMeta)))
        }
    }
}
