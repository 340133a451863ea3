import Foundation
import Testing

@testable import DreyCore

/// The route table is one map both ways: every route's address matches back to that route.
@Suite struct RouteTableTests {
    let settings = SiteSettings(values: ["permalink_structure": "/%year%/%monthnum%/%day%/%postname%/"])
    var links: SiteLinks { SiteLinks(base: "https://blog.example", settings: settings) }

    /// One or more examples of every route, public, linkback and admin.
    var routes: [SiteRoute] {
        var post = PermalinkMatch()
        (post.year, post.month, post.day, post.postname) = (2008, 1, 27, "tanks-in-the-square")
        var all: [SiteRoute] =
            [
                .home(page: 1), .home(page: 3), .post(post, structure: settings.permalinkStructure.pattern),
                .page(path: ["about"]), .page(path: ["about", "team"]),
                .archive(.category, path: ["history"], page: 1), .archive(.category, path: ["history", "ussr"], page: 2),
                .archive(.tag, path: ["prague"], page: 1), .author(login: "korakious", page: 1), .author(login: "korakious", page: 4),
                .date(year: 2008, month: nil, day: nil, page: 1), .date(year: 2008, month: 1, day: nil, page: 2),
                .date(year: 2008, month: 1, day: 27, page: 1), .search(query: "spring of 1968", page: 1), .search(query: "tanks", page: 2),
                .commentSubmit, .unlock,
                .linkback(.xmlrpc), .linkback(.webmention), .linkback(.webmentionStatus(token: "abc123")),
                .linkback(.trackback(postPath: "/2008/01/27/tanks-in-the-square/")),
                .asset(theme: "default", path: "style.css"), .upload(path: "2008/01/photo.jpg"), .avatar(key: "0123456789abcdef0123456789abcdef"),
                .sitemap(.robots), .sitemap(.index), .sitemap(.posts(.post, page: 2)),
                .sitemap(.posts(.page, page: 1)), .sitemap(.terms(.category, page: 1)), .sitemap(.terms(.tag, page: 3)), .sitemap(.users(page: 1)),
                .operations(.health), .operations(.ready), .operations(.metrics),
                .legacy(.post(12)), .legacy(.page(3)), .legacy(.category(4)), .legacy(.tag("prague")), .legacy(.author(2)),
                .legacy(.month("200801")), .legacy(.attachment(9)), .legacy(.feed("rss2", of: nil)), .legacy(.feed("rss2", of: .category(4))),
                .signIn(returnTo: nil), .signIn(returnTo: "/2008/01/27/tanks-in-the-square/#respond"), .signInEmail, .signInEmailConfirm, .signOut,
                .readerFace(name: "0123456789abcdef0123.png"),
            ] + AccountRoute.allCases.map(SiteRoute.account)
        for format in SiteRoute.FeedFormat.allCases {
            all += [
                .feed(.site, format), .feed(.comments, format), .feed(.archive(.category, path: ["history", "ussr"]), format),
                .feed(.author(login: "korakious"), format), .feed(.postComments(.post(post, structure: settings.permalinkStructure.pattern)), format),
                .feed(.postComments(.page(path: ["about", "team"])), format),
            ]
        }
        let admin: [AdminRoute] = [
            .dashboard, .login, .logout, .logoutEverywhere, .forgotPassword, .resetPassword, .setup, .posts(.post), .posts(.page, status: .draft),
            .bulkPosts, .newPost(.post), .newPost(.page), .editPost(7), .autosave(7), .revisions(7), .restoreRevision(7), .preview,
            .comments(.pending), .comments(.spam, page: 3), .emptyComments, .editComment(5), .replyToComment(5), .terms(.category), .terms(.tag),
            .users, .settings(section: ""), .settings(section: "reading"), .asset("admin.css"),
            .readers, .readersExport,
        ]
        return all + admin.map(SiteRoute.admin)
    }

    @Test("every route's address matches back to the route")
    func roundTrip() throws {
        for route in routes {
            let address = links.url(route)
            #expect(address.hasPrefix("https://blog.example/"), "\(route) → \(address)")
            let url = try #require(URLComponents(string: address), "\(address) is not a URL")
            var query: [String: String] = [:]
            for item in url.queryItems ?? [] { query[item.name] = item.value ?? "" }
            let method = route == .commentSubmit || route == .unlock ? "POST" : "GET"
            let matched = SiteRoute.match(
                method: method, path: url.percentEncodedPath.removingPercentEncoding ?? url.path, query: query, settings: settings)
            #expect(matched.first == route, "\(route) → \(address) → \(matched)")
        }
    }

    @Test("a post's canonical URL is built by one function, with a page's ancestors and the first category's path")
    func canonical() {
        let date = ISO8601DateFormatter().date(from: "2008-01-27T10:00:00Z")!
        let post = Post(siteID: 1, type: .post, status: .publish, slug: "tanks", title: "Tanks", source: "", authorID: 1, publishedAt: date)
        #expect(links.post(post, at: PostPlace()) == "https://blog.example/2008/01/27/tanks/")
        let byCategory = SiteLinks(base: "https://blog.example/", settings: SiteSettings(values: ["permalink_structure": "/%category%/%postname%/"]))
        #expect(byCategory.post(post, at: PostPlace(categoryPath: "history/ussr")) == "https://blog.example/history/ussr/tanks/")
        let page = Post(
            siteID: 1, type: .page, status: .publish, slug: "team", title: "Team", source: "", authorID: 1, parentID: 3, publishedAt: date)
        #expect(links.post(page, at: PostPlace(ancestors: ["about"])) == "https://blog.example/about/team/")
        #expect(SiteRoute.match(method: "GET", path: "/about/team/", query: [:], settings: settings).contains(.page(path: ["about", "team"])))
    }

    @Test("forms go only where forms are taken; everything under /admin is the admin's")
    func methods() {
        #expect(SiteRoute.match(method: "POST", path: "/2008/01/27/tanks/", query: [:], settings: settings).isEmpty)
        #expect(SiteRoute.match(method: "POST", path: "/wp-login.php", query: [:], settings: settings).isEmpty)
        #expect(SiteRoute.match(method: "POST", path: "/xmlrpc.php", query: [:], settings: settings) == [.linkback(.xmlrpc)])
        #expect(SiteRoute.match(method: "GET", path: "/admin/posts/abc", query: [:], settings: settings) == [.admin(.unknown)])
        #expect(SiteRoute.match(method: "GET", path: "/admin", query: [:], settings: settings) == [.admin(.dashboard)])
    }
}
