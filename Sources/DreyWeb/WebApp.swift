import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Answers every request: site by Host, page cache, routing, controllers, compression.
public final class WebApp: Sendable {
    public let drey: Drey
    public let theme: Theme
    public let cache: PageCache
    let lists: ListController
    let posts: PostController
    let commentForm: CommentController
    let feeds: FeedController
    let legacy: LegacyController
    let linkbacks: LinkbackController
    let views: ViewFactory
    let admin: AdminController
    let fediverse: FediverseController
    public let mail: MailQueue
    let follows: FollowController
    /// Signed-in readers' sessions and likes, remembered a moment for the holes of cached pages.
    let readerMemory = ReaderMemory()

    public init(drey: Drey, theme: Theme, adminTheme: Theme, setupToken: String? = nil) {
        self.drey = drey
        self.theme = theme
        self.cache = PageCache(maxBytes: drey.config.pageCacheBytes)
        let views = ViewFactory(store: drey.store, themeName: theme.name, changes: drey.changes)
        self.views = views
        self.lists = ListController(store: drey.store, theme: theme, views: views)
        let posts = PostController(store: drey.store, theme: theme, views: views)
        self.posts = posts
        self.commentForm = CommentController(store: drey.store, comments: drey.comments, posts: posts, follows: drey.follows)
        self.follows = FollowController(drey: drey, theme: theme, views: views)
        self.feeds = FeedController(store: drey.store, views: views, posts: posts)
        self.fediverse = FediverseController(fediverse: drey.fediverse, store: drey.store, posts: posts)
        self.mail = drey.mail
        self.admin = AdminController(drey: drey, views: adminTheme, auth: drey.auth, setupToken: setupToken)
        self.legacy = LegacyController(store: drey.store, posts: posts, views: views, config: drey.config)
        self.linkbacks = LinkbackController(
            linkbacks: drey.linkbacks, posts: posts, maxBodySize: drey.config.maxBodySize, clock: drey.config.clock)
        let cache = self.cache
        drey.changes.onChange { siteID, scopes in cache.invalidate(siteID: siteID, scopes: scopes) }
        drey.changes.onLostTrack { cache.clear() }
    }

    static let sessionCookie = "drey_session"

    /// What is known of a request before anything is read from the database.
    struct FrontDoor {
        let origin: RequestOrigin
        /// The request as the rest of the app sees it (`RequestOrigin.apply`).
        let request: Request
        let site: Site
        let path: String
        /// Whether the page may come from (and go into) the page cache, and under which key.
        let useCache: Bool
        let cacheTarget: String
        let base: String
        /// `Link` and `X-Pingback`, on every page.
        let advert: HTTPFields
    }

    enum FrontDecision {
        /// Answered at the door: a refused method, an unknown host, a bad path, the canonical host's redirect.
        case answered(PreparedResponse)
        /// The site's address is not known yet and this request may set it (first run).
        case fixHome(site: Site, address: String)
        case page(FrontDoor)
    }

