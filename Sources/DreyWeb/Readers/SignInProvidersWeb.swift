import DreyApp
import DreyCore
import DreyRender
import Foundation
import Hummingbird

/// `/signin/oidc/NAME` and `/signin/indieauth` with their callbacks: the reader leaves for the provider (or their
/// website's authorization server) and comes back signed in, or to a page saying plainly why not.
struct SignInProvidersWeb: Sendable {
    let drey: Drey
    let views: ViewFactory
    let theme: Theme

    /// Ties a sign-in to the browser that began it; only the sign-in addresses need it, and only for ten minutes.
    static let flowCookie = "drey_signin_flow"

    func answer(_ route: SiteRoute, method: HTTPRequest.Method, _ r: SiteRequest, form: () async throws -> FormData) async throws -> PageResult? {
        switch route {
        case .signInOIDC(let name, let callback):
            guard method == .get else { return nil }
            guard r.site.settings.readersEnabled else {
                return refused(r, status: .notFound, "Readers do not sign in on this blog.", website: nil)
            }
            return callback ? try await oidcCallback(name, r) : try await startOIDC(name, r)
        case .signInIndieAuth(let callback):
            guard r.site.settings.signinIndieAuth else {
                return refused(r, status: .notFound, "Signing in with a website is not enabled on this blog.", website: nil)
            }
            if callback { return method == .get ? try await indieAuthCallback(r) : nil }
            let fields = method == .post ? try await form() : FormData(fields: r.query)
            return try await startIndieAuth(r, website: fields["website"] ?? fields["me"] ?? "", returnTo: fields["return_to"])
        default:
            return nil
        }
    }

    // MARK: OpenID Connect

    func startOIDC(_ name: String, _ r: SiteRequest) async throws -> PageResult {
        do {
            let start = try await drey.signin.startOIDC(
                site: r.site, name: name, redirectURI: r.links.url(.signInOIDC(provider: name.lowercased(), callback: true)),
                returnTo: Self.returnPath(r.query["return_to"]))
            return .redirect(to: start.location, permanent: false, cookies: [flowCookie(start.browserSecret, r)])
        } catch let refusal as SignInService.Refused {
            return refused(r, status: .badGateway, refusal.description, website: nil)
        }
    }

    func oidcCallback(_ name: String, _ r: SiteRequest) async throws -> PageResult {
        let proof: SignInService.SignInProof
        do {
            proof = try await drey.signin.finishOIDC(
                site: r.site, name: name, query: r.query, browserSecret: r.request.cookie(Self.flowCookie),
                redirectURI: r.links.url(.signInOIDC(provider: name.lowercased(), callback: true)))
        } catch let refusal as SignInService.Refused {
            return refused(r, status: .forbidden, refusal.description, website: nil)
        }
        return try await signIn(proof, r)
    }

    // MARK: IndieAuth

    /// The blog's client ID is its home page (IndieAuth §3.2: a URL on the redirect URI's origin).
    func clientID(_ r: SiteRequest) -> String { r.links.base + "/" }

    func startIndieAuth(_ r: SiteRequest, website: String, returnTo: String?) async throws -> PageResult {
        guard !website.trimmingCharacters(in: .whitespaces).isEmpty else {
            return refused(r, status: .unprocessableContent, "Type the address of your website to sign in with it.", website: website)
        }
        do {
            let start = try await drey.signin.startIndieAuth(
                site: r.site, website: website, clientID: clientID(r), redirectURI: r.links.url(.signInIndieAuth(callback: true)),
                returnTo: Self.returnPath(returnTo))
            return .redirect(to: start.location, permanent: false, cookies: [flowCookie(start.browserSecret, r)])
        } catch let refusal as SignInService.Refused {
            return refused(r, status: .unprocessableContent, refusal.description, website: website)
        }
    }

    func indieAuthCallback(_ r: SiteRequest) async throws -> PageResult {
        let proof: SignInService.SignInProof
        do {
            proof = try await drey.signin.finishIndieAuth(
                site: r.site, query: r.query, browserSecret: r.request.cookie(Self.flowCookie), clientID: clientID(r),
                redirectURI: r.links.url(.signInIndieAuth(callback: true)))
        } catch let refusal as SignInService.Refused {
            return refused(r, status: .forbidden, refusal.description, website: nil)
        }
        return try await signIn(proof, r)
    }

    // MARK: shared

