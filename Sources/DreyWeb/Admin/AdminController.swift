import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation
import Hummingbird
import Logging

/// `/admin`: sign-in, the dashboard, posts and pages, terms, comments, users and settings.
struct AdminController: Sendable {
    let drey: Drey
    let views: Theme
    let auth: AuthService
    let setupToken: String?

    static let sessionCookie = WebApp.sessionCookie
    static let templates = [
        "login", "forgot", "reset", "setup", "message", "dashboard", "posts", "editor", "revisions", "comments", "comment-edit", "terms", "users",
        "settings", "media", "media-edit", "fediverse", "subscribers",
    ]

    func handle(method: HTTPRequest.Method, route: AdminRoute, path: String, _ r: SiteRequest) async throws -> PageResult {
        // Uploads stream to disk under their own limit instead of being read as a form.
        if method == .post, route == .uploadMedia { return try await MediaAdmin(controller: self).upload(r) }
        let form = method == .post ? try await WebApp.readForm(r.request, limit: drey.config.maxBodySize) : FormData(fields: [:])
        if case .asset(let name) = route {
            guard let url = views.asset(name) else { return .plain(status: .notFound, text: "Not found.") }
            return .file(url, contentType: WebApp.contentType(for: url.pathExtension))
        }
        let pages = AuthPages(controller: self)
        switch (method, route) {
        case (.get, .login): return pages.loginForm(r)
        case (.post, .login): return try await pages.login(r, form)
        case (.get, .forgotPassword): return pages.forgotForm(r)
        case (.post, .forgotPassword): return try await pages.forgot(r, form)
        case (.get, .resetPassword): return try await pages.resetForm(r)
        case (.post, .resetPassword): return try await pages.reset(r, form)
        case (.get, .setup), (.post, .setup): return try await pages.setup(r, form, method: method)
        default: break
        }
        guard let token = r.request.cookie(Self.sessionCookie), let (user, _) = try await auth.user(sessionToken: token) else {
            let back =
                route == .dashboard
                ? "" : "?redirect_to=" + r.request.uri.description.percentEncodedAlphanumerics
            return .redirect(to: r.links.admin(.login) + back, permanent: false)
        }
        // Signing out needs no role: a subscriber, or a member of another site only, must be able to end their session.
        if method == .post, route == .logout || route == .logoutEverywhere {
            guard form["_csrf"] == AdminRequest.csrf(r.signer, token) else {
                return refuse(.badToken, user: user, r, csrf: AdminRequest.csrf(r.signer, token))
            }
            return try await pages.logout(r, user: user, sessionToken: token, everywhere: route == .logoutEverywhere)
        }
        guard let role = try await drey.store.role(userID: user.id, siteID: r.site.id), role != .subscriber else {
            return refuse(AdminRefusal.forbidden("use the administration of this site"), user: user, r, csrf: AdminRequest.csrf(r.signer, token))
        }
        let a = AdminRequest(r: r, user: user, role: role, sessionToken: token, form: form)
        if method == .post, form["_csrf"] != a.csrf {
            drey.logger.notice("refused admin form without a valid CSRF token", metadata: ["user": "\(user.login)", "path": "\(path)"])
            return refuse(.badToken, user: user, r, csrf: a.csrf)
        }
        do {
            return try await self.route(method: method, route, a)
        } catch let refusal as AdminRefusal {
            drey.logger.notice(
                "refused", metadata: ["user": "\(user.login)", "role": "\(role.rawValue)", "path": "\(path)", "why": "\(refusal.message)"])
            return refuse(refusal, user: user, r, csrf: a.csrf)
        }
    }

