import DreyApp
import DreyCore
import DreyRender
import Foundation
import Hummingbird
import NIOCore

struct BodyTooLarge: Error { let limit: Int }

extension WebApp {
    /// Staff and commenters with held comments see pages made for them alone.
    static func bypassesCache(_ request: Request) -> Bool {
        // By name, in bytes: Foundation's `contains` on the header cost a signed-in reader's cached page dearly.
        request.hasCookie(named: cacheBypassingCookies)
    }

    private static let cacheBypassingCookies = [sessionCookie, CommentController.pendingCookie, CommentController.postPassCookie]

    static func signedIDs(_ request: Request, _ name: String, _ purpose: Signer.Purpose, _ site: Site) -> Set<Int64> {
        guard let raw = request.cookie(name), let value = Signer.cached(secret: site.settings.secret).verify(raw, purpose: purpose) else {
            return []
        }
        return Set(value.split(separator: "-").compactMap { Int64($0) })
    }

    static func readForm(_ request: Request, limit: Int) async throws -> FormData {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw BodyTooLarge(limit: limit) }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw BodyTooLarge(limit: limit)
        }
        return try FormData(urlEncoded: Array(buffer.readableBytesView))
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String, extra: HTTPFields = [:]) -> Response {
        Response(plainPrepared(status, text, extra: extra))
    }

    static func plainPrepared(_ status: HTTPResponse.Status, _ text: String, extra: HTTPFields = [:]) -> PreparedResponse {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"]
        headers.append(contentsOf: extra)
        return PreparedResponse(status: status, headers: headers, body: ByteBuffer(string: text + "\n"))
    }

    /// A fresh comment-form token for one response.
    func formToken(_ postID: Int64, site: Site, shownAt: Date?) -> String {
        FormToken.mint(postID: postID, shownAt: shownAt ?? drey.config.clock.now(), signer: Signer.cached(secret: site.settings.secret))
    }

    /// A cached page with its holes (if any) filled for this request.
    func respond(_ entry: PageCache.Entry, site: Site, request: Request, cacheStatus: String, extra: HTTPFields) async -> Response {
        guard let holes = entry.holes else { return Response(Self.prepared(entry, request: request, cacheStatus: cacheStatus, extra: extra)) }
        let fills = await PageHoles.fill(holes, HoleContext(app: self, site: site, request: request))
        return Response(Self.filled(entry, holes, fills: fills, request: request, cacheStatus: cacheStatus, extra: extra))
    }

    /// A cached or fresh page without holes: conditional GET, gzip when the client takes it, no body for HEAD.
    static func response(
        _ entry: PageCache.Entry, request: Request, cacheStatus: String, privateResponse: Bool = false, extra: HTTPFields = [:]
    ) -> Response {
        Response(prepared(entry, request: request, cacheStatus: cacheStatus, privateResponse: privateResponse, extra: extra))
    }

    /// `response`'s status, headers and body, not yet a Hummingbird response: the cached-page fast path writes them to
    /// the channel itself (see `CachedPageHandler`).
    static func prepared(
        _ entry: PageCache.Entry, request: Request, cacheStatus: String, privateResponse: Bool = false, extra: HTTPFields = [:]
    ) -> PreparedResponse {
        var headers: HTTPFields = [
            .contentType: entry.contentType, .eTag: entry.etag, .lastModified: entry.lastModified, .vary: "Accept-Encoding",
            .cacheControl: privateResponse ? "private, no-store" : "public, max-age=0, must-revalidate",
        ]
        headers[.xDreyCache] = cacheStatus
        if entry.contentType.hasPrefix("text/html") { merge(extra, into: &headers) }
        if entry.status == .ok, isNotModified(request, etag: entry.etag, lastModified: entry.lastModified) {
            return PreparedResponse(status: .notModified, headers: headers, body: nil)
        }
        var body = entry.body
        // The plain length is kept apart: a compact entry answering HEAD has no plain body (see PageCache).
        var length = entry.length
        if let gz = entry.gzipped, acceptsGzip(request) {
            body = gz
            length = gz.readableBytes
            headers[.contentEncoding] = "gzip"
        }
        headers[.contentLength] = String(length)
        return PreparedResponse(status: entry.status, headers: headers, body: request.method == .head ? nil : body)
    }

    /// Whether the client takes a gzip body (a page served once is compressed only for those).
    static func acceptsGzip(_ request: Request) -> Bool {
        guard let accept = request.headers[.acceptEncoding] else { return false }
        // Bytes, not Foundation's `contains`, which runs through NSString on Linux on every cached response.
        let gzip = Array("gzip".utf8)
        let bytes = Array(accept.utf8)
        guard bytes.count >= gzip.count else { return false }
        return (0...(bytes.count - gzip.count)).contains { i in bytes[i..<(i + gzip.count)].elementsEqual(gzip) }
    }

    /// RFC 9110: `If-None-Match` decides when present; otherwise `If-Modified-Since` at or after the page's date.
    static func isNotModified(_ request: Request, etag: String, lastModified: String) -> Bool {
        if let inm = request.headers[.ifNoneMatch] {
            return inm.split(separator: ",").contains { tag in
                let t = tag.trimmingCharacters(in: .whitespaces)
                return t == "*" || t == etag || t == "W/" + etag
            }
        }
        guard let since = request.headers[.ifModifiedSince].flatMap(HTTPDate.parse), let modified = HTTPDate.parse(lastModified)
        else { return false }
        return modified <= since
    }

    /// Adds a page's own fields; a `Vary` of its own replaces the default one (one field, which every cache reads).
    static func merge(_ extra: HTTPFields, into headers: inout HTTPFields) {
        for field in extra {
            if field.name == .vary { headers[.vary] = field.value } else { headers.append(field) }
        }
    }

    /// `Link` and `X-Pingback` on every page, telling other blogs where to send mentions; `Vary: Accept` too when the
    /// blog is on the fediverse, since its home, author and post addresses answer ActivityStreams JSON to those who
    /// ask for it (every page says so: a cached page is served without matching its route).
    static func linkbackHeaders(_ settings: SiteSettings, base: String) -> HTTPFields {
        // On every response, cached ones too: made once per address and choice.
        let key = "\(settings.fediverseEnabled ? 1 : 0)\(settings.webmentionsEnabled ? 1 : 0)\(settings.pingbacksEnabled ? 1 : 0)" + base
        if let known = advertisements.withLock({ $0[key] }) { return known }
        var fields: HTTPFields = [:]
        if settings.fediverseEnabled { fields[.vary] = "Accept-Encoding, Accept" }
        if settings.webmentionsEnabled { fields[.init("Link")!] = "<\(base)/webmention>; rel=\"webmention\"" }
        if settings.pingbacksEnabled { fields[.init("X-Pingback")!] = "\(base)/xmlrpc.php" }
        advertisements.withLock { known in
            if known.count >= 256 { known.removeAll() }  // bases are the site's addresses; this bounds made-up hosts
            known[key] = fields
        }
        return fields
    }

    private static let advertisements = Locked([String: HTTPFields]())

    /// A page with holes, filled: no validator, since no two responses are alike.
    static func filled(
        _ entry: PageCache.Entry, _ holes: HoledPage, fills: [String], request: Request, cacheStatus: String, extra: HTTPFields,
        asParts: Bool = false
    ) -> PreparedResponse {
        // Private: a shared cache must not hand one reader's parts to another.
        var headers: HTTPFields = [.contentType: entry.contentType, .vary: "Accept-Encoding", .cacheControl: "private, no-cache"]
        headers[.xDreyCache] = cacheStatus
        merge(extra, into: &headers)
        let gzip = holes.hasGzip && acceptsGzip(request)
        if gzip { headers[.contentEncoding] = "gzip" }
        if request.method == .head {
            headers[.contentLength] = String(gzip ? holes.gzipLength(fills: fills) : holes.length(fills: fills))
            return PreparedResponse(status: entry.status, headers: headers, body: nil)
        }
        if asParts && !gzip {
            headers[.contentLength] = String(holes.length(fills: fills))
            return PreparedResponse(status: entry.status, headers: headers, body: nil, parts: holes.parts(fills: fills))
        }
        // One buffer for Hummingbird's writer: writing the parts separately through it measured slower than copying
        // them once. The fast path writes the plain page as parts (`asParts`).
        let body = gzip ? holes.gzipped(fills: fills) : holes.body(fills: fills)
        headers[.contentLength] = String(body.readableBytes)
        return PreparedResponse(status: entry.status, headers: headers, body: body)
    }

    static func contentType(for ext: String) -> String {
        switch ext.lowercased() {
        case "css": return "text/css; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "woff2": return "font/woff2"
        case "ico": return "image/x-icon"
        default: return "application/octet-stream"
        }
    }
}
