import DreyApp
import DreyCore
import DreyRender
import Foundation
import HTTPTypes
import Hummingbird

/// Email sign-in's pages: the request, "check your email" with the code form, and the link's button page.
extension ReaderPages {
    func emailRequest(method: HTTPRequest.Method, _ r: SiteRequest) async throws -> PageResult? {
        guard method == .post else { return .redirect(to: r.links.signIn(), permanent: false) }
        let form = try await WebApp.readForm(r.request, limit: drey.config.maxBodySize)
        let email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces)
        let back = ReaderWeb.safePath(form["return_to"])
        guard r.site.settings.signinEmail else {
            return page(r, title: "Sign in", body: "<p>Signing in by email is switched off on this blog.</p>", status: .notFound)
        }
        do {
            try await drey.readers.requestEmailSignIn(siteID: r.site.id, email: email, returnTo: back, base: r.links.base, ip: r.clientIP)
        } catch let error as SettingError {
            return signInPage(r, returnTo: back, email: email, errors: [error.message], status: .unprocessableContent)
        } catch let error as ReaderService.EmailThrottled {
            return signInPage(r, returnTo: back, email: email, errors: [error.description], status: .tooManyRequests)
        }
        return codePage(
            r, email: email,
            intro: "We sent a message to \(email). Open the link in it, or enter the 6-digit code it holds here. "
                + "It may take a minute to arrive; look in your spam folder too.")
    }

    /// The form the message's code is typed into.
    func codePage(_ r: SiteRequest, email: String, intro: String? = nil, errors: [String] = [], status: HTTPResponse.Status = .ok) -> PageResult {
        var body = Self.errors(errors)
        if let intro { body += "<p class=\"signin-sent\">\(Self.e(intro))</p>" }
        body += """
            <form class="signin-code" method="post" action="\(Self.e(r.links.url(.signInEmailConfirm)))">
            <p><label for="signin-email">Email</label>
            <input id="signin-email" name="email" type="email" value="\(Self.e(email))" size="30" maxlength="254" autocomplete="email" required></p>
            <p><label for="signin-code">Code</label>
            <input id="signin-code" name="code" type="text" inputmode="numeric" pattern="[0-9 ]*" maxlength="7" size="8" autocomplete="one-time-code" required></p>
            <p><button type="submit">Sign in</button></p>
            </form>
            <p><a href="\(Self.e(r.links.signIn()))">Ask for a new message</a></p>
            """
        return page(r, title: "Check your email", body: body, status: status)
    }

    func emailConfirm(method: HTTPRequest.Method, _ r: SiteRequest) async throws -> PageResult? {
        // Switched off by the owner: links already sent stop working too.
        guard r.site.settings.signinEmail else {
            if method == .post { _ = try await WebApp.readForm(r.request, limit: drey.config.maxBodySize) }
            return page(r, title: "Sign in", body: "<p>Signing in by email is switched off on this blog.</p>", status: .notFound)
        }
        guard method == .post else {
            // A GET shows the button only: mail scanners that fetch links sign nobody in and use nothing up.
            guard let token = r.query["token"], !token.isEmpty else { return codePage(r, email: "") }
            if let refusal = try await drey.readers.emailLinkState(siteID: r.site.id, token: token) {
                return refused(r, refusal)
            }
            return page(
                r, title: "Sign in",
                body: """
                    <form class="signin-confirm" method="post" action="\(Self.e(r.links.url(.signInEmailConfirm)))">
                    <p>Press the button to sign in to \(Self.e(r.site.settings.title)).</p>
                    <input type="hidden" name="token" value="\(Self.e(token))">
                    <p><button type="submit">Sign me in</button></p>
                    </form>
                    """)
        }
        let form = try await WebApp.readForm(r.request, limit: drey.config.maxBodySize)
        let email = form["email"] ?? ""
        do {
            let signedIn: (session: ReaderSession, token: String, returnTo: String)
            if let token = form["token"], !token.isEmpty {
                signedIn = try await drey.readers.confirmEmailLink(siteID: r.site.id, token: token)
            } else {
                signedIn = try await drey.readers.confirmEmailCode(siteID: r.site.id, email: email, code: form["code"] ?? "")
            }
            return ReaderWeb.signedIn(token: signedIn.token, returnTo: signedIn.returnTo, r: r)
        } catch let refusal as ReaderService.EmailSignInRefusal {
            if form["token"]?.isEmpty == false { return refused(r, refusal) }
            switch refusal {
            case .wrongCode: return codePage(r, email: email, errors: [refusal.description], status: .unprocessableContent)
            default: return codePage(r, email: email, errors: [refusal.description], status: .gone)
            }
        } catch let blocked as ReaderService.Blocked {
            return page(r, title: "Sign in", body: Self.errors([blocked.description]), status: .forbidden)
        }
    }

    func refused(_ r: SiteRequest, _ refusal: ReaderService.EmailSignInRefusal) -> PageResult {
        page(
            r, title: "Sign in",
            body: Self.errors([refusal.description]) + "<p><a href=\"\(Self.e(r.links.signIn()))\">Ask for a new message</a></p>",
            status: refusal == .unknownLink ? .notFound : .gone)
    }
}
