import DreyCore
import DreyStore
import Foundation

/// A post's canonical URL, for pages and for work done without a request (pings sent by jobs).
struct PostURLs: Sendable {
    let store: SQLStore

    func canonical(_ post: Post, site: Site, links: SiteLinks) async throws -> String {
        if post.type == .page {
            var path = [post.slug]
            var parentID = post.parentID
            var hops = 0
            while let id = parentID, hops < 10, let parent = try await store.post(id: id, siteID: site.id) {
                path.insert(parent.slug, at: 0)
                parentID = parent.parentID
                hops += 1
            }
            return links.post(post, pagePath: path.joined(separator: "/"))
        }
        let structure = site.settings.permalinkStructure.pattern
        var categoryPath = "uncategorized"
        var login = "author"
        if structure.contains("%category%") {
            let terms = try await store.terms(postIDs: [post.id])[post.id] ?? []
            let paths = try await ViewFactory(store: store, themeName: "").categoryPaths(site.id, needed: terms)
            if let first = terms.filter({ $0.taxonomy == .category }).min(by: { $0.id < $1.id }) {
                categoryPath = paths[first.id] ?? first.slug
            }
        }
        if structure.contains("%author%") { login = try await store.user(id: post.authorID)?.login ?? login }
        return links.post(post, categoryPath: categoryPath, authorLogin: login)
    }
}
