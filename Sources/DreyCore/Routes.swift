import Foundation

// The site's URL map: every address Drey answers, as a value. `SiteRoute.match` turns a request into the routes it
// could name (most specific first) and `SiteLinks.url(_:)` turns a route back into its address, so matching and
// link building cannot drift apart; `RouteTableTests` builds every route and matches it back.
//
//   /                                   home (`/page/N/` pages every list)
//   /%year%/%monthnum%/%day%/%postname%/ a post, under the site's permalink structure (and every earlier one)
//   /parent/child/                      a page, under its ancestors
//   /category/a/b/  /tag/t/  /author/login/  /2008/  /2008/01/  /2008/01/27/  /?s=words
//   …/feed/  …/feed/atom/  …/feed/json/ feeds of the site, its comments, an archive, an author, a post's comments
//   POST /wp-comments-post.php          a comment (also POST /comments/post)
//   POST /wp-login.php?action=postpass  a password-protected post unlocked
//   /xmlrpc.php  /webmention  /webmention/status/TOKEN  …/post/trackback/   linkbacks
//   /assets/THEME/FILE  /wp-content/uploads/FILE  /avatar/KEY.svg
//   /robots.txt  /wp-sitemap.xml  /wp-sitemap-posts-post-1.xml …   for search engines
//   /healthz  /readyz  /metrics         for operators
//   /.well-known/webfinger  /ap/…       the fediverse (`FediverseRoute`)
//   /?p=12  /?cat=3  /wp-rss2.php  …   WordPress's old addresses, answered with a redirect
//   /admin/…                            the administration (`AdminRoute`)

/// Every address of a site: requests are matched to it and links are built from it.
public enum SiteRoute: Sendable, Equatable {
    case home(page: Int)
    case post(PermalinkMatch, structure: String)
    case page(path: [String])
    case archive(Taxonomy, path: [String], page: Int)
    case author(login: String, page: Int)
    case date(year: Int, month: Int?, day: Int?, page: Int)
    case search(query: String, page: Int)
    case feed(FeedTarget, FeedFormat)
    case commentSubmit
    /// The password form of a protected post.
    case unlock
    case linkback(LinkbackRoute)
    case admin(AdminRoute)
    case asset(theme: String, path: String)
    /// A file copied in from WordPress's `wp-content/uploads`, at the address it had there.
    case upload(path: String)
    /// An upload's own page (`/media/12/`): the image at its sizes, its caption, the post it belongs to.
    case attachment(id: Int64)
    /// A commenter's face, made by the blog (`/avatar/KEY.svg`).
    case avatar(key: String)
    /// Likes, following by email, and leaving (`FollowRoute`).
    case follows(FollowRoute)
    /// `robots.txt` and the sitemaps, where WordPress serves them.
    case sitemap(SitemapRoute)
    /// `/healthz`, `/readyz`, `/metrics`.
    case operations(OperationsRoute)
    case legacy(LegacyQuery)
    /// Readers' sign-in with an OpenID Connect provider (`/signin/oidc/NAME`) and its return (`…/callback`).
    case signInOIDC(provider: String, callback: Bool)
    /// Readers' sign-in with their website (`/signin/indieauth`, POST from the sign-in page) and its return.
    case signInIndieAuth(callback: Bool)
    // Readers (issue 13): signing in and out, and the reader's own page (`Routes+Readers.swift`).
    /// `/signin?return_to=/path`: the sign-in methods the owner enabled.
    case signIn(returnTo: String?)
    /// `/signin/email` (POST): sends the message with a link and a code.
    case signInEmail
    /// `/signin/email/confirm`: GET shows a button (mail scanners change nothing), POST signs in with the link or the code.
    case signInEmailConfirm
    case signOut
    case account(AccountRoute)
    /// A reader's uploaded picture (`/faces/NAME`).
    case readerFace(name: String)
    /// WebFinger, NodeInfo and the ActivityPub actors, inboxes and objects (`FediverseRoute`).
    case fediverse(FediverseRoute)

    public enum FeedFormat: String, Sendable, CaseIterable { case rss, atom, json }

    public indirect enum FeedTarget: Sendable, Equatable {
        case site
        case comments
        case archive(Taxonomy, path: [String])
        case author(login: String)
        /// A post's comments; the inner route names the post.
        case postComments(SiteRoute)
    }

