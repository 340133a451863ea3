import DreyCore
import DreyTestSupport
import Foundation
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// The default theme's header, menu, previous and next links, footer, and the full-text-or-excerpt setting, as a
/// reader's browser receives them.
@Suite struct ThemeNavigationTests {
    func cacheStatus(_ r: TestResponse) -> String? { r.headers[.init("X-Drey-Cache")!] }

    func between(_ text: String, _ start: String, _ end: String) -> String {
        guard let a = text.range(of: start), let b = text.range(of: end, range: a.upperBound..<text.endIndex) else { return "" }
        return String(text[a.lowerBound..<b.upperBound])
    }

    @Test(
        "the header keeps title and tagline together, a labelled search box after them, and a menu of pages and top categories",
        arguments: TestDatabase.allCases)
    func headerAndMenu(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.drey.siteService.set([.title: "Lantern", .tagline: "Notes by lamplight"], siteID: blog.site.id)
            try await blog.post("About", "Who writes here.", type: .page)
            try await blog.post("One", categories: ["Gardens"])
            try await blog.post("Two", date: "2008-01-28T00:04:00Z", categories: ["Gardens", "Kitchen"])
            let home = try await client.get("/").text
            let header = between(home, "<header class=\"site-header\">", "</header>")
            #expect(
                header.contains(
                    "<p class=\"site-title\"><a href=\"http://blog.test/\" rel=\"home\">Lantern</a></p>\n<p class=\"site-tagline\">Notes by lamplight</p>"
                ))
            // The search box comes after the title and tagline, with a label.
            let tagline = try #require(header.range(of: "site-tagline"))
            let search = try #require(header.range(of: "role=\"search\""))
            #expect(tagline.lowerBound < search.lowerBound)
            #expect(header.contains("<label for=\"s\" class=\"visually-hidden\">Search this blog</label>\n<input type=\"search\" id=\"s\""))
            let menu = between(header, "<nav class=\"site-menu\" aria-label=\"Menu\">", "</nav>")
            #expect(menu.contains("<a href=\"http://blog.test/about/\">About</a>"))
            // Most used first.
            let gardens = try #require(menu.range(of: ">Gardens</a>"))
            let kitchen = try #require(menu.range(of: ">Kitchen</a>"))
            #expect(gardens.lowerBound < kitchen.lowerBound)
            #expect(menu.contains("href=\"http://blog.test/category/gardens/\""))

            // A cached post page shows a page published later: the menu is part of every page.
            let path = "/2008/01/27/one/"
            _ = try await client.get(path)
            #expect(cacheStatus(try await client.get(path)) == "HIT")
            try await blog.post("Contact", "Write to us.", type: .page)
            let fresh = try await client.get(path)
            #expect(fresh.text.contains(">Contact</a>"))