    /// The part of answering that needs no database and no waiting, shared by `respond` and the cached-page fast path
    /// (`cachedAnswer`), so both choose the site, the path and the cache key alike.
    func frontDoor(_ received: Request, peer: String?, mayFixHome: Bool = true) -> FrontDecision {
        let origin = RequestOrigin.decide(received, peer: peer, proxies: drey.config.trustedProxies)
        let request = origin.apply(to: received)
        let method = request.method
        guard method == .get || method == .head || method == .post else {
            return .answered(
                Self.plainPrepared(.methodNotAllowed, "This address accepts GET, HEAD and POST only.", extra: [.allow: "GET, HEAD, POST"]))
        }
        guard let site = drey.sites.resolve(host: origin.host) else {
            return .answered(Self.plainPrepared(.notFound, "No blog is served at this address."))
        }
        if mayFixHome, site.settings.homeURL.isEmpty, origin.trusted, let asked = origin.host {
            return .fixHome(site: site, address: origin.scheme + "://" + asked)
        }
        if let canonical = drey.sites.canonicalRedirect(host: origin.host, site: site, target: request.uri.description) {
            return .answered(PreparedResponse(status: .movedPermanently, headers: [.location: canonical, .cacheControl: "no-store"], body: nil))
        }
        guard let path = PercentDecoding.decode(request.uri.path), !path.utf8.contains(0) else {
            return .answered(Self.plainPrepared(.badRequest, "The address is not valid."))
        }
        let home = site.settings.homeURL
        // Pages are cached only once the site's address is known, under that address: a client cannot make the cache
        // hold pages under a name it invented. Until then (requests from untrusted peers only) every page is rendered.
        let useCache =
            method != .post && drey.config.pageCache && site.settings.pageCacheEnabled && !Self.bypassesCache(request)
            && !home.isEmpty && !FediverseController.asksForActivity(request)
        let base = home.isEmpty ? origin.scheme + "://" + (origin.host ?? site.host) : home
        return .page(
            FrontDoor(
                origin: origin, request: request, site: site, path: path, useCache: useCache, cacheTarget: home + request.uri.description,
                base: base, advert: Self.linkbackHeaders(site.settings, base: base)))
    }

