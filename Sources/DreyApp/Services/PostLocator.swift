import DreyCore
import DreyStore
import Foundation

/// Finds a post from what an operator types: its ID, or any URL the site answers for it.
public struct PostLocator: Sendable {
    let store: any PostStore
    let site: Site

    public init(drey: Drey, site: Site) {
        self.init(store: drey.store, site: site)
    }

    init(store: any PostStore, site: Site) {
        self.store = store
        self.site = site
    }

    public func postID(for reference: String) async throws -> Int64 {
        let text = reference.trimmingCharacters(in: .whitespaces)
        if let id = Int64(text) {
            guard try await store.post(id: id, siteID: site.id) != nil else { throw StoreError.notFound("no post with ID \(id)") }
            return id
        }
        guard let components = URLComponents(string: text), let path = components.path.removingPercentEncoding, !path.isEmpty else {
            throw StoreError.invalid("'\(reference)' is neither a post ID nor a URL")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        for route in SiteRoute.pages(path: path, query: query, settings: site.settings) {
            switch route {
            case .legacy(.post(let id)), .legacy(.page(let id)):
                if try await store.post(id: id, siteID: site.id) != nil { return id }
            case .post(let match, _):
                if let id = match.postID, try await store.post(id: id, siteID: site.id) != nil { return id }
                if let slug = match.postname, let post = try await store.post(slug: slug, type: .post, siteID: site.id) { return post.id }
            case .page(let segments):
                if let slug = segments.last, let post = try await store.post(slug: slug, type: .page, siteID: site.id) { return post.id }
            default:
                continue
            }
        }
        throw StoreError.notFound("no post at \(reference)")
    }
}
