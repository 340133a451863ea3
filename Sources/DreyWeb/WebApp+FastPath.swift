import DreyApp
import DreyCore
import HTTPTypes
import Hummingbird
import NIOCore

extension WebApp {
    /// A cached page answered without leaving the event loop: the same door as `respond` (`frontDoor`), the same cache
    /// entry and the same response, but only when nothing needs waiting for — the change log read, every hole fillable
    /// from memory. Nil sends the request the usual way, which answers everything else (decision 0024).
    func cachedAnswer(_ request: Request, peer: String?) -> (response: PreparedResponse, origin: RequestOrigin)? {
        guard request.method == .get || request.method == .head, drey.changes.isCurrent,
            case .page(let front) = frontDoor(request, peer: peer, mayFixHome: false), front.useCache,
            let entry = cache.lookup(siteID: front.site.id, target: front.cacheTarget, counted: false, plain: false)
        else { return nil }
        // A compact page for a reader without gzip is inflated the usual way, off the event loop.
        if entry.isCompact && front.request.method == .get && !Self.acceptsGzip(front.request) { return nil }
        guard let holes = entry.holes else {
            cache.countHit()
            return (Self.prepared(entry, request: front.request, cacheStatus: "HIT", extra: front.advert), front.origin)
        }
        guard let fills = PageHoles.fillNow(holes, HoleContext(app: self, site: front.site, request: front.request)) else { return nil }
        cache.countHit()
        return (Self.filled(entry, holes, fills: fills, request: front.request, cacheStatus: "HIT", extra: front.advert, asParts: true), front.origin)
    }
}