    /// Answers one request; `peer` is the connection's remote address (nil in in-process tests).
    public func respond(to received: Request, peer: String? = nil) async throws -> Response {
        // Settings or pages changed by another process must be seen before anything is answered.
        await drey.changes.syncIfStampMoved()
        // A form may have changed what a reader's parts of pages show (signed out, liked, blocked): see ReaderMemory.
        defer { if received.method == .post { readerMemory.forget() } }
        var decision = frontDoor(received, peer: peer)
        if case .fixHome(let site, let address) = decision {
            if let fixed = try await drey.siteService.fixHomeURL(address, siteID: site.id) {
                drey.logger.notice("the blog's address was set from the first request", metadata: ["home_url": "\(fixed.settings.homeURL)"])
            }
            decision = frontDoor(received, peer: peer, mayFixHome: false)
        }
        let front: FrontDoor
        switch decision {
        case .answered(let prepared): return Response(prepared)
        case .fixHome: return Self.plain(.internalServerError, "The blog's address could not be set.")
        case .page(let door): front = door
        }
        let (origin, request, site, path, advert) = (front.origin, front.request, front.site, front.path, front.advert)
        let method = request.method
        let rawQuery = request.uri.query ?? ""
        let (useCache, cacheTarget, base) = (front.useCache, front.cacheTarget, front.base)
        if useCache {
            if let entry = cache.lookup(siteID: site.id, target: cacheTarget, plain: method == .get && !Self.acceptsGzip(request)) {
                return await respond(entry, site: site, request: request, cacheStatus: "HIT", extra: advert)
            }
        }
        let r = SiteRequest(
            site: site, links: SiteLinks(base: base, settings: site.settings), request: request,
            query: FormData(query: rawQuery).fields, now: drey.config.clock.now(),
            signer: Signer.cached(secret: site.settings.secret),
            ownPendingComments: Self.signedIDs(request, CommentController.pendingCookie, .heldComments, site),
            unlockedPosts: Self.signedIDs(request, CommentController.postPassCookie, .unlockedPosts, site),
            clientIP: origin.clientIP, staff: try await staffMember(request, site: site), reader: try await readerSession(request, site: site))
        let generation = cache.generation(siteID: site.id)
        let result: PageResult
        do {
            result = try await route(method: method, path: path, r)
        } catch let error as FormData.ParseError {
            return Self.plain(.badRequest, error == .invalidUTF8 ? "The form was not valid UTF-8 text." : "The form could not be read.")
        } catch let error as BodyTooLarge {
            return Self.plain(.contentTooLarge, "The form is larger than \(error.limit / 1024) KB.")
        }
        switch result {
        case .html(let status, let body, let scopes, let cacheable, let form):
            if useCache && cacheable && (status == .ok || status == .notFound) {
                if let pause = cache.beforeStore.current { await pause() }
                let entry = cache.store(
                    siteID: site.id, target: cacheTarget, status: status, contentType: "text/html; charset=utf-8",
                    body: ByteBuffer(string: body), scopes: scopes, generation: generation)
                return await respond(entry, site: site, request: request, cacheStatus: "MISS", extra: advert)
            }
            let page = await PageHoles.filled(body, HoleContext(app: self, site: site, request: request, form: form))
            let entry = PageCache.makeEntry(
                status: status, contentType: "text/html; charset=utf-8", body: page, scopes: scopes, gzip: Self.acceptsGzip(request),
                filled: true)
            return Self.response(entry, request: request, cacheStatus: "BYPASS", privateResponse: true, extra: advert)
        case .feed(let body, let contentType, let scopes):
            let buffer = ByteBuffer(string: body)
            if useCache {
                let entry = cache.store(
                    siteID: site.id, target: cacheTarget, status: .ok, contentType: contentType, body: buffer, scopes: scopes,
                    generation: generation)
                return Self.response(entry, request: request, cacheStatus: "MISS")
            }
            return Self.response(
                PageCache.makeEntry(status: .ok, contentType: contentType, body: buffer, scopes: scopes), request: request, cacheStatus: "BYPASS")
        case .redirect(let location, let permanent, let cookies):
            var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
            for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
            return Response(status: permanent ? .movedPermanently : .seeOther, headers: headers)
        case .file(let url, let contentType):
            // A copy whose name carries a hash of its bytes never changes: browsers may keep it for a year.
            let cacheControl = MediaNames.isHashed(url.path) ? "public, max-age=31536000, immutable" : "public, max-age=3600"
            return await FileResponse.make(path: url.path, contentType: contentType, cacheControl: cacheControl, request: request)
        case .plain(let status, let text):
            return Self.plain(status, text)
        case .personal(let status, let body, let contentType, let cookies):
            var headers: HTTPFields = [
                .contentType: contentType, .cacheControl: "private, no-store", .init("X-Frame-Options")!: "DENY",
                .init("X-Content-Type-Options")!: "nosniff", .init("Referrer-Policy")!: "same-origin",
            ]
            for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        case .custom(let status, let contentType, let body, let extra):
            var headers: HTTPFields = [.contentType: contentType, .cacheControl: "no-store"]
            // A caller's Cache-Control replaces the default; other fields are added as given.
            for field in extra {
                if field.name == .cacheControl { headers[.cacheControl] = field.value } else { headers.append(field) }
            }
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    func route(method: HTTPRequest.Method, path: String, _ r: SiteRequest) async throws -> PageResult {
        let routes = SiteRoute.match(method: method.rawValue, path: path, query: r.query, settings: r.site.settings)
        if method != .post, FediverseController.asksForActivity(r.request) {
            for route in routes { if let result = try await fediverse.negotiate(route, r) { return result } }
        }
        for route in routes {
            if let result = try await answer(route, method: method, path: path, r) { return result }
        }
        if method == .post {
            // Read (and size-check) the body even so: an oversized form gets 413 wherever it is sent.
            _ = try await Self.readForm(r.request, limit: drey.config.maxBodySize)
            return .plain(status: .methodNotAllowed, text: "This address does not accept forms.")
        }
        if let moved = try await legacy.oldAddress(path, r) { return moved }
        return notFound(r)
    }

    /// The routes that only read.
    private func read(_ route: SiteRoute, path: String, _ r: SiteRequest) async throws -> PageResult? {
        switch route {
        case .home(let page):
            if page == 1, let id = r.site.settings.frontPageID, let front = try await drey.store.post(id: id, siteID: r.site.id),
                front.type == .page, front.isVisible(at: r.now)
            {
                return try await posts.render(front, canonical: r.links.home, r)
            }
            return try await lists.home(r, page: page)
        case .archive(let taxonomy, let termPath, let page): return try await lists.archive(r, taxonomy: taxonomy, path: termPath, page: page)
        case .author(let login, let page): return try await lists.author(r, login: login, page: page)
        case .date(let y, let m, let d, let page): return try await lists.date(r, year: y, month: m, day: d, page: page)
        case .search(let q, let page): return try await lists.search(r, query: q, page: page)
        case .post, .page:
            guard let (post, canonical) = try await posts.resolve(route, r) else { return nil }
            if canonical.hasPrefix(r.links.base), canonical.dropFirst(r.links.base.count) != path {
                return .redirect(to: canonical, permanent: true)
            }
            return try await posts.render(post, canonical: canonical, r)
        case .feed(let target, let format): return try await feeds.feed(target, format, r)
        default: return nil
        }
    }

    private func answer(_ route: SiteRoute, method: HTTPRequest.Method, path: String, _ r: SiteRequest) async throws -> PageResult? {
        switch route {
        case .admin(let screen): return try await admin.handle(method: method, route: screen, path: path, r)
        case .linkback(let linkback): return try await linkbacks.answer(linkback, method: method, r)
        case .commentSubmit: return try await commentForm.submit(r, form: try await Self.readForm(r.request, limit: drey.config.maxBodySize))
        case .unlock: return try await commentForm.unlock(r, form: try await Self.readForm(r.request, limit: drey.config.maxBodySize))
        case .home, .archive, .author, .date, .search, .post, .page, .feed:
            // Pages that only read: one state of the blog, in one read transaction.
            return try await drey.store.database.readSnapshot { try await read(route, path: path, r) }
        case .legacy(let query): return try await legacy.answer(query, r)
        case .upload(let file): return legacy.upload(file, r)
        case .sitemap(let sitemap): return try await SitemapController(store: drey.store, views: views).answer(sitemap, r) ?? notFound(r)
        case .operations: return nil  // answered by `OpsResponder` before a site is chosen
        case .fediverse(let fediverseRoute): return try await fediverse.answer(fediverseRoute, method: method, r)
        case .follows(let route):
            return try await follows.answer(route, method: method, r, app: self) {
                try await Self.readForm(r.request, limit: drey.config.maxBodySize)
            }
        case .avatar(let key):
            guard Avatar.isLocalKey(key) else { return nil }
            return .custom(
                status: .ok, contentType: "image/svg+xml", body: Avatar.identicon(key: key),
                headers: [
                    .cacheControl: "public, max-age=31536000, immutable", .init("X-Content-Type-Options")!: "nosniff",
                    .init("Content-Security-Policy")!: "default-src 'none'; style-src 'unsafe-inline'",
                ])
        case .signIn, .signInEmail, .signInEmailConfirm, .signOut, .account, .readerFace:
            return try await readerPages.answer(route, method: method, r)
        case .attachment(let id): return try await AttachmentPage(store: drey.store, posts: posts, views: views, theme: theme).render(id, r)
        case .signInOIDC, .signInIndieAuth:
            return try await SignInProvidersWeb(drey: drey, views: views, theme: theme).answer(route, method: method, r) {
                try await Self.readForm(r.request, limit: drey.config.maxBodySize)
            }
        case .asset(let themeName, let assetPath):
            guard themeName == theme.name, let url = theme.asset(assetPath) else { return nil }
            return .file(url, contentType: Self.contentType(for: url.pathExtension))
        }
    }

    func notFound(_ r: SiteRequest) -> PageResult {
        let view = NotFoundPage(
            chrome: views.chrome(r, title: "Page not found", canonical: "", noindex: true),
            message: "There is nothing at this address. It may have moved, or never existed.")
        return .html(status: .notFound, body: theme.render(view, template: "404") ?? "Not found", scopes: [.lists])
    }
}
