import DreyCore
import Foundation

/// The addresses search engines read, at the paths WordPress (5.5 and later) serves them.
enum SitemapRoute: Sendable, Equatable {
    case robots
    case index
    /// `/sitemap.xml` and Yoast's `/sitemap_index.xml`: old addresses a blog may have given search engines.
    case oldIndex
    case posts(PostType, page: Int)
    case terms(Taxonomy, page: Int)
    case users(page: Int)

    /// How many URLs one sitemap holds, as in WordPress (`wp_sitemaps_get_max_urls`).
    static let pageSize = 2000

    static func match(_ path: String) -> SitemapRoute? {
        switch path {
        case "/robots.txt": return .robots
        case "/wp-sitemap.xml": return .index
        case "/sitemap.xml", "/sitemap_index.xml": return .oldIndex
        default: break
        }
        guard path.hasPrefix("/wp-sitemap-"), path.hasSuffix(".xml") else { return nil }
        let name = path.dropFirst("/wp-sitemap-".count).dropLast(".xml".count)
        guard let dash = name.lastIndex(of: "-"), let page = Int(name[name.index(after: dash)...]), page >= 1, page < 1_000_000
        else { return nil }
        switch name[..<dash] {
        case "posts-post": return .posts(.post, page: page)
        case "posts-page": return .posts(.page, page: page)
        case "taxonomies-category": return .terms(.category, page: page)
        case "taxonomies-post_tag": return .terms(.tag, page: page)
        case "users": return .users(page: page)
        default: return nil
        }
    }

    var path: String {
        switch self {
        case .robots: return "/robots.txt"
        case .index, .oldIndex: return "/wp-sitemap.xml"
        case .posts(let type, let page): return "/wp-sitemap-posts-\(type == .page ? "page" : "post")-\(page).xml"
        case .terms(let taxonomy, let page): return "/wp-sitemap-taxonomies-\(taxonomy == .category ? "category" : "post_tag")-\(page).xml"
        case .users(let page): return "/wp-sitemap-users-\(page).xml"
        }
    }
}

extension SiteLinks {
    var sitemapIndex: String { base + SitemapRoute.index.path }
    func sitemap(_ route: SitemapRoute) -> String { base + route.path }
}
