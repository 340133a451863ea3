import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation

/// Home, archives by term, author and date, and search.
struct ListController: Sendable {
    let store: SQLStore
    let theme: Theme
    let views: ViewFactory

    func home(_ r: SiteRequest, page: Int) async throws -> PageResult? {
        var q = PostQuery(siteID: r.site.id)
        q.reading = .forDisplay
        q.stickyFirst = true
        return try await list(
            r, query: q, page: page, template: "home", heading: "", kind: "", route: { .home(page: $0) }, full: r.site.settings.homeShowsFullText,
            title: page > 1 ? "Page \(page)" : nil, empty: "Nothing has been published yet.")
    }

    func archive(_ r: SiteRequest, taxonomy: Taxonomy, path: [String], page: Int) async throws -> PageResult? {
        guard let slug = path.last, let term = try await store.term(slug: slug, taxonomy: taxonomy, siteID: r.site.id) else {
            return nil
        }
        var termIDs = [term.id]
        if taxonomy == .category {
            // A category archive includes its descendants, as WordPress's does.
            let all = try await store.terms(siteID: r.site.id, taxonomy: .category)
            var frontier = [term.id]
            while let id = frontier.popLast() {
                let kids = all.filter { $0.parentID == id }.map(\.id).filter { !termIDs.contains($0) }
                termIDs += kids
                frontier += kids
            }
        }
        var q = PostQuery(siteID: r.site.id)
        q.reading = .forDisplay
        q.termIDs = termIDs
        let feeds = [
            FeedLink(
                title: "\(r.site.settings.title) » \(term.name) \(taxonomy == .category ? "Category" : "Tag") Feed",
                url: r.links.url(.feed(.archive(taxonomy, path: path), .rss)), type: "application/rss+xml")
        ]
        return try await list(
            r, query: q, page: page, template: "archive", heading: term.name,
            kind: taxonomy == .category ? "Category" : "Tag", route: { .archive(taxonomy, path: path, page: $0) }, full: false, title: term.name,
            empty: "No posts are filed here yet.", description: term.description, feeds: feeds)
    }

    func author(_ r: SiteRequest, login: String, page: Int) async throws -> PageResult? {
        guard let user = try await store.user(login: login), try await store.role(userID: user.id, siteID: r.site.id) != nil
        else { return nil }
        var q = PostQuery(siteID: r.site.id)
        q.reading = .forDisplay
        q.authorID = user.id
        return try await list(
            r, query: q, page: page, template: "archive", heading: user.displayName, kind: "Author", route: { .author(login: user.login, page: $0) },
            full: false, title: user.displayName, empty: "\(user.displayName) has not published anything yet.",
            feeds: [
                FeedLink(
                    title: "\(r.site.settings.title) » Posts by \(user.displayName) Feed", url: r.links.url(.feed(.author(login: user.login), .rss)),
                    type: "application/rss+xml")
            ])
    }

    func date(_ r: SiteRequest, year: Int, month: Int?, day: Int?, page: Int) async throws -> PageResult? {
        let calendar = TimeZones.calendar(r.site.settings.timeZone)
        guard (1000...9999).contains(year),
            let start = calendar.date(from: DateComponents(year: year, month: month ?? 1, day: day ?? 1)),
            calendar.component(.day, from: start) == (day ?? 1)  // rejects 2008/02/31
        else { return nil }
        let unit: Calendar.Component = day != nil ? .day : (month != nil ? .month : .year)
        guard let end = calendar.date(byAdding: unit, value: 1, to: start) else { return nil }
        var q = PostQuery(siteID: r.site.id)
        q.reading = .forDisplay
        q.publishedFrom = start
        q.publishedBefore = end
        let format: String
        switch unit {
        case .day: format = r.site.settings.dateFormat
        case .month: format = "F Y"
        default: format = "Y"
        }
        let heading = r.site.settings.formatter(format).string(from: start)
        return try await list(
            r, query: q, page: page, template: "archive", heading: heading,
            kind: unit == .day ? "Day" : (unit == .month ? "Month" : "Year"), route: { .date(year: year, month: month, day: day, page: $0) },
            full: false,
            title: heading, empty: "Nothing was published in this period.")
    }

