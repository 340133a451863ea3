import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation

/// Shapes rows into the view models templates receive; templates never see rows.
struct ViewFactory: Sendable {
    let store: SQLStore
    let themeName: String
    /// The change log this process has read: derived views (the menu) are remembered until it moves.
    var changes: ChangeFeed? = nil
    /// The menu of each site and address, with the change it was made after (`menu`).
    let menus = Locked([String: (after: Int64, items: [TermLink])]())

    func chrome(
        _ r: SiteRequest, title: String? = nil, canonical: String, description: String = "", ogType: String = "website",
        extraFeeds: [FeedLink] = [], noindex: Bool = false, searchQuery: String = "", extraHead: String = ""
    ) -> Chrome {
        let s = r.site.settings
        let documentTitle = title.map { "\($0) – \(s.title)" } ?? (s.tagline.isEmpty ? s.title : "\(s.title) – \(s.tagline)")
        var chrome = Chrome(
            siteTitle: s.title, tagline: s.tagline, homeURL: r.links.base, documentTitle: documentTitle,
            canonicalURL: canonical, description: description.isEmpty ? s.tagline : description, ogType: ogType,
            ogTitle: title ?? s.title, typographyCSS: s.typography.cssDeclarations,
            customCSS: Self.safeCSS(s.customCSS),
            feeds: [
                FeedLink(title: "\(s.title) » Feed", url: r.links.feed(), type: "application/rss+xml", footerName: "Posts (RSS)"),
                FeedLink(title: "\(s.title) » Atom Feed", url: r.links.feed(.atom), type: "application/atom+xml", footerName: "Posts (Atom)"),
                FeedLink(title: "\(s.title) » JSON Feed", url: r.links.jsonFeed, type: "application/feed+json", footerName: "Posts (JSON Feed)"),
                FeedLink(title: "\(s.title) » Comments Feed", url: r.links.commentsFeed(), type: "application/rss+xml", footerName: "Comments (RSS)"),
            ] + extraFeeds,
            noindex: noindex, searchQuery: searchQuery, assetBase: r.links.asset(themeName), extraHead: extraHead)
        chrome.webmentionURL = s.webmentionsEnabled ? r.links.webmention : ""
        chrome.pingbackURL = s.pingbacksEnabled ? r.links.xmlrpc : ""
        chrome.adminBar = Self.adminBar(r)
        return chrome
    }

    /// Staff-written CSS goes inside `<style>`; it must not be able to close that element.
    static func safeCSS(_ css: String) -> String {
        // Most CSS has no `<` at all: returned as it is, without Foundation's replacing (a copy through NSString per page).
        guard css.utf8.contains(UInt8(ascii: "<")) else { return css }
        return css.replacingOccurrences(of: "</", with: "<\\/").replacingOccurrences(of: "<!--", with: "")
    }

    /// Everything lists need about a set of posts, loaded in a few queries.
    func postViews(_ posts: [Post], _ r: SiteRequest, full: Bool) async throws -> [PostView] {
        let ids = posts.map(\.id)
        async let termsByPost = store.terms(postIDs: ids)
        async let authors = store.users(ids: posts.map(\.authorID))
        let (terms, users) = try await (termsByPost, authors)
        let urls = PostURLs(store: store)
        let categoriesAll = try await urls.categoryPaths(r.site.id, needed: terms.values.flatMap { $0 })
        let places = try await urls.places(posts, siteID: r.site.id, terms: terms, authors: users, categoryPaths: categoriesAll)
        var views: [PostView] = []
        for post in posts {
            var view = postView(
                post, r, terms: terms[post.id] ?? [], author: users[post.authorID], categoryPaths: categoriesAll,
                url: r.links.post(post, at: places[post.id] ?? PostPlace()))
            view.showFull = full
            // Only the first post's first image is near the top of a list.
            view.contentHTML = try await ResponsiveImages(store: store).apply(
                view.contentHTML, siteID: r.site.id, base: r.links.base, eager: views.isEmpty ? 1 : 0)
            views.append(view)
        }
        return views
    }

    func categoryPaths(_ siteID: Int64, needed: [Term]) async throws -> [Int64: String] {
        try await PostURLs(store: store).categoryPaths(siteID, needed: needed)
    }

    func postView(_ post: Post, _ r: SiteRequest, terms: [Term], author: User?, categoryPaths: [Int64: String], url: String) -> PostView {
        let s = r.site.settings
        let locked = !post.password.isEmpty && !r.unlockedPosts.contains(post.id)
        let categories = terms.filter { $0.taxonomy == .category }.map {
            TermLink(name: $0.name, url: r.links.term(.category, path: categoryPaths[$0.id] ?? $0.slug))
        }
        let tags = terms.filter { $0.taxonomy == .tag }.map { TermLink(name: $0.name, url: r.links.term(.tag, path: $0.slug)) }
        let excerpt: String
        if locked {
            excerpt = "There is no excerpt because this is a protected post."
        } else {
            excerpt = post.excerpt.isEmpty ? PlainText.fromHTML(post.contentHTML, maxWords: 55) : post.excerpt
        }
        return PostView(
            id: post.id, title: post.title, url: url,
            dateText: s.formatter(s.dateFormat).string(from: post.publishedAt),
            timeText: s.formatter(s.timeFormat).string(from: post.publishedAt),
            isoPublished: ISO8601.string(post.publishedAt), isoModified: ISO8601.string(post.modifiedAt),
            authorName: author?.displayName ?? "Unknown", authorURL: author.map { r.links.author($0.login) } ?? "",
            contentHTML: locked ? "" : post.contentHTML, excerptText: excerpt, categories: categories, tags: tags,
            commentCountText: post.type == .post ? Self.countText(post.commentCount) : "",
            commentsURL: url + (post.commentCount > 0 ? "#comments" : "#respond"), sticky: post.sticky, isPage: post.type == .page,
            typographyStyle: post.typography.cssDeclarations, passwordRequired: locked)
    }

    /// "No Comments", "1 Comment", "22 Comments", as WordPress writes them.
    static func countText(_ n: Int) -> String {
        switch n {
        case 0: return "No Comments"
        case 1: return "1 Comment"
        default: return "\(n) Comments"
        }
    }
}

enum ISO8601 {
    static func string(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        let year = Int(tmv.tm_year) + 1900
        guard (0...9999).contains(year) else {
            func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : String(n) }
            return "\(year)-\(two(tmv.tm_mon + 1))-\(two(tmv.tm_mday))T\(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec))Z"
        }
        // Written digit by digit into one small buffer: a comment thread asks for one per comment, and six strings
        // interpolated into a seventh showed in the profile.
        return String(unsafeUninitializedCapacity: 20) { out in
            func put(_ n: Int, _ width: Int, at start: Int) {
                var n = n
                for i in stride(from: start + width - 1, through: start, by: -1) {
                    out[i] = UInt8(ascii: "0") + UInt8(n % 10)
                    n /= 10
                }
            }
            put(year, 4, at: 0)
            put(Int(tmv.tm_mon) + 1, 2, at: 5)
            put(Int(tmv.tm_mday), 2, at: 8)
            put(Int(tmv.tm_hour), 2, at: 11)
            put(Int(tmv.tm_min), 2, at: 14)
            put(Int(tmv.tm_sec), 2, at: 17)
            (out[4], out[7], out[10]) = (UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: "T"))
            (out[13], out[16], out[19]) = (UInt8(ascii: ":"), UInt8(ascii: ":"), UInt8(ascii: "Z"))
            return 20
        }
    }
}