    /// WordPress's old links (`?p=12`, `?cat=3`, `/wp-rss2.php`…), answered with a redirect.
    public indirect enum LegacyQuery: Sendable, Equatable {
        case post(Int64)
        case page(Int64)
        case category(Int64)
        case tag(String)
        case author(Int64)
        /// `?m=2008`, `?m=200801` or `?m=20080127`: a date archive.
        case month(String)
        case attachment(Int64)
        /// `?feed=rss2` (or `atom`, `comments-rss2`…), alone or with what it is the feed of.
        case feed(String, of: LegacyQuery?)
        /// Another spelling of one of our own paths (`/feed/rss2/` for `/feed/`).
        case path(String)
    }

    /// The route's kind, as a metric label: few values, whatever the URLs.
    public var kind: String {
        switch self {
        case .home, .post, .page, .archive, .author, .date: return "page"
        case .search: return "search"
        case .feed: return "feed"
        case .commentSubmit: return "comment"
        case .unlock: return "form"
        case .linkback: return "linkback"
        case .admin: return "admin"
        case .asset: return "asset"
        case .upload: return "upload"
        case .attachment: return "page"
        case .avatar: return "avatar"
        case .follows: return "form"
        case .sitemap: return "sitemap"
        case .operations: return "ops"
        case .signInOIDC, .signInIndieAuth: return "form"
        case .fediverse: return "fediverse"
        case .legacy(let query):
            if case .feed = query { return "feed" }
            return "page"
        case .signIn, .signInEmail, .signInEmailConfirm, .signOut, .account: return "reader"
        case .readerFace: return "avatar"
        }
    }

    /// Routes that a request could name, most specific first; the app answers with the first that resolves.
    /// Empty for a POST to an address that takes no form.
    public static func match(method: String, path rawPath: String, query: [String: String], settings: SiteSettings) -> [SiteRoute] {
        let path = rawPath.isEmpty ? "/" : rawPath
        if let operations = OperationsRoute.match(path) { return [.operations(operations)] }
        if path == "/admin" || path.hasPrefix("/admin/") {
            return [.admin(AdminRoute.match(path == "/admin" ? "/" : String(path.dropFirst("/admin".count)), query: query))]
        }
        if let signIn = signInProviderRoute(path) { return [signIn] }
        if let reader = readerRoute(path: path, query: query) { return [reader] }
        if let fediverse = FediverseRoute.match(path) { return [.fediverse(fediverse)] }
        let linkback = LinkbackRoute.match(path).map { [SiteRoute.linkback($0)] } ?? []
        if let follows = FollowRoute.match(method: method, path: path, query: query) { return [.follows(follows)] }
        if method == "POST" {
            if path == "/wp-login.php", query["action"] == "postpass" { return [.unlock] }
            if path == "/wp-comments-post.php" || path == "/comments/post" { return [.commentSubmit] }
            return linkback
        }
        return linkback + pages(path: path, query: query, settings: settings)
    }

