import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation
import Hummingbird
import NIOCore

/// WebFinger, NodeInfo, the actors, inboxes and objects, and ActivityPub's view of pages (content negotiation).
struct FediverseController: Sendable {
    let fediverse: FediverseService
    let store: SQLStore
    let posts: PostController

    /// Whether the client asks for ActivityStreams JSON (`application/activity+json`, or JSON-LD with its profile).
    static func asksForActivity(_ request: Request) -> Bool {
        // Asked on every page request, cached ones too: a byte search, not Foundation's `contains` (NSString on Linux).
        guard let accept = request.headers[.accept]?.lowercased() else { return false }
        return FastText.contains(accept, "application/activity+json") || FastText.contains(accept, "application/ld+json")
    }

    static func json(_ object: JSONObject, status: HTTPResponse.Status = .ok, contentType: String = FediverseJSON.contentType + "; charset=utf-8")
        -> PageResult
    {
        .custom(
            status: status, contentType: contentType, body: String(decoding: FediverseJSON.data(object), as: UTF8.self),
            headers: [.vary: "Accept", .init("Access-Control-Allow-Origin")!: "*", .cacheControl: "public, max-age=60"])
    }

    /// A page's address asked for as ActivityStreams: the blog for its home, the author's actor for their page, the
    /// `Article` for a post. Nil when the route names nothing on the fediverse (the page is answered as usual).
    func negotiate(_ route: SiteRoute, _ r: SiteRequest) async throws -> PageResult? {
        guard r.site.settings.fediverseEnabled else { return nil }
        switch route {
        case .home(page: 1):
            return try await fediverse.actorDocument(r.site, .blog).map { Self.json($0) }
        case .author(let login, page: 1):
            guard let user = try await store.user(login: login) else { return nil }
            return try await fediverse.actorDocument(r.site, .author(userID: user.id)).map { Self.json($0) }
        case .post, .page:
            guard let (post, _) = try await posts.resolve(route, r) else { return nil }
            return try await fediverse.article(r.site, postID: post.id).map { Self.json($0) }
        default:
            return nil
        }
    }

    func answer(_ route: FediverseRoute, method: HTTPRequest.Method, _ r: SiteRequest) async throws -> PageResult? {
        let site = r.site
        guard site.settings.fediverseEnabled else { return nil }
        switch route {
        case .inbox, .sharedInbox:
            guard method == .post else {
                return .custom(
                    status: .methodNotAllowed, contentType: "text/plain; charset=utf-8", body: "An inbox takes POST only.\n",
                    headers: [.allow: "POST"])
            }
            if case .inbox(let actor) = route, try await fediverse.actorDocument(site, actor) == nil { return nil }
            return try await receive(r)
        default:
            break
        }
        guard method != .post else {
            return .plain(status: .methodNotAllowed, text: "This address does not take POST.")
        }
        switch route {
        case .webfinger:
            guard let resource = r.query["resource"], !resource.isEmpty else {
                return .plain(status: .badRequest, text: "WebFinger needs a resource (acct:name@host or a profile address).")
            }
            guard let doc = try await fediverse.webfinger(resource, site: site) else { return nil }
            return Self.json(doc, contentType: "application/jrd+json; charset=utf-8")
        case .nodeinfoIndex:
            return Self.json(FediverseDocuments.nodeinfoIndex(ids: FediverseIDs(site: site)), contentType: "application/json; charset=utf-8")
        case .nodeinfo:
            return Self.json(
                try await fediverse.nodeinfo(site),
                contentType: "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"; charset=utf-8")
        case .actor(let actor):
            guard let doc = try await fediverse.actorDocument(site, actor) else { return nil }
            // A person clicking the actor's address in their fediverse app lands on the profile page.
            if !Self.asksForActivity(r.request), let url = doc["url"] as? String, actor != .application {
                return .redirect(to: url, permanent: false)
            }
            return Self.json(doc)
        case .outbox(let actor): return try await fediverse.outbox(site, actor).map { Self.json($0) }
        case .followers(let actor): return try await fediverse.followersCollection(site, actor).map { Self.json($0) }
        case .object(let postID):
            guard let doc = try await fediverse.article(site, postID: postID) else { return nil }
            if !Self.asksForActivity(r.request), let url = doc["url"] as? String { return .redirect(to: url, permanent: false) }
            return Self.json(doc)
        case .collection(let postID, let which): return try await fediverse.collection(site, postID: postID, which).map { Self.json($0) }
        case .icon(let actor): return try await fediverse.iconFile(site, actor).map { .file($0, contentType: "image/png") }
        case .inbox, .sharedInbox: return nil
        }
    }

    func receive(_ r: SiteRequest) async throws -> PageResult {
        let limit = FediverseService.maxInboxBytes
        let tooLarge = PageResult.plain(status: .contentTooLarge, text: "An activity is at most \(limit / 1024) KB.")
        if let length = r.request.headers[.contentLength].flatMap(Int.init), length > limit { return tooLarge }
        let body: ByteBuffer
        do {
            body = try await r.request.body.collect(upTo: limit)
        } catch {
            return tooLarge
        }
        var headers: [(String, String)] = []
        for field in r.request.headers { headers.append((field.name.rawName, field.value)) }
        // HTTP/1.1's Host arrives as the request's authority, not among its fields; signatures cover it by that name.
        if let authority = r.request.head.authority, !headers.contains(where: { $0.0.lowercased() == "host" }) {
            headers.append(("Host", authority))
        }
        let target = r.request.uri.description
        let signed = SignedRequest(
            method: r.request.method.rawValue, target: target, targetURI: FediverseIDs(site: r.site).base + target, headers: headers,
            body: Array(body.readableBytesView))
        switch try await fediverse.receive(r.site, request: signed) {
        case .accepted:
            return .custom(status: .accepted, contentType: "text/plain; charset=utf-8", body: "", headers: [:])
        case .refused(let status, let reason):
            return .plain(status: HTTPResponse.Status(code: status), text: reason)
        }
    }
}
