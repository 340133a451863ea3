import DreyApp
import DreyCore
import DreyLinkbacks
import DreyStore
import Foundation
import Hummingbird
import NIOCore

/// The endpoints other blogs call: `/xmlrpc.php` (Pingback), `…/trackback/`, `/webmention` and its status pages.
struct LinkbackController: Sendable {
    let linkbacks: LinkbackService
    let posts: PostController
    let maxBodySize: Int
    /// Pings make this server fetch pages: a flood from one address, or aimed at one host, is cut off.
    let perClient: RateLimiter
    let perSource: RateLimiter

    init(linkbacks: LinkbackService, posts: PostController, maxBodySize: Int, clock: Clock) {
        self.linkbacks = linkbacks
        self.posts = posts
        self.maxBodySize = maxBodySize
        self.perClient = RateLimiter(burst: 20, per: 6, clock: clock)
        self.perSource = RateLimiter(burst: 10, per: 6, clock: clock)
    }

    func answer(_ route: LinkbackRoute, method: HTTPRequest.Method, _ r: SiteRequest) async throws -> PageResult? {
        switch route {
        case .xmlrpc:
            guard method == .post else {
                return .custom(
                    status: .methodNotAllowed, contentType: "text/plain; charset=utf-8",
                    body: "XML-RPC server accepts POST requests only.\n", headers: [.allow: "POST"])
            }
            return try await xmlrpc(r)
        case .webmention:
            guard method == .post else {
                return .custom(
                    status: .methodNotAllowed, contentType: "text/plain; charset=utf-8",
                    body: "This is the Webmention endpoint: POST source and target as a form.\n", headers: [.allow: "POST"])
            }
            return try await webmention(r)
        case .webmentionStatus(let token):
            return try await webmentionStatus(token, r)
        case .trackback(let postPath):
            return try await trackback(postPath: postPath, method: method, r)
        }
    }

    /// Whether this client and this source host may make us fetch once more.
    func admits(_ r: SiteRequest, source: String) -> Bool {
        perClient.allow(["ip:" + r.clientIP]) && perSource.allow(["host:" + (URLMatch.host(source) ?? source)])
    }

    private func tooMany(_ contentType: String, _ body: String) -> PageResult {
        .custom(
            status: .tooManyRequests, contentType: contentType, body: body,
            headers: [.retryAfter: String(perClient.retryAfter)])
    }

    // MARK: Pingback

    func xmlrpc(_ r: SiteRequest) async throws -> PageResult {
        let body: ByteBuffer
        do {
            body = try await r.request.body.collect(upTo: maxBodySize)
        } catch {
            return Self.xml(XMLRPC.fault(XMLRPCFault(-32700, "parse error. the request is larger than \(maxBodySize / 1024) KB")))
        }
        let call: XMLRPCCall
        do {
            call = try XMLRPC.parseCall(Array(body.readableBytesView))
        } catch {
            return Self.xml(XMLRPC.fault(error))
        }
        switch call.method {
        case "pingback.ping":
            guard call.params.count == 2, let source = call.params[0].stringValue, let target = call.params[1].stringValue else {
                return Self.xml(XMLRPC.fault(.wrongParameters))
            }
            guard admits(r, source: source) else {
                return tooMany("text/xml; charset=UTF-8", XMLRPC.fault(XMLRPCFault(0, "Too many pingbacks; please try again later.")))
            }
            switch await linkbacks.pingback(source: source, target: target, site: r.site, base: r.links.base, ip: r.clientIP) {
            case .success(let message): return Self.xml(XMLRPC.response(.string(message)))
            case .failure(let fault): return Self.xml(XMLRPC.fault(fault))
            }
        case "pingback.extensions.getPingbacks":
            guard call.params.count == 1, let url = call.params[0].stringValue else { return Self.xml(XMLRPC.fault(.wrongParameters)) }
            switch try await linkbacks.pingbacks(of: url, site: r.site, base: r.links.base) {
            case .success(let urls): return Self.xml(XMLRPC.response(.array(urls.map { .string($0) })))
            case .failure(let fault): return Self.xml(XMLRPC.fault(fault))
            }
        case "system.listMethods":
            let methods = ["pingback.extensions.getPingbacks", "pingback.ping", "system.listMethods"]
            return Self.xml(XMLRPC.response(.array(methods.map { .string($0) })))
        default:
            return Self.xml(XMLRPC.fault(.unknownMethod(call.method)))
        }
    }

