import DreyApp
import DreyCore
import DreyRender
import Foundation
import Hummingbird
import NIOCore

/// Following by email: the follow form, the confirmation page and button, and leaving (the page with its button,
/// and RFC 8058's one-click POST, which carries no cookie and no form token: the signed link is the authority).
struct FollowController: Sendable {
    let drey: Drey
    let theme: Theme
    let views: ViewFactory

    /// The follow form under a post, when the site offers following.
    static func box(_ post: Post, _ r: SiteRequest, email: String = "", token: String? = nil) -> FollowBox? {
        guard r.site.settings.followsEnabled, post.type == .post, post.password.isEmpty else { return nil }
        return FollowBox(
            actionURL: r.links.url(.follows(.follow)), postID: post.id, email: email, blogWording: FollowService.blogWording,
            threadWording: FollowService.threadWording, token: token ?? PageHole.marker("form-token", post.id))
    }

    func answer(
        _ route: FollowRoute, method: HTTPRequest.Method, _ r: SiteRequest, app: WebApp, form: () async throws -> FormData
    ) async throws -> PageResult? {
        if case .like(let postID) = route { return try await LikeButton.post(postID, r, form: try await form(), app: app) }
        guard r.site.settings.followsEnabled else { return nil }
        switch route {
        case .follow: return try await follow(r, form: try await form())
        case .confirm(let token):
            if method == .post { return try await confirm(r, token: try await form()["t"] ?? token) }
            return confirmPage(r, token: token)
        case .unsubscribe(let token):
            if method == .post {
                let fields = try await form()
                return try await unsubscribe(r, token: token.isEmpty ? fields["t"] ?? "" : token, oneClick: fields["List-Unsubscribe"] == "One-Click")
            }
            return unsubscribePage(r, token: token)
        case .like: return nil
        }
    }

    /// Follows the blog (or a thread) from the form under a post; the same answer whoever the address belongs to.
    func follow(_ r: SiteRequest, form: FormData) async throws -> PageResult {
        let email = (form["email"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard let postID = form["post_id"].flatMap(Int64.init), let post = try await drey.store.post(id: postID, siteID: r.site.id),
            post.isVisible(at: r.now)
        else { return .plain(status: .notFound, text: "That post does not exist.") }
        let canonical = try await PostURLs(store: drey.store).canonical(post, site: r.site, links: r.links)
        // Two buttons: follow the blog, or this post's conversation.
        let scope: FollowService.Scope = form["scope"] == "thread" ? .thread(postID: post.id) : .blog
        // The form carries the post page's own signed token: a form made elsewhere cannot use the site to send mail.
        guard
            case .valid = FormToken.check(
                form["drey_token"], postID: post.id, now: r.now, maxAge: r.site.settings.commentFormMaxAge, signer: r.signer)
        else {
            return page(
                r, status: .forbidden, "Follow by email", errors: ["The form could not be verified (it may be too old). Please send it again."],
                again: (post, email))
        }
        // A signed-in reader whose address a sign-in method verified follows at once: nothing to confirm.
        if let reader = r.reader?.reader, let verified = reader.email, reader.emailVerifiedAt != nil,
            email.isEmpty || email.lowercased() == verified.lowercased()
        {
            let wording = scope == .blog ? FollowService.blogWording : FollowService.threadWording
            try await drey.follows.subscribeVerified(
                email: verified, scope: scope, page: canonical, wording: wording, ip: r.clientIP, siteID: r.site.id)
            return page(r, status: .ok, "Thank you", "\(verified) now follows \(r.site.settings.title) by email. Every message has a link to stop.")
        }
        do {
            try await drey.follows.request(
                FollowService.Request(
                    email: email, scope: scope, page: canonical, wording: Self.formWording(scope),
                    ip: r.clientIP), siteID: r.site.id)
        } catch let refusal as FollowService.Refusal {
            return page(r, status: .init(code: refusal.status), "Follow by email", errors: [refusal.message], again: (post, email))
        }
        return page(r, status: .ok, "Check your inbox", Self.sent)
    }

    /// The words the form under a post shows, with the button pressed: recorded with the consent.
    static func formWording(_ scope: FollowService.Scope) -> String {
        "Follow by email: \(FollowService.blogWording) [button: \(scope == .blog ? "Follow the blog" : "Follow this conversation")]"
    }

    static let sent =
        "If that address can receive mail, a message with a link to confirm is on its way. Nothing is sent to it until the link is used."

    func confirmPage(_ r: SiteRequest, token: String) -> PageResult {
        guard drey.follows.checkConfirmation(token, site: r.site) != nil else { return Self.expired(self, r) }
        return page(
            r, status: .ok, "Confirm: follow by email", "Press the button to start receiving mail from \(r.site.settings.title).",
            action: (r.links.url(.follows(.confirm(token: ""))), token, "Yes, follow by email"))
    }

    func confirm(_ r: SiteRequest, token: String) async throws -> PageResult {
        let page = r.links.url(.follows(.confirm(token: "")))
        guard let subscriber = try await drey.follows.confirm(token, site: r.site, page: page, ip: r.clientIP) else { return Self.expired(self, r) }
        return self.page(
            r, status: .ok, "Thank you",
            "\(subscriber.email) now follows \(r.site.settings.title) by email. Every message has a link to stop.")
    }

    static func expired(_ c: FollowController, _ r: SiteRequest) -> PageResult {
        c.page(
            r, status: .badRequest, "This link does not work",
            "The link is not valid or has expired (links to confirm work for 7 days). Please ask again.")
    }

    func unsubscribePage(_ r: SiteRequest, token: String) -> PageResult {
        guard let (_, scope) = drey.follows.checkUnsubscribe(token, site: r.site) else {
            return page(r, status: .badRequest, "This link does not work", "The link is not valid. Copy the whole address from the message.")
        }
        let what = scope == .blog ? "all mail from \(r.site.settings.title)" : "mail about this conversation"
        return page(
            r, status: .ok, "Unsubscribe", "Press the button to stop \(what).",
            action: (r.links.url(.follows(.unsubscribe(token: token))), token, "Unsubscribe"))
    }

    func unsubscribe(_ r: SiteRequest, token: String, oneClick: Bool) async throws -> PageResult {
        let wording = oneClick ? "List-Unsubscribe=One-Click (RFC 8058)" : "Unsubscribe (button)"
        guard
            try await drey.follows.unsubscribe(
                token, site: r.site, page: r.links.url(.follows(.unsubscribe(token: ""))), ip: r.clientIP, wording: wording) != nil
        else {
            return page(r, status: .badRequest, "This link does not work", "The link is not valid. Copy the whole address from the message.")
        }
        return page(r, status: .ok, "Unsubscribed", "Done: you will get no more of this mail from \(r.site.settings.title).")
    }

    private func page(
        _ r: SiteRequest, status: HTTPResponse.Status, _ heading: String, _ message: String = "", errors: [String] = [],
        action: (String, String, String)? = nil, again: (Post, String)? = nil
    ) -> PageResult {
        let view = FollowPage(
            chrome: views.chrome(r, title: heading, canonical: "", noindex: true), heading: heading, message: message, errors: errors,
            actionURL: action?.0 ?? "", token: action?.1 ?? "", button: action?.2 ?? "",
            followForm: again.flatMap { Self.box($0.0, r, email: $0.1, token: FormToken(postID: $0.0.id, shownAt: r.now).signed(with: r.signer)) })
        return .personal(status: status, body: theme.render(view, template: "follow") ?? heading)
    }
}
