import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation

/// `robots.txt` and the sitemaps: an index naming pages of up to 2,000 URLs of posts, pages, categories, tags and
/// authors. They list only what an anonymous reader may see, and are cached like pages: a new post drops them.
struct SitemapController: Sendable {
    let store: SQLStore
    let views: ViewFactory

    static let xml = "application/xml; charset=utf-8"
    /// Every write that adds, removes or renames something listed records one of these.
    static let scopes: Set<CacheScope> = [.lists, .navigation]

    func answer(_ route: SitemapRoute, _ r: SiteRequest) async throws -> PageResult? {
        let size = SitemapRoute.pageSize
        let site = r.site.id
        switch route {
        case .robots:
            return .feed(body: robots(r), contentType: "text/plain; charset=utf-8", scopes: [.site])
        case .oldIndex:
            return .redirect(to: r.links.sitemapIndex, permanent: true)
        case .index:
            var entries: [SitemapWriter.Entry] = []
            func add(_ pages: [SQLStore.SitemapPage], _ route: (Int) -> SitemapRoute) {
                for (i, page) in pages.enumerated() {
                    entries.append(.init(r.links.sitemap(route(i + 1)), lastModified: page.lastModified))
                }
            }
            let posts = try await store.sitemapPostPages(siteID: site, type: .post, size: size)
            add(posts, { .posts(.post, page: $0) })
            // The pages sitemap always exists: its first page starts with the home page.
            let pages = try await store.sitemapPostPages(siteID: site, type: .page, size: size)
            let newest = (posts + pages).map(\.lastModified).max()
            if pages.isEmpty {
                entries.append(.init(r.links.sitemap(.posts(.page, page: 1)), lastModified: newest))
            } else {
                add(pages, { .posts(.page, page: $0) })
            }
            add(try await store.sitemapTermPages(siteID: site, taxonomy: .category, size: size), { .terms(.category, page: $0) })
            add(try await store.sitemapTermPages(siteID: site, taxonomy: .tag, size: size), { .terms(.tag, page: $0) })
            add(try await store.sitemapAuthorPages(siteID: site, size: size), { .users(page: $0) })
            return .feed(body: SitemapWriter.index(entries), contentType: Self.xml, scopes: Self.scopes)
        case .posts(let type, let page):
            let list = try await store.sitemapPosts(siteID: site, type: type, limit: size, offset: (page - 1) * size)
            var entries: [SitemapWriter.Entry] = []
            if type == .page, page == 1, try await !frontPageListed(r) {
                let newest = try await store.sitemapPostPages(siteID: site, type: .post, size: size).map(\.lastModified).max()
                entries.append(.init(r.links.home, lastModified: newest ?? list.map(\.modifiedAt).max()))
            }
            guard !list.isEmpty || !entries.isEmpty else { return nil }
            entries += try await urls(list, type: type, r)
            return .feed(body: SitemapWriter.urlset(entries), contentType: Self.xml, scopes: Self.scopes)
        case .terms(let taxonomy, let page):
            let terms = try await store.sitemapTerms(siteID: site, taxonomy: taxonomy, limit: size, offset: (page - 1) * size)
            guard !terms.isEmpty else { return nil }
            let paths = try await views.categoryPaths(site, needed: terms.map(\.term))
            let entries = terms.map { term, lastModified in
                SitemapWriter.Entry(
                    r.links.term(taxonomy, path: taxonomy == .category ? paths[term.id] ?? term.slug : term.slug), lastModified: lastModified)
            }
            return .feed(body: SitemapWriter.urlset(entries), contentType: Self.xml, scopes: Self.scopes)
        case .users(let page):
            let authors = try await store.sitemapAuthors(siteID: site, limit: size, offset: (page - 1) * size)
            guard !authors.isEmpty else { return nil }
            let entries = authors.map { SitemapWriter.Entry(r.links.author($0.login), lastModified: $0.lastModified) }
            return .feed(body: SitemapWriter.urlset(entries), contentType: Self.xml, scopes: Self.scopes)
        }
    }

    /// Whether a static front page is among the listed pages (then it stands for the home page there).
    private func frontPageListed(_ r: SiteRequest) async throws -> Bool {
        guard let id = r.site.settings.frontPageID, let page = try await store.post(id: id, siteID: r.site.id) else { return false }
        return page.type == .page && page.status == .publish && page.password.isEmpty
    }

    /// Permalinks of one sitemap page, with the terms and authors they need read in one query each.
    private func urls(_ list: [Post], type: PostType, _ r: SiteRequest) async throws -> [SitemapWriter.Entry] {
        if type == .page {
            let tree = try await store.pageTree(siteID: r.site.id)
            return list.map { page in
                if page.id == r.site.settings.frontPageID { return .init(r.links.home, lastModified: page.modifiedAt) }
                var ancestors: [String] = []
                var parent = page.parentID
                while let id = parent, ancestors.count < 10, let node = tree[id] {
                    ancestors.insert(node.slug, at: 0)
                    parent = node.parentID
                }
                return .init(r.links.post(page, at: PostPlace(ancestors: ancestors)), lastModified: page.modifiedAt)
            }
        }
        let structure = r.site.settings.permalinkStructure.pattern
        let terms = structure.contains("%category%") ? try await store.terms(postIDs: list.map(\.id)) : [:]
        let authors = structure.contains("%author%") ? try await store.users(ids: Array(Set(list.map(\.authorID)))) : [:]
        let places = try await PostURLs(store: store).places(list, siteID: r.site.id, terms: terms, authors: authors)
        return list.map { post in .init(r.links.post(post, at: places[post.id] ?? PostPlace()), lastModified: post.modifiedAt) }
    }

    /// WordPress's robots.txt with our admin's path: crawlers keep out of the admin and are told where the sitemap is.
    private func robots(_ r: SiteRequest) -> String {
        """
        User-agent: *
        Disallow: /admin/

        Sitemap: \(r.links.sitemapIndex)

        """
    }
}