    /// XML-RPC answers, faults included, are 200 with an XML body, as the spec and WordPress have it.
    static func xml(_ body: String) -> PageResult {
        .custom(status: .ok, contentType: "text/xml; charset=UTF-8", body: body, headers: [:])
    }

    // MARK: Trackback

    func trackback(postPath: String, method: HTTPRequest.Method, _ r: SiteRequest) async throws -> PageResult? {
        var found: (Post, String)?
        for route in SiteRoute.pages(path: postPath, query: [:], settings: r.site.settings) {
            if let match = try await posts.resolve(route, r) {
                found = match
                break
            }
        }
        guard let (post, canonical) = found else {
            return method == .post ? .plain(status: .notFound, text: "There is no post at this address to take a trackback.") : nil
        }
        guard method == .post else { return .redirect(to: canonical, permanent: false) }
        let form = try await WebApp.readForm(r.request, limit: maxBodySize)
        let fields = Dictionary(
            ["url", "title", "excerpt", "blog_name"].compactMap { key in form[key].map { (key, $0) } }, uniquingKeysWith: { a, _ in a })
        // WordPress sends a browser that posts nothing useful back to the post.
        if (fields["url"] ?? "").isEmpty && (fields["title"] ?? "").isEmpty && (fields["blog_name"] ?? "").isEmpty {
            return .redirect(to: canonical, permanent: false)
        }
        let xml = "text/xml; charset=utf-8"
        guard admits(r, source: fields["url"] ?? "") else {
            return tooMany(xml, TrackbackResponse.error("Too many trackbacks; please try again later."))
        }
        switch await linkbacks.trackback(post: post, postURL: canonical, fields: fields, site: r.site, ip: r.clientIP) {
        case .success: return .custom(status: .ok, contentType: xml, body: TrackbackResponse.success(), headers: [:])
        case .failure(let refusal):
            return .custom(status: .ok, contentType: xml, body: TrackbackResponse.error(refusal.message), headers: [:])
        }
    }

    // MARK: Webmention

    func webmention(_ r: SiteRequest) async throws -> PageResult {
        let form = try await WebApp.readForm(r.request, limit: maxBodySize)
        let source = form["source"] ?? ""
        let target = form["target"] ?? ""
        let text = "text/plain; charset=utf-8"
        guard admits(r, source: source) else { return tooMany(text, "Too many Webmentions; please try again later.\n") }
        do {
            let row = try await linkbacks.receiveWebmention(source: source, target: target, site: r.site, base: r.links.base)
            let status = r.links.webmentionStatus(row.token)
            return .custom(
                status: .accepted, contentType: text,
                body: "Accepted: the source will be checked. Its status is at \(status)\n", headers: [.location: status])
        } catch let refusal as WebmentionRefusal {
            return .custom(status: .init(code: refusal.status), contentType: text, body: refusal.message + "\n", headers: [:])
        }
    }

    func webmentionStatus(_ token: String, _ r: SiteRequest) async throws -> PageResult? {
        guard token.count <= 100, let row = try await linkbacks.store.webmention(token: token), row.siteID == r.site.id else {
            return nil
        }
        let status = WebmentionStatus(row)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = String(decoding: try encoder.encode(status), as: UTF8.self) + "\n"
        return .custom(status: .ok, contentType: "application/json; charset=utf-8", body: body, headers: [:])
    }
}

/// What a Webmention's status URL tells its sender.
struct WebmentionStatus: Encodable {
    var status: String
    var source: String
    var target: String
    var type: String
    var author: String
    var detail: String
    var updated: String

    init(_ row: ReceivedWebmention) {
        status = row.state.rawValue
        source = row.source
        target = row.target
        type = row.kind.rawValue
        author = row.authorName
        // Why a fetch failed (an address refused, a name not resolved) is for operators, not for senders.
        detail = row.detail.hasPrefix(LinkbackService.unfetchable) ? LinkbackService.unfetchable : row.detail
        updated = ISO8601.string(row.updatedAt)
    }
}
