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

/// The administration's screens, under `/admin`. The method (GET shows, POST acts) is the controller's to check.
public enum AdminRoute: Sendable, Equatable {
    case dashboard
    case login
    case logout
    case logoutEverywhere
    case forgotPassword
    case resetPassword
    case setup
    /// Posts or pages, optionally one status only; search and filters travel in the query.
    case posts(PostType, status: PostStatus? = nil)
    case bulkPosts
    case newPost(PostType)
    case editPost(Int64)
    case autosave(Int64)
    case revisions(Int64)
    case restoreRevision(Int64)
    case preview
    case comments(CommentStatus, page: Int = 1)
    case emptyComments
    case editComment(Int64)
    case replyToComment(Int64)
    case terms(Taxonomy)
    case users
    /// Followers by email (`?id=N`: one address's consents; `?format=csv`: the export) and a post's likes and followers.
    case subscribers
    /// A settings screen; the empty section is `/admin/settings` itself, which leads to "general".
    case settings(section: String)
    /// The media library; `editMedia` one upload's details; `uploadMedia` the form files are sent to.
    case media
    case editMedia(Int64)
    case uploadMedia
    case asset(String)
    /// The readers who signed in (block, unblock), and their list as CSV.
    case readers
    case readersExport
    /// Followers, blocks, failed deliveries and settings of the fediverse.
    case fediverse
    /// Under `/admin` but no screen: answered with "not found" once the visitor is signed in.
    case unknown

    /// `sub` is the path after `/admin`, starting with `/`.
    public static func match(_ sub: String, query: [String: String]) -> AdminRoute {
        if sub.hasPrefix("/assets/") { return .asset(String(sub.dropFirst("/assets/".count))) }
        let parts = sub.split(separator: "/").map(String.init)
        func id(_ text: String) -> Int64? { Int64(text).flatMap { $0 > 0 ? $0 : nil } }
        let type = PostType(rawValue: query["type"] ?? "post") ?? .post
        switch (parts.first ?? "", parts.count) {
        case ("", 0): return .dashboard
        case ("login", 1): return .login
        case ("logout", 1): return .logout
        case ("logout-everywhere", 1): return .logoutEverywhere
        case ("forgot", 1): return .forgotPassword
        case ("reset", 1): return .resetPassword
        case ("setup", 1): return .setup
        case ("posts", 1): return .posts(type, status: query["status"].flatMap(PostStatus.init(rawValue:)))
        case ("posts", 2) where parts[1] == "bulk": return .bulkPosts
        case ("posts", 2) where parts[1] == "new": return .newPost(type)
        case ("posts", 2): return id(parts[1]).map(AdminRoute.editPost) ?? .unknown
        case ("posts", 3) where parts[2] == "autosave": return id(parts[1]).map(AdminRoute.autosave) ?? .unknown
        case ("posts", 3) where parts[2] == "revisions": return id(parts[1]).map(AdminRoute.revisions) ?? .unknown
        case ("posts", 3) where parts[2] == "restore": return id(parts[1]).map(AdminRoute.restoreRevision) ?? .unknown
        case ("preview", 1): return .preview
        case ("comments", 1):
            let page = max(1, min(100_000, Int(query["paged"] ?? "") ?? 1))
            return .comments(CommentStatus(rawValue: query["status"] ?? "pending") ?? .pending, page: page)
        case ("comments", 2) where parts[1] == "empty": return .emptyComments
        case ("comments", 3) where parts[2] == "edit": return id(parts[1]).map(AdminRoute.editComment) ?? .unknown
        case ("comments", 3) where parts[2] == "reply": return id(parts[1]).map(AdminRoute.replyToComment) ?? .unknown
        case ("terms", 1): return .terms(Taxonomy(rawValue: query["taxonomy"] ?? "category") ?? .category)
        case ("users", 1): return .users
        case ("subscribers", 1): return .subscribers
        case ("settings", 1): return .settings(section: "")
        case ("media", 1): return .media
        case ("media", 2) where parts[1] == "upload": return .uploadMedia
        case ("media", 2): return id(parts[1]).map(AdminRoute.editMedia) ?? .unknown
        case ("settings", 2): return .settings(section: parts[1])
        case ("readers", 1): return .readers
        case ("readers", 2) where parts[1] == "export": return .readersExport
        case ("fediverse", 1): return .fediverse
        default: return .unknown
        }
    }

