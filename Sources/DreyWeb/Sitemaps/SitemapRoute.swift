import DreyCore
import Foundation

extension SiteLinks {
    var sitemapIndex: String { base + SitemapRoute.index.path }
    func sitemap(_ route: SitemapRoute) -> String { base + route.path }
}