    func search(_ r: SiteRequest, query text: String, page: Int) async throws -> PageResult {
        let trimmed = String(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
        let perPage = r.site.settings.postsPerPage
        let offset = (page - 1) * perPage
        let (posts, total) = page > 10_000 ? ([], 0) : try await store.search(siteID: r.site.id, text: trimmed, limit: perPage, offset: offset)
        let pages = max(1, (total + perPage - 1) / perPage)
        let views = try await views.postViews(posts, r, full: false)
        let heading = trimmed.isEmpty ? "Search" : "Results for “\(trimmed)”"
        var chrome =
            views.isEmpty && trimmed.isEmpty
            ? self.views.chrome(r, title: "Search", canonical: "", noindex: true, searchQuery: trimmed)
            : self.views.chrome(r, title: heading, canonical: "", noindex: true, searchQuery: trimmed)
        chrome.menu = try await self.views.menu(r)
        var view = ListPage(
            chrome: chrome,
            heading: heading, headingKind: "Search", descriptionHTML: "", posts: views,
            pagination: Pagination(
                newerURL: page > 1 ? r.links.search(trimmed, page: page - 1) : "",
                olderURL: page < pages ? r.links.search(trimmed, page: page + 1) : "", current: min(page, pages), total: pages),
            emptyMessage: trimmed.isEmpty ? "Type a few words to search." : "Nothing matched “\(trimmed)”. Try other words.",
            isSearch: true)
        view.postsHTML = theme.renderSummaries(view.posts)
        return .html(status: .ok, body: theme.render(view, template: "search") ?? "", scopes: [.lists, .navigation])
    }

    private func list(
        _ r: SiteRequest, query: PostQuery, page: Int, template: String, heading: String, kind: String, route: (Int) -> SiteRoute,
        full: Bool, title: String?, empty: String, description: String = "", feeds: [FeedLink] = []
    ) async throws -> PageResult? {
        var q = query
        let perPage = r.site.settings.postsPerPage
        q.limit = perPage
        q.offset = (page - 1) * perPage
        let total = try await store.count(q)
        let pages = max(1, (total + perPage - 1) / perPage)
        // Past the last page there is nothing to show: a 404, as WordPress answers.
        if page > pages { return nil }
        let posts = total == 0 ? [] : try await store.posts(q)
        let postViews = try await views.postViews(posts, r, full: full)
        let canonical = r.links.url(route(page))
        var chrome = views.chrome(r, title: title, canonical: canonical, description: PlainText.fromHTML(description), extraFeeds: feeds)
        chrome.menu = try await views.menu(r)
        if page == 1, r.site.settings.fediverseEnabled {
            // The blog's and authors' pages name their actors, so a server looking the address up finds them.
            let ids = FediverseIDs(site: r.site)
            if case .home = route(1) { chrome.extraHead += ViewFactory.activityAlternate(ids.actor(.blog)) }
            if case .author = route(1), let userID = query.authorID {
                chrome.extraHead += ViewFactory.activityAlternate(ids.actor(.author(userID: userID)))
            }
        }
        var view = ListPage(
            chrome: chrome,
            heading: heading, headingKind: kind, descriptionHTML: HTMLSanitizer.sanitize(description, policy: .content),
            posts: postViews,
            pagination: Pagination(
                newerURL: page > 1 ? r.links.url(route(page - 1)) : "",
                olderURL: page < pages ? r.links.url(route(page + 1)) : "", current: page, total: pages),
            emptyMessage: empty)
        view.postsHTML = theme.renderSummaries(view.posts)
        return .html(status: .ok, body: theme.render(view, template: template) ?? "", scopes: [.lists, .navigation])
    }
}
