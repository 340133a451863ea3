import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation

/// RSS 2.0 and Atom for the site, each category, tag and author, and comments.
struct FeedController: Sendable {
    let store: SQLStore
    let views: ViewFactory
    let posts: PostController

    static let itemCount = 10

    func feed(_ target: SiteRoute.FeedTarget, _ format: SiteRoute.FeedFormat, _ r: SiteRequest) async throws -> PageResult? {
        let s = r.site.settings
        var q = PostQuery(siteID: r.site.id)
        q.limit = Self.itemCount
        q.reading = .forDisplay
        var title = s.title
        var home = r.links.home
        switch target {
        case .site:
            break
        case .archive(let taxonomy, let path):
            guard let slug = path.last, let term = try await store.term(slug: slug, taxonomy: taxonomy, siteID: r.site.id) else { return nil }
            q.termIDs = [term.id]
            title = "\(s.title) » \(term.name)"
            home = r.links.term(taxonomy, path: path.joined(separator: "/"))
        case .author(let login):
            guard let user = try await store.user(login: login) else { return nil }
            q.authorID = user.id
            title = "\(s.title) » \(user.displayName)"
            home = r.links.author(user.login)
        case .comments:
            return try await commentsFeed(r, format, post: nil)
        case .postComments(let route):
            guard let (post, canonical) = try await posts.resolve(route, r) else { return nil }
            return try await commentsFeed(r, format, post: (post, canonical))
        }
        let list = try await store.posts(q)
        let views = try await self.views.postViews(list, r, full: true)
        let featured = try await store.featuredMedia(postIDs: list.map(\.id), siteID: r.site.id)
        let entries = zip(list, views).map { post, view in
            FeedEntry(
                id: post.guid.isEmpty ? r.links.shortlink(post.id) : post.guid, title: post.title, link: view.url,
                published: post.publishedAt, updated: post.modifiedAt, authorName: view.authorName,
                categories: view.categories.map(\.name) + view.tags.map(\.name), summary: view.excerptText,
                contentHTML: view.passwordRequired
                    ? "" : (FeaturedImage(featured[post.id], base: r.links.base)?.feedHTML ?? "") + post.contentHTML,
                commentsURL: view.url + "#comments",
                commentsFeedURL: view.url + "feed/", commentCount: post.commentCount)
        }
        let doc = FeedDocument(
            title: title, subtitle: s.tagline, homeURL: home, selfURL: r.links.base + r.request.uri.path, language: "en-US",
            updated: list.map(\.modifiedAt).max() ?? Date(timeIntervalSince1970: 0), generator: "Drey", entries: entries,
            hubURL: s.websubHub.isEmpty ? nil : s.websubHub)
        return render(doc, format, scopes: [.lists])
    }

    private func commentsFeed(_ r: SiteRequest, _ format: SiteRoute.FeedFormat, post: (Post, String)?) async throws -> PageResult {
        let s = r.site.settings
        let comments: [Comment]
        if let (p, _) = post {
            comments = p.password.isEmpty ? Array(try await store.comments(postID: p.id, statuses: [.approved]).suffix(50).reversed()) : []
        } else {
            comments = try await store.comments(siteID: r.site.id, statuses: [.approved], limit: 50, offset: 0)
        }
        // Titles and links of the posts the comments are on, skipping any a reader may not see.
        var postsByID: [Int64: (Post, String)] = [:]
        if let post { postsByID[post.0.id] = post }
        for id in Set(comments.map(\.postID)) where postsByID[id] == nil {
            if let p = try await store.post(id: id, siteID: r.site.id), p.isVisible(at: r.now), p.password.isEmpty {
                postsByID[id] = (p, try await posts.canonicalURL(p, r))
            }
        }
        let entries: [FeedEntry] = comments.prefix(Self.itemCount * 2).compactMap { c in
            guard let (p, url) = postsByID[c.postID] else { return nil }
            return FeedEntry(
                id: r.links.shortlink(p.id) + "#comment-\(c.id)", title: "Comment on \(p.title) by \(c.authorName)",
                link: url + "#comment-\(c.id)", published: c.createdAt, updated: c.createdAt, authorName: c.authorName,
                categories: [], summary: PlainText.fromHTML(c.contentHTML), contentHTML: c.contentHTML)
        }
        let title = post.map { "Comments on: \($0.0.title)" } ?? "Comments for \(s.title)"
        let doc = FeedDocument(
            title: title, subtitle: s.tagline, homeURL: post?.1 ?? r.links.home, selfURL: r.links.base + r.request.uri.path,
            language: "en-US", updated: comments.map(\.createdAt).max() ?? Date(timeIntervalSince1970: 0), generator: "Drey",
            entries: entries)
        var scopes: Set<CacheScope> = [.comments]
        if let post { scopes.insert(.post(post.0.id)) }
        return render(doc, format, scopes: scopes)
    }

    private func render(_ doc: FeedDocument, _ format: SiteRoute.FeedFormat, scopes: Set<CacheScope>) -> PageResult {
        switch format {
        case .rss: return .feed(body: FeedWriter.rss(doc), contentType: "application/rss+xml; charset=UTF-8", scopes: scopes)
        case .atom: return .feed(body: FeedWriter.atom(doc), contentType: "application/atom+xml; charset=UTF-8", scopes: scopes)
        case .json: return .feed(body: FeedWriter.json(doc), contentType: "application/feed+json; charset=UTF-8", scopes: scopes)
        }
    }
}
