import Foundation

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
            let escaped = q.percentEncodedAlphanumerics
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
            case .tag(let slug): return "tag=" + slug.percentEncodedAlphanumerics
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