    /// The public pages, feeds and old addresses a GET could name.
    public static func pages(path: String, query: [String: String], settings: SiteSettings) -> [SiteRoute] {
        var segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if segments.first == "assets", segments.count >= 3 {
            return [.asset(theme: segments[1], path: segments.dropFirst(2).joined(separator: "/"))]
        }
        if let sitemap = SitemapRoute.match(path) { return [.sitemap(sitemap)] }
        if let s = query["s"] {
            let page = Int(query["paged"] ?? "") ?? Self.pageNumber(&segments) ?? 1
            return [.search(query: s, page: page)]
        }
        if segments.count == 2, segments[0] == "avatar", segments[1].hasSuffix(".svg") {
            return [.avatar(key: String(segments[1].dropLast(4)))]
        }
        if segments.count >= 3, segments[0] == "wp-content", segments[1] == "uploads" {
            return [.upload(path: segments.dropFirst(2).joined(separator: "/"))]
        }
        if let legacy = legacyQuery(query) ?? legacyFeedFile(path) { return [.legacy(legacy)] }
        // A page could be called `media` and have children named by digits: it is tried next.
        if segments.count == 2, segments[0] == "media", let id = Int64(segments[1]), id > 0 { return [.attachment(id: id), .page(path: segments)] }

        // A `/page/N/` suffix paginates any list.
        let page = Self.pageNumber(&segments)
        if page == 0 { return [] }  // `/page/0/` and absurd numbers name nothing
        var feed: FeedFormat? = nil
        if segments.last == "atom", segments.dropLast().last == "feed" {
            feed = .atom
            segments.removeLast(2)
        } else if segments.last == "json", segments.dropLast().last == "feed" {
            feed = .json
            segments.removeLast(2)
        } else if ["rss2", "rss", "rdf"].contains(segments.last ?? ""), segments.dropLast().last == "feed", page == nil {
            return [.legacy(.path("/" + segments.dropLast().joined(separator: "/") + "/"))]
        } else if segments.last == "feed" {
            feed = .rss
            segments.removeLast()
        }
        if page != nil && feed != nil { return [] }
        let n = page ?? 1

        if segments.isEmpty { return [feed.map { .feed(.site, $0) } ?? .home(page: n)] }
        if segments == ["comments"], let feed { return [.feed(.comments, feed)] }
        if segments.count >= 2, segments[0] == "category" || segments[0] == "tag" {
            let taxonomy: Taxonomy = segments[0] == "category" ? .category : .tag
            let termPath = Array(segments.dropFirst())
            if let feed { return [.feed(.archive(taxonomy, path: termPath), feed)] }
            return [.archive(taxonomy, path: termPath, page: n)]
        }
        if segments.count == 2, segments[0] == "author" {
            if let feed { return [.feed(.author(login: segments[1]), feed)] }
            return [.author(login: segments[1], page: n)]
        }
        var result: [SiteRoute] = []
        if feed == nil, let date = dateArchive(segments, page: n) { result.append(date) }
        let joined = "/" + segments.joined(separator: "/") + "/"
        let structures = [settings.permalinkStructure] + settings.permalinkHistory
        for structure in structures {
            if let match = structure.match(joined) {
                let route = SiteRoute.post(match, structure: structure.pattern)
                if let feed { result.append(.feed(.postComments(route), feed)) } else if page == nil { result.append(route) }
            }
        }
        if page == nil {
            if let feed { result.append(.feed(.postComments(.page(path: segments)), feed)) } else { result.append(.page(path: segments)) }
        }
        return result
    }

    /// The sign-in addresses of OpenID Connect providers and IndieAuth; nil for any other path.
    static func signInProviderRoute(_ path: String) -> SiteRoute? {
        let s = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard s.first == "signin", s.count >= 2 else { return nil }
        switch (s[1], s.count) {
        case ("oidc", 3): return .signInOIDC(provider: s[2], callback: false)
        case ("oidc", 4) where s[3] == "callback": return .signInOIDC(provider: s[2], callback: true)
        case ("indieauth", 2): return .signInIndieAuth(callback: false)
        case ("indieauth", 3) where s[2] == "callback": return .signInIndieAuth(callback: true)
        default: return nil
        }
    }

    /// WordPress's query-string links; nil when the query names none.
    static func legacyQuery(_ query: [String: String]) -> LegacyQuery? {
        var target: LegacyQuery? = nil
        if let p = query["p"].flatMap(Int64.init) {
            target = .post(p)
        } else if let p = query["page_id"].flatMap(Int64.init) {
            target = .page(p)
        } else if let id = query["attachment_id"].flatMap(Int64.init) {
            target = .attachment(id)
        } else if let id = query["cat"].flatMap(Int64.init) {
            target = .category(id)
        } else if let slug = query["tag"], !slug.isEmpty {
            target = .tag(slug)
        } else if let id = query["author"].flatMap(Int64.init) {
            target = .author(id)
        } else if let m = query["m"], [4, 6, 8].contains(m.count), m.allSatisfy(\.isASCIIDigitCharacter) {
            target = .month(m)
        }
        if let feed = query["feed"], !feed.isEmpty { return .feed(feed, of: target) }
        return target
    }

    /// WordPress's feed scripts from before pretty permalinks (`/wp-rss2.php`).
    static func legacyFeedFile(_ path: String) -> LegacyQuery? {
        switch path {
        case "/wp-rss2.php", "/wp-rss.php", "/wp-rdf.php", "/wp-feed.php": return .feed("rss2", of: nil)
        case "/wp-atom.php": return .feed("atom", of: nil)
        case "/wp-commentsrss2.php": return .feed("comments-rss2", of: nil)
        default: return nil
        }
    }

    /// Removes a trailing `page/N`; nil when there is none, 0 when N is not a sensible page number.
    static func pageNumber(_ segments: inout [String]) -> Int? {
        guard segments.count >= 2, segments[segments.count - 2] == "page" else { return nil }
        let raw = segments.removeLast()
        segments.removeLast()
        guard raw.count <= 6, let n = Int(raw), n >= 1 else { return 0 }
        return n
    }

