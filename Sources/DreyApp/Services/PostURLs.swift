import DreyCore
import DreyStore
import Foundation

/// Finds where posts sit (category path, author, a page's ancestors) so `SiteLinks.post(_:at:)` can name them:
/// for pages, lists and feeds in a request, and for work done without one (pings sent by jobs).
public struct PostURLs: Sendable {
    let store: any PostStore & TermStore & UserStore

    public init(store: any PostStore & TermStore & UserStore) { self.store = store }

    public func canonical(_ post: Post, site: Site, links: SiteLinks) async throws -> String {
        let structure = site.settings.permalinkStructure.pattern
        let terms = post.type == .post && structure.contains("%category%") ? try await store.terms(postIDs: [post.id]) : [:]
        let authors = post.type == .post && structure.contains("%author%") ? try await store.users(ids: [post.authorID]) : [:]
        let places = try await self.places([post], siteID: site.id, terms: terms, authors: authors)
        return links.post(post, at: places[post.id] ?? PostPlace())
    }

    /// The place of each post, with the terms and authors a list has already loaded; pages' ancestors are read here.
    public func places(
        _ posts: [Post], siteID: Int64, terms: [Int64: [Term]], authors: [Int64: User], categoryPaths known: [Int64: String]? = nil
    ) async throws -> [Int64: PostPlace] {
        let paths: [Int64: String]
        if let known { paths = known } else { paths = try await categoryPaths(siteID, needed: terms.values.flatMap { $0 }) }
        var parents: [Int64: Post] = [:]
        var result: [Int64: PostPlace] = [:]
        for post in posts {
            var place = PostPlace()
            if post.type == .page {
                var cursor = post.parentID
                while let id = cursor, place.ancestors.count < 10 {
                    if parents[id] == nil { parents[id] = try await store.post(id: id, siteID: siteID) }
                    guard let parent = parents[id] else { break }
                    place.ancestors.insert(parent.slug, at: 0)
                    cursor = parent.parentID
                }
            } else {
                let first = (terms[post.id] ?? []).filter { $0.taxonomy == .category }.min { $0.id < $1.id }
                if let first { place.categoryPath = paths[first.id] ?? first.slug }
                if let login = authors[post.authorID]?.login { place.authorLogin = login }
            }
            result[post.id] = place
        }
        return result
    }

    /// Paths of categories as WordPress writes them in URLs: `parent/child`.
    public func categoryPaths(_ siteID: Int64, needed: [Term]) async throws -> [Int64: String] {
        let categories = needed.filter { $0.taxonomy == .category }
        if categories.allSatisfy({ $0.parentID == nil }) {
            return Dictionary(categories.map { ($0.id, $0.slug) }, uniquingKeysWith: { a, _ in a })
        }
        return Term.paths(of: try await store.terms(siteID: siteID, taxonomy: .category))
    }
}
