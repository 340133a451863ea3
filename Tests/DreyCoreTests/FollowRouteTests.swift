import DreyCore
import Testing

/// The like, follow and unsubscribe addresses are built by the route table and matched back to the same route.
@Suite struct FollowRouteTests {
    @Test("like, follow, confirm and unsubscribe routes round-trip; GET /follow and /like are not forms to take")
    func roundTrip() {
        let settings = SiteSettings(values: [:])
        let links = SiteLinks(base: "https://blog.test", settings: settings)
        let routes: [(String, FollowRoute)] = [
            ("POST", .like(postID: 12)), ("POST", .follow), ("GET", .confirm(token: "3:blog:1700000000.abc-_")),
            ("POST", .confirm(token: "")), ("GET", .unsubscribe(token: "3:thread:9.sig")), ("POST", .unsubscribe(token: "3:blog.sig")),
        ]
        for (method, route) in routes {
            let path = links.path(.follows(route))
            let parts = path.split(separator: "?", maxSplits: 1)
            var query: [String: String] = [:]
            if parts.count == 2, parts[1].hasPrefix("t=") { query["t"] = String(parts[1].dropFirst(2)).removingPercentEncoding }
            #expect(SiteRoute.match(method: method, path: String(parts[0]), query: query, settings: settings) == [.follows(route)], "\(path)")
        }
        #expect(SiteRoute.match(method: "GET", path: "/follow", query: [:], settings: settings).first != .follows(.follow))
        #expect(SiteRoute.match(method: "GET", path: "/like/12", query: [:], settings: settings).first != .follows(.like(postID: 12)))
    }
}