    static func dateArchive(_ segments: [String], page: Int) -> SiteRoute? {
        guard (1...3).contains(segments.count), segments.allSatisfy({ $0.allSatisfy(\.isNumber) && $0.count <= 4 }),
            segments[0].count == 4, let year = Int(segments[0])
        else { return nil }
        let month = segments.count > 1 ? Int(segments[1]) : nil
        let day = segments.count > 2 ? Int(segments[2]) : nil
        if let month, !(1...12).contains(month) { return nil }
        if let day, !(1...31).contains(day) { return nil }
        return .date(year: year, month: month, day: day, page: page)
    }
}

/// What a post's permalink depends on besides the post: its first category's path (`parent/child`), its author's
/// login, and for a page the slugs of its ancestors, outermost first.
public struct PostPlace: Sendable, Equatable {
    public var categoryPath: String
    public var authorLogin: String
    public var ancestors: [String]

    public init(categoryPath: String = "uncategorized", authorLogin: String = "author", ancestors: [String] = []) {
        self.categoryPath = categoryPath
        self.authorLogin = authorLogin
        self.ancestors = ancestors
    }
}

/// The addresses search engines read, at the paths WordPress (5.5 and later) serves them.
public enum SitemapRoute: Sendable, Equatable {
    case robots
    case index
    /// `/sitemap.xml` and Yoast's `/sitemap_index.xml`: old addresses a blog may have given search engines.
    case oldIndex
    case posts(PostType, page: Int)
    case terms(Taxonomy, page: Int)
    case users(page: Int)

    /// How many URLs one sitemap holds, as in WordPress (`wp_sitemaps_get_max_urls`).
    public static let pageSize = 2000

    public static func match(_ path: String) -> SitemapRoute? {
        switch path {
        case "/robots.txt": return .robots
        case "/wp-sitemap.xml": return .index
        case "/sitemap.xml", "/sitemap_index.xml": return .oldIndex
        default: break
        }
        guard path.hasPrefix("/wp-sitemap-"), path.hasSuffix(".xml") else { return nil }
        let name = path.dropFirst("/wp-sitemap-".count).dropLast(".xml".count)
        guard let dash = name.lastIndex(of: "-"), let page = Int(name[name.index(after: dash)...]), page >= 1, page < 1_000_000
        else { return nil }
        switch name[..<dash] {
        case "posts-post": return .posts(.post, page: page)
        case "posts-page": return .posts(.page, page: page)
        case "taxonomies-category": return .terms(.category, page: page)
        case "taxonomies-post_tag": return .terms(.tag, page: page)
        case "users": return .users(page: page)
        default: return nil
        }
    }

    public var path: String {
        switch self {
        case .robots: return "/robots.txt"
        case .index, .oldIndex: return "/wp-sitemap.xml"
        case .posts(let type, let page): return "/wp-sitemap-posts-\(type == .page ? "page" : "post")-\(page).xml"
        case .terms(let taxonomy, let page): return "/wp-sitemap-taxonomies-\(taxonomy == .category ? "category" : "post_tag")-\(page).xml"
        case .users(let page): return "/wp-sitemap-users-\(page).xml"
        }
    }
}

/// The operator's endpoints, answered before any site is chosen (`OpsResponder`).
public enum OperationsRoute: String, Sendable, Equatable, CaseIterable {
    case health = "/healthz"
    case ready = "/readyz"
    case metrics = "/metrics"

    public static func match(_ path: String) -> OperationsRoute? { OperationsRoute(rawValue: path) }
    public var path: String { rawValue }
}

/// The addresses other blogs talk to: Pingback's XML-RPC, Trackback, Webmention and its status pages.
public enum LinkbackRoute: Sendable, Equatable {
    case xmlrpc
    /// `…/postname/trackback/`, with the post's own path.
    case trackback(postPath: String)
    case webmention
    case webmentionStatus(token: String)

    public static func match(_ path: String) -> LinkbackRoute? {
        if path == "/xmlrpc.php" { return .xmlrpc }
        if path == "/webmention" || path == "/webmention/" { return .webmention }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        if segments.count == 3, segments[0] == "webmention", segments[1] == "status" {
            return .webmentionStatus(token: String(segments[2]))
        }
        if segments.count >= 2, segments.last == "trackback" {
            return .trackback(postPath: "/" + segments.dropLast().joined(separator: "/") + "/")
        }
        return nil
    }

    var path: String {
        switch self {
        case .xmlrpc: return "/xmlrpc.php"
        case .trackback(let postPath): return postPath + "trackback/"
        case .webmention: return "/webmention"
        case .webmentionStatus(let token): return "/webmention/status/\(token)"
        }
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