    /// Hands what the provider proved to the readers' service; the reader is (issuer, subject), nothing else.
    func signIn(_ proof: SignInService.SignInProof, _ r: SiteRequest) async throws -> PageResult {
        let identity = ReaderIdentity(
            method: proof.method == .oidc ? .oidc : .indieauth, issuer: proof.issuer, subject: proof.subject, provider: proof.provider,
            name: proof.name,
            email: proof.email, emailVerified: proof.emailVerified, website: proof.website, picture: proof.picture)
        let session: (session: ReaderSession, token: String)
        do {
            session = try await drey.readers.signIn(siteID: r.site.id, identity: identity)
        } catch is ReaderService.Blocked {
            return refused(r, status: .forbidden, "This account may not sign in to this blog.", website: nil)
        }
        let result = ReaderWeb.signedIn(token: session.token, returnTo: proof.returnTo, r: r)
        if case .redirect(let location, let permanent, let cookies) = result {
            return .redirect(to: location, permanent: permanent, cookies: cookies + [clearFlowCookie(r)])
        }
        return result
    }

    func flowCookie(_ secret: String, _ r: SiteRequest) -> String {
        setCookie(Self.flowCookie, secret, maxAge: Int(SignInService.flowLifetime), secure: r.request.isSecure || r.links.base.hasPrefix("https:"))
    }

    func clearFlowCookie(_ r: SiteRequest) -> String {
        setCookie(Self.flowCookie, "", maxAge: 0, secure: r.request.isSecure || r.links.base.hasPrefix("https:"))
    }

    /// A path on this site to come back to; anything else (another host, `//evil`, a scheme) means the home page.
    static func returnPath(_ raw: String?) -> String { ReaderWeb.safePath(raw) }

    /// The page a refused sign-in ends on: what happened, and the way back to the sign-in page (with the website typed).
    func refused(_ r: SiteRequest, status: HTTPResponse.Status, _ message: String, website: String?) -> PageResult {
        drey.logger.notice("reader sign-in refused", metadata: ["why": "\(message)"])
        let page = SignInRefusedPage(
            chrome: views.chrome(r, title: "Sign-in failed", canonical: "", noindex: true), message: message,
            signInURL: r.links.base + "/signin", indieAuthURL: r.links.url(.signInIndieAuth(callback: false)),
            showWebsite: website != nil && r.site.settings.signinIndieAuth, website: website ?? "")
        let body = theme.render(page, template: "signin-refused") ?? message
        return .personal(status: status, body: body, cookies: [clearFlowCookie(r)])
    }
}

/// What `signin-refused.mustache` shows.
struct SignInRefusedPage: Sendable {
    let chrome: Chrome
    let message: String
    let signInURL: String
    let indieAuthURL: String
    /// The website form again, with what was typed, when that is what went wrong.
    let showWebsite: Bool
    let website: String
}

extension SignInProvidersWeb {
    /// The sign-in page's parts for these methods (`ReaderPages.extraSignInMethods`): a button per OpenID Connect
    /// provider, and the website field when IndieAuth is on. Each returns escaped HTML, or nil when it has nothing.
    static func signInMethods(_ settings: SiteSettings) -> [@Sendable (Drey, SiteRequest, String) async throws -> String?] {
        var methods: [@Sendable (Drey, SiteRequest, String) async throws -> String?] = [providerButtons]
        if settings.signinIndieAuth { methods.append(websiteForm) }
        return methods
    }

    static func providerButtons(_ drey: Drey, _ r: SiteRequest, _ back: String) async throws -> String? {
        let providers = try await drey.signin.providers(siteID: r.site.id)
        guard !providers.isEmpty else { return nil }
        let query = "?return_to=" + back.percentEncodedAlphanumerics
        let buttons = providers.map { p in
            let href = HTMLEscape.text(r.links.url(.signInOIDC(provider: p.name, callback: false)) + query)
            return "<li><a class=\"button signin-provider\" href=\"\(href)\">Sign in with \(HTMLEscape.text(p.name))</a></li>"
        }
        return "<div class=\"signin-oidc\">\n<h2>With an account you have</h2>\n<ul class=\"signin-providers\">\n"
            + buttons.joined(separator: "\n") + "\n</ul>\n</div>"
    }

    static func websiteForm(_ drey: Drey, _ r: SiteRequest, _ back: String) async throws -> String? {
        let action = HTMLEscape.text(r.links.url(.signInIndieAuth(callback: false)))
        return """
            <form class="signin-website" method="post" action="\(action)">
            <h2>With your website</h2>
            <p>If your website supports IndieAuth, you sign in where it sends you.</p>
            <p><label for="signin-website">Your website</label>
            <input id="signin-website" name="website" type="text" inputmode="url" placeholder="example.com" size="30" maxlength="500" autocomplete="url" required></p>
            <input type="hidden" name="return_to" value="\(HTMLEscape.text(back))">
            <p><button type="submit">Sign in with your website</button></p>
            </form>
            """
    }
}