    /// The address, from `/admin` on.
    public var path: String {
        switch self {
        case .dashboard: return "/admin/"
        case .login: return "/admin/login"
        case .logout: return "/admin/logout"
        case .logoutEverywhere: return "/admin/logout-everywhere"
        case .forgotPassword: return "/admin/forgot"
        case .resetPassword: return "/admin/reset"
        case .setup: return "/admin/setup"
        case .posts(let type, let status): return "/admin/posts?type=\(type.rawValue)" + (status.map { "&status=\($0.rawValue)" } ?? "")
        case .bulkPosts: return "/admin/posts/bulk"
        case .newPost(let type): return "/admin/posts/new" + (type == .post ? "" : "?type=\(type.rawValue)")
        case .editPost(let id): return "/admin/posts/\(id)"
        case .autosave(let id): return "/admin/posts/\(id)/autosave"
        case .revisions(let id): return "/admin/posts/\(id)/revisions"
        case .restoreRevision(let id): return "/admin/posts/\(id)/restore"
        case .preview: return "/admin/preview"
        case .comments(let status, let page): return "/admin/comments?status=\(status.rawValue)" + (page > 1 ? "&paged=\(page)" : "")
        case .emptyComments: return "/admin/comments/empty"
        case .editComment(let id): return "/admin/comments/\(id)/edit"
        case .replyToComment(let id): return "/admin/comments/\(id)/reply"
        case .terms(let taxonomy): return "/admin/terms?taxonomy=\(taxonomy.rawValue)"
        case .users: return "/admin/users"
        case .subscribers: return "/admin/subscribers"
        case .settings(let section): return section.isEmpty ? "/admin/settings" : "/admin/settings/\(section)"
        case .media: return "/admin/media"
        case .editMedia(let id): return "/admin/media/\(id)"
        case .uploadMedia: return "/admin/media/upload"
        case .asset(let name): return "/admin/assets/\(name)"
        case .readers: return "/admin/readers"
        case .readersExport: return "/admin/readers/export"
        case .fediverse: return "/admin/fediverse"
        case .unknown: return "/admin/"
        }
    }
}

/// Builds every link of a site from its settings; the permalink structure is used in one place only.
public struct SiteLinks: Sendable {
    public let base: String
    let settings: SiteSettings

