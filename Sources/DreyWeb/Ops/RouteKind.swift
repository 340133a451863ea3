import DreyApp
import DreyCore
import Foundation
import Hummingbird

/// A request's kind, as a metric label: few values, so a scraper's series stay few whatever the URLs.
enum RouteKind {
    static func of(method: HTTPRequest.Method, path: String, query: String?) -> String {
        // Remembered per address: matching the route table showed in the cached page's profile (a tenth of its time).
        let key = method.rawValue + " " + path + "?" + (query ?? "")
        if let known = known.withLock({ $0[key] }) { return known }
        let kind = match(method: method, path: path, query: query)
        known.withLock { kinds in
            if kinds.count >= 4_096 { kinds.removeAll() }  // made-up addresses (or a crawl of every post) cannot grow it
            kinds[key] = kind
        }
        return kind
    }

    private static let known = Locked([String: String]())

    static func match(method: HTTPRequest.Method, path: String, query: String?) -> String {
        // The route table names the kind; the default settings are enough to tell a page from a feed or a form.
        let fields = FormData(query: query ?? "").fields
        guard let route = SiteRoute.match(method: method.rawValue, path: path, query: fields, settings: Self.settings).first else {
            return method == .post ? "form" : "page"
        }
        return route.kind
    }

    static let settings = SiteSettings()
}
