import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation

extension ViewFactory {
    /// The menu in the header: the owner's (the `menu` setting) or, without one, the published top-level pages and
    /// the most used top-level categories. Pages showing it depend on `.navigation`, which every write that can change
    /// it records.
    func menu(_ r: SiteRequest) async throws -> [TermLink] {
        let written = r.site.settings.menuItems
        if !written.isEmpty {
            return written.map { TermLink(name: $0.label, url: $0.url.hasPrefix("/") ? r.links.base + $0.url : $0.url) }
        }
        // Made from every page and every category's count, a read that grows with the blog: remembered until the next
        // change this process reads (every write that can change the menu records one), rendered pages or not.
        guard let changes else { return try await readMenu(r) }
        let key = "\(r.site.id) " + r.links.base
        let after = changes.lastSequence
        if let known = menus.withLock({ $0[key] }), known.after == after { return known.items }
        // Not from the page's snapshot, which may have begun before the change `after` names: the menu it read would
        // be kept as that change's.
        let items = try await store.database.outsideSnapshot { try await readMenu(r) }
        menus.withLock { known in
            if known.count >= 64 { known.removeAll() }  // sites × addresses; made-up hosts cannot grow it
            known[key] = (after, items)
        }
        return items
    }

    private func readMenu(_ r: SiteRequest) async throws -> [TermLink] {
        var q = PostQuery(siteID: r.site.id)
        q.type = .page
        q.limit = 50
        q.reading = .forLinks
        async let pagesQuery = store.posts(q)
        async let categoriesQuery = store.terms(siteID: r.site.id, taxonomy: .category)
        async let countsQuery = store.termCounts(siteID: r.site.id)
        let (pages, categories, counts) = try await (pagesQuery, categoriesQuery, countsQuery)
        let topPages = pages.filter { $0.parentID == nil && $0.password.isEmpty && $0.isVisible(at: r.now) }
            .sorted { ($0.menuOrder, $0.title.lowercased()) < ($1.menuOrder, $1.title.lowercased()) }
            .prefix(Self.menuPages)
        let topCategories = categories.filter { $0.parentID == nil && (counts[$0.id] ?? 0) > 0 }
            .sorted { (counts[$0.id] ?? 0, $1.name.lowercased()) > (counts[$1.id] ?? 0, $0.name.lowercased()) }
            .prefix(Self.menuCategories)
        return topPages.map { TermLink(name: $0.title, url: r.links.post($0, at: PostPlace())) }
            + topCategories.map { TermLink(name: $0.name, url: r.links.term(.category, path: $0.slug)) }
    }

    static let menuPages = 5
    static let menuCategories = 5

    /// The published posts just before and after `post` by date, as WordPress's `previous_post_link` and
    /// `next_post_link` find them.
    func neighbours(of post: Post, _ r: SiteRequest) async throws -> (previous: TermLink?, next: TermLink?) {
        guard post.type == .post, post.status == .publish else { return (nil, nil) }
        var before = PostQuery(siteID: r.site.id)
        before.publishedBefore = post.publishedAt
        before.limit = 1
        before.reading = .forLinks
        var after = PostQuery(siteID: r.site.id)
        after.publishedFrom = post.publishedAt
        after.reading = .forLinks
        after.newestFirst = false
        after.limit = 3
        async let olderQuery = store.posts(before)
        async let newerQuery = store.posts(after)
        let (older, newer) = try await (olderQuery, newerQuery)
        // Posts published in the same second are ordered by ID, as the lists order them.
        let next = newer.first { $0.id != post.id && ($0.publishedAt > post.publishedAt || $0.id > post.id) }
        let found = [older.first, next].compactMap { $0 }
        let urls = try await addresses(found, r)
        func link(_ p: Post?) -> TermLink? {
            guard let p, let url = urls[p.id] else { return nil }
            return TermLink(name: p.title.isEmpty ? "(untitled)" : p.title, url: url)
        }
        return (link(older.first), link(next))
    }

    /// The posts' addresses alone: their categories and authors are read only when the permalink structure names
    /// them (a link needs nothing else of a post view).
    func addresses(_ posts: [Post], _ r: SiteRequest) async throws -> [Int64: String] {
        guard !posts.isEmpty else { return [:] }
        let pattern = r.site.settings.permalinkStructure.pattern
        let terms = pattern.contains("%category%") ? try await store.terms(postIDs: posts.map(\.id)) : [:]
        let authors = pattern.contains("%author%") ? try await store.users(ids: posts.map(\.authorID)) : [:]
        let urls = PostURLs(store: store)
        let paths = terms.isEmpty ? [:] : try await urls.categoryPaths(r.site.id, needed: terms.values.flatMap { $0 })
        let places = try await urls.places(posts, siteID: r.site.id, terms: terms, authors: authors, categoryPaths: paths)
        var result: [Int64: String] = [:]
        for post in posts { result[post.id] = r.links.post(post, at: places[post.id] ?? PostPlace()) }
        return result
    }
}