    private func route(method: HTTPRequest.Method, _ route: AdminRoute, _ a: AdminRequest) async throws -> PageResult {
        let posts = PostsAdmin(controller: self)
        let editor = EditorAdmin(controller: self)
        let comments = CommentsAdmin(controller: self)
        switch (method, route) {
        case (.get, .dashboard): return try await DashboardAdmin(controller: self).show(a)
        case (.get, .posts): return try await posts.list(a)
        case (.post, .bulkPosts): return try await posts.bulk(a)
        case (.get, .newPost): return try await editor.new(a)
        case (.post, .newPost): return try await editor.save(a, id: nil)
        case (.get, .editPost(let id)): return try await editor.edit(a, id: id)
        case (.post, .editPost(let id)): return try await editor.save(a, id: id)
        case (.post, .autosave(let id)): return try await editor.autosave(a, id: id)
        case (.get, .revisions(let id)): return try await editor.revisions(a, id: id)
        case (.post, .restoreRevision(let id)): return try await editor.restore(a, id: id)
        case (.post, .preview): return try await editor.preview(a)
        case (.get, .comments): return try await comments.list(a)
        case (.post, .comments): return try await comments.act(a)
        case (.post, .emptyComments): return try await comments.empty(a)
        case (.get, .editComment(let id)): return try await comments.editForm(a, id: id)
        case (.post, .editComment(let id)): return try await comments.saveEdit(a, id: id)
        case (.post, .replyToComment(let id)): return try await comments.reply(a, id: id)
        case (.get, .terms): return try await TermsAdmin(controller: self).list(a)
        case (.post, .terms): return try await TermsAdmin(controller: self).act(a)
        case (.get, .users): return try await UsersAdmin(controller: self).list(a)
        case (.post, .users): return try await UsersAdmin(controller: self).act(a)
        case (.get, .subscribers): return try await SubscribersAdmin(controller: self).show(a)
        case (.post, .subscribers): return try await SubscribersAdmin(controller: self).act(a)
        case (.get, .settings("")): return .redirect(to: a.r.links.admin(.settings(section: "general")), permanent: false)
        case (.get, .settings("signin")): return try await SignInAdmin(controller: self).show(a)
        case (.post, .settings("signin")): return try await SignInAdmin(controller: self).act(a)
        case (.get, .settings(let section)): return try await SettingsAdmin(controller: self).show(a, section: section)
        case (.post, .settings(let section)): return try await SettingsAdmin(controller: self).save(a, section: section)
        case (.get, .media): return try await MediaAdmin(controller: self).library(a)
        case (.get, .editMedia(let id)): return try await MediaAdmin(controller: self).edit(a, id: id)
        case (.post, .editMedia(let id)): return try await MediaAdmin(controller: self).save(a, id: id)
        case (.get, .readers): return try await ReadersAdmin(controller: self).list(a)
        case (.post, .readers): return try await ReadersAdmin(controller: self).act(a)
        case (.get, .readersExport): return try await ReadersAdmin(controller: self).csv(a)
        case (.get, .fediverse): return try await FediverseAdmin(controller: self).show(a)
        case (.post, .fediverse): return try await FediverseAdmin(controller: self).act(a)
        default:
            let page = AdminPage(title: "Not found", section: .none, MessageScreen(message: "There is no such page in the administration."))
            return .personal(status: .notFound, body: render(page, a))
        }
    }

    func refuse(_ refusal: AdminRefusal, user: User?, _ r: SiteRequest, csrf: String = "") -> PageResult {
        let page = AdminPage(title: refusal.status == 403 ? "Not allowed" : "Not found", section: .none, MessageScreen(message: refusal.message))
        return .personal(status: .init(code: refusal.status), body: renderBare(page, r, user: user, csrf: csrf))
    }

    /// Renders an admin page with the navigation of the signed-in person.
    func render<Body: AdminBody>(_ page: AdminPage<Body>, _ a: AdminRequest) -> String {
        rendered(AdminScreen(page, a.r, signedIn: true, csrf: a.csrf, member: (a.user, a.role)))
    }

    /// Renders a page without the navigation: before sign-in, or a refusal; `csrf` is the token its forms carry.
    func renderBare<Body: AdminBody>(_ page: AdminPage<Body>, _ r: SiteRequest, user: User?, csrf: String = "") -> String {
        rendered(AdminScreen(page, r, signedIn: user != nil, csrf: csrf, member: nil))
    }

    private func rendered<Body: AdminBody>(_ screen: AdminScreen<Body>) -> String {
        views.render(screen, template: Body.template) ?? "Template \(Body.template) is missing."
    }

    /// After a successful POST: back to a page, with a message for it.
    func done(_ a: AdminRequest, _ route: AdminRoute, _ message: String) -> PageResult {
        let path = route.path
        let separator = path.contains("?") ? "&" : "?"
        // Signed for this session alone: a link made in one session (an editor's, naming a term "Security notice: …")
        // shows nothing in another, so nobody can make the admin show words of their choosing to someone else.
        let signed = a.r.signer.sign(message, purpose: Self.flashPurpose(a.sessionToken))
        let encoded = signed.percentEncodedAlphanumerics
        return .redirect(to: a.r.links.base + path + separator + "flash=" + encoded, permanent: false)
    }

    func flash(_ a: AdminRequest) -> String {
        a.r.query["flash"].flatMap { a.r.signer.verify($0, purpose: Self.flashPurpose(a.sessionToken)) } ?? ""
    }

    static func flashPurpose(_ sessionToken: String) -> Signer.Purpose { .flash(session: AuthService.hash(sessionToken)) }
}
