import Foundation
import Hummingbird

/// A request's kind, as a metric label: few values, so a scraper's series stay few whatever the URLs.
enum RouteKind {
    static func of(method: HTTPRequest.Method, path: String, query: String?) -> String {
        switch path {
        case "/healthz", "/readyz", "/metrics": return "ops"
        default: break
        }
        if path == "/admin" || path.hasPrefix("/admin/") { return "admin" }
        if path.hasPrefix("/assets/") { return "asset" }
        if path.hasPrefix("/wp-content/uploads/") { return "upload" }
        if SitemapRoute.match(path) != nil { return "sitemap" }
        if LinkbackRoute.match(path) != nil { return "linkback" }
        if method == .post { return path == "/wp-comments-post.php" || path == "/comments/post" ? "comment" : "form" }
        // A `feed` segment, not a slug that starts with it (`/feeding-birds/`).
        if path.split(separator: "/").contains("feed") || path.hasPrefix("/wp-rss") || path.hasPrefix("/wp-atom")
            || path == "/wp-commentsrss2.php" || (query ?? "").contains("feed=")
        {
            return "feed"
        }
        if let query, query.hasPrefix("s=") || query.contains("&s=") { return "search" }
        return "page"
    }
}
