import DreyCore
import Foundation

/// Every public URL of a site, as a value: requests are matched to it and links are built from it.
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
    case asset(theme: String, path: String)
    /// A file copied in from WordPress's `wp-content/uploads`, at the address it had there.
    case upload(path: String)
    /// An upload's own page (`/media/12/`): the image at its sizes, its caption, the post it belongs to.
    case attachment(id: Int64)
    case legacy(LegacyQuery)

    public enum FeedFormat: String, Sendable { case rss, atom, json }

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

    /// Routes that `path` could name, most specific first; the controller takes the first that resolves.
    public static func candidates(
        method: String, path rawPath: String, query: [String: String], settings: SiteSettings
    ) -> [SiteRoute] {
        let path = rawPath.isEmpty ? "/" : rawPath
        if method == "POST" {
            return path == "/wp-comments-post.php" || path == "/comments/post" ? [.commentSubmit] : []
        }
        var segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if segments.first == "assets", segments.count >= 3 {
            return [.asset(theme: segments[1], path: segments.dropFirst(2).joined(separator: "/"))]
        }
        if let s = query["s"] {
            let page = Int(query["paged"] ?? "") ?? Self.pageNumber(&segments) ?? 1
            return [.search(query: s, page: page)]
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

/// Builds every link of a site from its settings; the permalink structure is used in one place only.
public struct SiteLinks: Sendable {
    public let base: String
    let settings: SiteSettings

    public init(base: String, settings: SiteSettings) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.settings = settings
    }

    public var home: String { base + "/" }
    public func homePage(_ n: Int) -> String { n <= 1 ? home : base + "/page/\(n)/" }
    public func paged(_ listPath: String, _ n: Int) -> String {
        n <= 1 ? base + listPath : base + listPath + "page/\(n)/"
    }
    public func post(_ post: Post, categoryPath: String = "uncategorized", authorLogin: String = "author", pagePath: String? = nil) -> String {
        if post.type == .page { return base + "/" + (pagePath ?? post.slug) + "/" }
        return base + settings.permalinkStructure.path(for: post, timeZone: settings.timeZone, categoryPath: categoryPath, authorLogin: authorLogin)
    }
    public func termPath(_ taxonomy: Taxonomy, path: String) -> String { "/\(taxonomy.base)/\(path)/" }
    public func term(_ taxonomy: Taxonomy, path: String) -> String { base + termPath(taxonomy, path: path) }
    public func author(_ login: String) -> String { base + "/author/\(login)/" }
    public func feed(_ format: SiteRoute.FeedFormat = .rss) -> String { base + "/" + Self.feedPath(format) }
    public func commentsFeed(_ format: SiteRoute.FeedFormat = .rss) -> String { base + "/comments/" + Self.feedPath(format) }
    public func feed(under url: String, _ format: SiteRoute.FeedFormat = .rss) -> String { url + Self.feedPath(format) }
    static func feedPath(_ format: SiteRoute.FeedFormat) -> String {
        switch format {
        case .rss: return "feed/"
        case .atom: return "feed/atom/"
        case .json: return "feed/json/"
        }
    }
    public func search(_ q: String, page: Int = 1) -> String {
        let escaped = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return base + (page > 1 ? "/page/\(page)/" : "/") + "?s=" + escaped
    }
    public func date(year: Int, month: Int? = nil, day: Int? = nil) -> String {
        var s = base + "/\(year)/"
        if let month { s += Digits.padded(month, width: 2) + "/" }
        if let day { s += Digits.padded(day, width: 2) + "/" }
        return s
    }
    public var commentSubmit: String { base + "/wp-comments-post.php" }
    public func asset(_ theme: String) -> String { base + "/assets/\(theme)" }
    public func shortlink(_ id: Int64) -> String { base + "/?p=\(id)" }
    public func attachment(_ id: Int64) -> String { base + "/media/\(id)/" }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
