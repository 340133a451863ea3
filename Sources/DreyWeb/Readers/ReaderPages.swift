import DreyApp
import DreyCore
import DreyRender
import Foundation
import HTTPTypes
import Hummingbird

/// The readers' pages: `/signin` and its methods, `/signout`, `/account`. All personal: never cached.
struct ReaderPages: Sendable {
    let app: WebApp

    var drey: Drey { app.drey }

    func answer(_ route: SiteRoute, method: HTTPRequest.Method, _ r: SiteRequest) async throws -> PageResult? {
        switch route {
        case .signIn(let returnTo):
            guard method != .post else { return nil }
            return try await signInPage(r, returnTo: returnTo)
        case .signOut:
            guard method == .post else { return signOutPage(r) }
            _ = try await WebApp.readForm(r.request, limit: drey.config.maxBodySize)
            if let token = r.request.cookie(ReaderWeb.cookie) { try await drey.readers.signOut(siteID: r.site.id, token: token) }
            return .redirect(to: r.links.base + ReaderWeb.safePath(r.query["return_to"]), permanent: false, cookies: [ReaderWeb.clearedCookie(r)])
        default:
            return try await answerMore(route, method: method, r)
        }
    }

    /// Routes answered in other files (`ReaderPages+Email.swift`, `ReaderPages+Account.swift`).
    func answerMore(_ route: SiteRoute, method: HTTPRequest.Method, _ r: SiteRequest) async throws -> PageResult? {
        switch route {
        case .signInEmail: return try await emailRequest(method: method, r)
        case .signInEmailConfirm: return try await emailConfirm(method: method, r)
        case .account(let sub): return try await account(sub, method: method, r)
        case .readerFace(let name): return method == .post ? nil : face(name)
        default: return nil
        }
    }

    // MARK: pages

    func page(_ r: SiteRequest, title: String, body: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> PageResult {
        var chrome = app.views.chrome(r, title: title, canonical: "", noindex: true)
        // A personal page is never cached: its bar is filled now rather than left as a hole.
        chrome.readerBar = ReaderHoles.readerBar(r.reader, r.request.uri.description, ReaderHoles.Context(r))
        let view = ReaderPage(chrome: chrome, heading: title, body: body)
        let html = app.theme.hasTemplate("reader") ? (app.theme.render(view, template: "reader") ?? view.plainHTML) : view.plainHTML
        return .personal(status: status, body: html, cookies: cookies)
    }

    static func e(_ s: String) -> String { HTMLEscape.text(s) }

    static func errors(_ messages: [String]) -> String {
        guard !messages.isEmpty else { return "" }
        return "<div class=\"form-errors\" role=\"alert\"><ul>" + messages.map { "<li>\(e($0))</li>" }.joined() + "</ul></div>"
    }

    /// The sign-in methods the owner enabled; `returnTo` travels through each.
    func signInPage(_ r: SiteRequest, returnTo: String?, email: String = "", errors: [String] = [], status: HTTPResponse.Status = .ok)
        async throws -> PageResult
    {
        let settings = r.site.settings
        let back = ReaderWeb.safePath(returnTo)
        var body = Self.errors(errors)
        if let reader = r.reader {
            body +=
                "<p class=\"reader-signed-in\">You are signed in as \(Self.e(reader.reader.name)) with your \(Self.e(reader.provider)) account. "
                + "<a href=\"\(Self.e(r.links.account()))\">Your account</a></p>"
        }
        guard settings.readersEnabled else {
            return page(r, title: "Sign in", body: body + "<p>This blog does not let readers sign in.</p>", status: .notFound)
        }
        var methods: [String] = []
        if settings.signinEmail {
            methods.append(
                """
                <form class="signin-email" method="post" action="\(Self.e(r.links.url(.signInEmail)))">
                <h2>With your email address</h2>
                <p>We send you a link and a code to sign in with; no password.</p>
                <p><label for="signin-email">Email</label>
                <input id="signin-email" name="email" type="email" value="\(Self.e(email))" size="30" maxlength="254" autocomplete="email" required></p>
                <input type="hidden" name="return_to" value="\(Self.e(back))">
                <p><button type="submit">Send me a sign-in link</button></p>
                </form>
                """)
        }
        for method in Self.extraSignInMethods(settings) { if let html = try await method(drey, r, back) { methods.append(html) } }
        if methods.isEmpty { methods.append("<p>No way to sign in is switched on for this blog.</p>") }
        return page(r, title: "Sign in", body: body + methods.joined(separator: "\n"), status: status)
    }

    /// Other sign-in methods (OpenID Connect, IndieAuth) add their form or buttons here, each when the owner switched it
    /// on: given the request and the path to come back to, it returns its escaped HTML.
    static func extraSignInMethods(_ settings: SiteSettings) -> [@Sendable (Drey, SiteRequest, String) async throws -> String?] {
        SignInProvidersWeb.signInMethods(settings)
    }

    /// A GET of `/signout` (a followed link) changes nothing: it shows the button that signs out.
    func signOutPage(_ r: SiteRequest) -> PageResult {
        let back = ReaderWeb.safePath(r.query["return_to"])
        guard r.reader != nil else { return .redirect(to: r.links.base + back, permanent: false) }
        return page(
            r, title: "Sign out",
            body: """
                <form method="post" action="\(Self.e(r.links.signOut))?return_to=\(Self.e(back.percentEncodedAlphanumerics))">
                <p><button type="submit">Sign out</button></p></form>
                """)
    }
}

extension WebApp {
    var readerPages: ReaderPages { ReaderPages(app: self) }
}