            // The owner's own menu replaces it.
            try await blog.drey.siteService.set([.menu: "Start | /\nElsewhere | https://example.org/"], siteID: blog.site.id)
            let owned = between(try await client.get(path).text, "<nav class=\"site-menu\"", "</nav>")
            #expect(owned.contains("<a href=\"http://blog.test/\">Start</a>") && owned.contains("<a href=\"https://example.org/\">Elsewhere</a>"))
            #expect(!owned.contains("About"))
        }
    }

    @Test("a post links to the previous and next posts, and a new post updates the newest post's page", arguments: TestDatabase.allCases)
    func previousAndNext(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.post("First", date: "2008-01-01T10:00:00Z")
            try await blog.post("Middle", date: "2008-01-02T10:00:00Z")
            try await blog.post("Last", date: "2008-01-03T10:00:00Z")
            try await blog.post("A page", type: .page)
            let middle = try await client.get("/2008/01/02/middle/").text
            let nav = between(middle, "<nav class=\"post-navigation\"", "</nav>")
            #expect(
                nav.contains(
                    "<a class=\"nav-previous\" rel=\"prev\" href=\"http://blog.test/2008/01/01/first/\"><span class=\"nav-label\">Previous post</span> First</a>"
                ))
            #expect(
                nav.contains(
                    "<a class=\"nav-next\" rel=\"next\" href=\"http://blog.test/2008/01/03/last/\"><span class=\"nav-label\">Next post</span> Last</a>"
                ))
            let first = try await client.get("/2008/01/01/first/").text
            #expect(!first.contains("rel=\"prev\"") && first.contains(">Next post</span> Middle</a>"))
            let last = "/2008/01/03/last/"
            #expect(!(try await client.get(last)).text.contains("rel=\"next\""))
            #expect(cacheStatus(try await client.get(last)) == "HIT")
            try await blog.post("Newer", date: "2008-01-04T10:00:00Z")
            #expect((try await client.get(last)).text.contains(">Next post</span> Newer</a>"))
            // Pages have no previous and next posts.
            #expect(!(try await client.get("/a-page/")).text.contains("post-navigation"))
        }
    }

    @Test("previous and next links follow a permalink structure that names the category and the author")
    func neighboursByCategory() async throws {
        try await TestBlog.with(.sqlite) { blog, client in
            try await blog.post("First", date: "2008-01-01T10:00:00Z", categories: ["Garden Notes"])
            try await blog.post("Middle", date: "2008-01-02T10:00:00Z", categories: ["Garden Notes"])
            try await blog.post("Last", date: "2008-01-03T10:00:00Z")
            try await blog.set(.permalinkStructure, "/%category%/%author%/%postname%/")
            let middle = try await client.get("/garden-notes/korakious/middle/")
            #expect(middle.status == .ok)
            let nav = between(middle.text, "<nav class=\"post-navigation\"", "</nav>")
            #expect(nav.contains("href=\"http://blog.test/garden-notes/korakious/first/\""), "\(nav)")
            #expect(nav.contains("href=\"http://blog.test/uncategorized/korakious/last/\""), "\(nav)")
        }
    }

    @Test("the footer names each feed once in plain words", arguments: TestDatabase.allCases)
    func footer(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.drey.siteService.set([.title: "Lantern"], siteID: blog.site.id)
            try await blog.post("One")
            for path in ["/", "/2008/01/27/one/"] {
                let footer = between(try await client.get(path).text, "<footer class=\"site-footer\">", "</footer>")
                for name in ["Posts (RSS)", "Posts (Atom)", "Posts (JSON Feed)", "Comments (RSS)"] {
                    #expect(footer.components(separatedBy: ">\(name)</a>").count == 2, "\(name) in \(footer)")
                }
                #expect(footer.contains("<a href=\"http://blog.test/feed/\" type=\"application/rss+xml\">Posts (RSS)</a>"))
                #expect(!footer.contains("Lantern"))
                #expect(!footer.contains("»"))
            }
        }
    }

    @Test(
        "the home page shows full text or excerpts as the Reading settings say; bad values come back with the form", arguments: TestDatabase.allCases)
    func fullTextOrExcerpt(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.post("Long read", "The first paragraph.\n\nThe *second* paragraph.")
            let full = try await client.get("/").text
            #expect(full.contains("<em>second</em>") && !full.contains("Continue reading"))

            let (_, password) = try await blog.member(.administrator, "ada")
            var ada = AdminSession(client: client)
            _ = try await ada.signIn("ada@blog.test", password)
            let form = try await ada.get("/admin/settings/reading")
            #expect(form.text.contains("name=\"home_shows\" value=\"full\" checked"))
            let fields: [(String, String)] = [("posts_per_page", "10"), ("show_on_front", "posts"), ("page_on_front", ""), ("page_cache", "1")]
            let bad = try await ada.post("/admin/settings/reading", fields + [("home_shows", "sideways"), ("menu", "no bar here")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("home_shows must be full or excerpt"))
            #expect(bad.text.contains("must be a label, a bar and an address"))
            #expect(bad.text.contains(">no bar here</textarea>"))
            #expect(blog.siteNow.settings[.homeShows] == "full")

            let saved = try await ada.post("/admin/settings/reading", fields + [("home_shows", "excerpt"), ("menu", "")])
            #expect(saved.status == .seeOther)
            #expect(blog.siteNow.settings[.homeShows] == "excerpt")
            let excerpt = try await client.get("/").text
            #expect(!excerpt.contains("<em>second</em>"))
            #expect(excerpt.contains("<div class=\"entry-summary p-summary\"><p>The first paragraph. The second paragraph.</p></div>"))
            #expect(
                excerpt.contains(
                    "<a href=\"http://blog.test/2008/01/27/long-read/\">Continue reading<span class=\"visually-hidden\"> “Long read”</span></a>"))
        }
    }

    @Test("drey site set home_shows takes full or excerpt and refuses anything else")
    func siteSetHomeShows() async throws {
        let location = try await TestDatabase.sqlite.makeLocation()
        defer { Task { await location.cleanup() } }
        let bad = try await DreyBinary.run(["site", "set", "home_shows", "sideways"], data: location.dataDirectory)
        #expect(bad.status != 0 && bad.err.contains("home_shows must be full or excerpt"))
        #expect(try await DreyBinary.run(["site", "set", "home_shows", "excerpt"], data: location.dataDirectory).status == 0)
        #expect(try await DreyBinary.run(["site", "get", "home_shows"], data: location.dataDirectory).out.contains("excerpt"))
    }
}