    public init(base: String, settings: SiteSettings) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.settings = settings
    }

    /// The address of `route`; the inverse of `SiteRoute.match`.
    public func url(_ route: SiteRoute) -> String { base + path(route) }

    /// The path and query of `route`, from the site's root.
    public func path(_ route: SiteRoute) -> String {
        func paged(_ path: String, _ n: Int) -> String { n <= 1 ? path : path + "page/\(n)/" }
        switch route {
        case .home(let page): return paged("/", page)
        case .post(let match, let structure):
            return PermalinkStructure.parsed(structure)?.path(for: match) ?? "/?p=\(match.postID ?? 0)"
        case .page(let segments): return "/" + segments.joined(separator: "/") + "/"
        case .archive(let taxonomy, let termPath, let page): return paged("/\(taxonomy.base)/" + termPath.joined(separator: "/") + "/", page)
        case .author(let login, let page): return paged("/author/\(login)/", page)
        case .date(let year, let month, let day, let page):
            var s = "/\(year)/"
            if let month { s += Digits.padded(month, width: 2) + "/" }
            if let day { s += Digits.padded(day, width: 2) + "/" }
            return paged(s, page)
        case .search(let q, let page):
            let escaped = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            return (page > 1 ? "/page/\(page)/" : "/") + "?s=" + escaped
        case .feed(let target, let format):
            let under: String
            switch target {
            case .site: under = "/"
            case .comments: under = "/comments/"
            case .archive(let taxonomy, let termPath): under = path(.archive(taxonomy, path: termPath, page: 1))
            case .author(let login): under = path(.author(login: login, page: 1))
            case .postComments(let post): under = path(post)
            }
            return under + Self.feedPath(format)
        case .commentSubmit: return "/wp-comments-post.php"
        case .unlock: return "/wp-login.php?action=postpass"
        case .linkback(let linkback): return linkback.path
        case .admin(let admin): return admin.path
        case .asset(let theme, let file): return "/assets/\(theme)/\(file)"
        case .upload(let file): return "/wp-content/uploads/\(file)"
        case .attachment(let id): return "/media/\(id)/"
        case .avatar(let key): return "/avatar/\(key).svg"
        case .follows(let follows): return follows.path
        case .sitemap(let sitemap): return sitemap.path
        case .operations(let operations): return operations.path
        case .fediverse(let fediverse): return fediverse.path
        case .legacy(let query): return Self.legacyPath(query)
        case .signInOIDC(let provider, let callback): return "/signin/oidc/\(provider)" + (callback ? "/callback" : "")
        case .signInIndieAuth(let callback): return "/signin/indieauth" + (callback ? "/callback" : "")
        case .signIn, .signInEmail, .signInEmailConfirm, .signOut, .account, .readerFace: return Self.readerPath(route)
        }
    }

    static func legacyPath(_ query: SiteRoute.LegacyQuery) -> String {
        func q(_ query: SiteRoute.LegacyQuery) -> String {
            switch query {
            case .post(let id): return "p=\(id)"
            case .page(let id): return "page_id=\(id)"
            case .category(let id): return "cat=\(id)"
            case .tag(let slug): return "tag=" + (slug.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            case .author(let id): return "author=\(id)"
            case .month(let m): return "m=\(m)"
            case .attachment(let id): return "attachment_id=\(id)"
            case .feed(let name, let of): return (of.map { q($0) + "&" } ?? "") + "feed=\(name)"
            case .path: return ""
            }
        }
        if case .path(let p) = query { return p }
        return "/?" + q(query)
    }

    public var home: String { url(.home(page: 1)) }
    public func homePage(_ n: Int) -> String { url(.home(page: n)) }
    public func admin(_ route: AdminRoute) -> String { url(.admin(route)) }
    /// A post's canonical URL: the one function pages, feeds, the exporter and linkbacks all use.
    public func post(_ post: Post, at place: PostPlace) -> String {
        if post.type == .page { return url(.page(path: place.ancestors + [post.slug])) }
        return base
            + settings.permalinkStructure.path(
                for: post, timeZone: settings.timeZone, categoryPath: place.categoryPath, authorLogin: place.authorLogin)
    }
    public func term(_ taxonomy: Taxonomy, path: String) -> String {
        url(.archive(taxonomy, path: path.split(separator: "/").map(String.init), page: 1))
    }
    public func author(_ login: String) -> String { url(.author(login: login, page: 1)) }
    public func feed(_ format: SiteRoute.FeedFormat = .rss) -> String { url(.feed(.site, format)) }
    public func commentsFeed(_ format: SiteRoute.FeedFormat = .rss) -> String { url(.feed(.comments, format)) }
    /// The feed of comments on the page at `url` (a post's canonical URL).
    public func feed(under url: String, _ format: SiteRoute.FeedFormat = .rss) -> String { url + Self.feedPath(format) }
    static func feedPath(_ format: SiteRoute.FeedFormat) -> String {
        switch format {
        case .rss: return "feed/"
        case .atom: return "feed/atom/"
        case .json: return "feed/json/"
        }
    }
    public func search(_ q: String, page: Int = 1) -> String { url(.search(query: q, page: page)) }
    public func date(year: Int, month: Int? = nil, day: Int? = nil) -> String { url(.date(year: year, month: month, day: day, page: 1)) }
    public var commentSubmit: String { url(.commentSubmit) }
    public var unlock: String { url(.unlock) }
    public func asset(_ theme: String) -> String { base + "/assets/\(theme)" }
    public func shortlink(_ id: Int64) -> String { url(.legacy(.post(id))) }
    public func attachment(_ id: Int64) -> String { url(.attachment(id: id)) }
    public var xmlrpc: String { url(.linkback(.xmlrpc)) }
    public var webmention: String { url(.linkback(.webmention)) }
    public func webmentionStatus(_ token: String) -> String { url(.linkback(.webmentionStatus(token: token))) }
    /// The Trackback address of the post at `postURL` (its canonical URL).
    public func trackback(postURL: String) -> String { postURL + "trackback/" }
    public var jsonFeed: String { feed(.json) }
}

extension PermalinkStructure {
    /// The path a match came from; nil when the structure names parts a match does not keep (hours, minutes…).
    func path(for match: PermalinkMatch) -> String? {
        var out = ""
        for token in tokens {
            switch token {
            case .literal(let text): out += text
            case .tag(let tag):
                let part: String?
                switch tag {
                case .year: part = match.year.map { Digits.padded($0, width: 4) }
                case .monthnum: part = match.month.map { Digits.padded($0, width: 2) }
                case .day: part = match.day.map { Digits.padded($0, width: 2) }
                case .postname: part = match.postname
                case .postID: part = match.postID.map { String($0) }
                case .category: part = match.category
                case .author: part = match.author
                case .hour, .minute, .second: part = nil
                }
                guard let part else { return nil }
                out += part
            }
        }
        return out
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
