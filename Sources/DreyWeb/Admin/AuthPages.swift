import DreyApp
import DreyCore
import DreyRender
import Foundation
import Hummingbird

/// Sign-in, sign-out, password reset and first-run setup: the pages reachable without a session.
struct AuthPages {
    let controller: AdminController
    var auth: AuthService { controller.auth }

    static let preSessionCookie = "drey_csrf"

    /// Forms shown before sign-in are protected by a random cookie the form must echo.
    func preSessionToken(_ r: SiteRequest) -> (token: String, cookie: [String]) {
        if let existing = r.request.cookie(Self.preSessionCookie), existing.count >= 20 { return (existing, []) }
        let token = AuthService.randomToken()
        return (token, [setCookie(Self.preSessionCookie, token, maxAge: 3600 * 12, secure: r.request.isSecure)])
    }

    func checkPreSession(_ r: SiteRequest, _ form: FormData) -> Bool {
        guard let cookie = r.request.cookie(Self.preSessionCookie), cookie.count >= 20 else { return false }
        return form["_csrf"] == cookie
    }

    func loginForm(_ r: SiteRequest, email: String = "", errors: [String] = [], status: HTTPResponse.Status = .ok, flash: String = "") -> PageResult {
        let (token, cookies) = preSessionToken(r)
        let redirect = r.query["redirect_to"] ?? ""
        var page = AdminPage(title: "Sign in", section: .none, LoginScreen(email: email, redirectTo: redirect))
        page.flash = flash
        page.errors = errors
        return .personal(status: status, body: controller.renderBare(page, r, user: nil, csrf: token), cookies: cookies)
    }

    func login(_ r: SiteRequest, _ form: FormData) async throws -> PageResult {
        let email = form["email"] ?? ""
        guard checkPreSession(r, form) else {
            return loginForm(r, email: email, errors: [AdminRefusal.badToken.message], status: .forbidden)
        }
        do {
            let ip = r.clientIP
            let (token, _) = try await auth.signIn(
                email: email, password: form["password"] ?? "", ip: ip, userAgent: r.request.headers[.userAgent] ?? "")
            var target = r.links.admin(.dashboard)
            if let back = form["redirect_to"], back.hasPrefix("/admin"), !back.contains("//") { target = r.links.base + back }
            return .redirect(
                to: target, permanent: false,
                cookies: [setCookie(AdminController.sessionCookie, token, maxAge: Int(AuthService.sessionLifetime), secure: r.request.isSecure)])
        } catch let error as AuthService.SignInError {
            let status: HTTPResponse.Status = { if case .throttled = error { return .tooManyRequests } else { return .unauthorized } }()
            return loginForm(r, email: email, errors: [error.description], status: status)
        }
    }

    func logout(_ r: SiteRequest, user: User, sessionToken: String, everywhere: Bool) async throws -> PageResult {
        if everywhere {
            try await auth.signOutEverywhere(userID: user.id)
        } else {
            try await auth.signOut(token: sessionToken)
        }
        return .redirect(
            to: r.links.admin(.login), permanent: false,
            cookies: [setCookie(AdminController.sessionCookie, "", maxAge: 0, secure: r.request.isSecure)])
    }

    func forgotForm(
        _ r: SiteRequest, email: String = "", errors: [String] = [], flash: String = "", status: HTTPResponse.Status = .ok
    ) -> PageResult {
        let (token, cookies) = preSessionToken(r)
        var page = AdminPage(title: "Forgotten password", section: .none, ForgotScreen(email: email))
        page.flash = flash
        page.errors = errors
        return .personal(status: status, body: controller.renderBare(page, r, user: nil, csrf: token), cookies: cookies)
    }

    func forgot(_ r: SiteRequest, _ form: FormData) async throws -> PageResult {
        let email = form["email"] ?? ""
        guard checkPreSession(r, form) else { return forgotForm(r, email: email, errors: [AdminRefusal.badToken.message], status: .forbidden) }
        do {
            // The link leaves the site: it is built from the canonical address, never from what the request claims.
            try await auth.requestReset(email: email, baseURL: r.canonicalBase, siteID: r.site.id, ip: r.clientIP)
        } catch let error as AuthService.ResetThrottled {
            return forgotForm(r, email: email, errors: [error.description], status: .tooManyRequests)
        }
        // The same answer whether or not the address has an account.
        return forgotForm(r, flash: "If that address has an account, a link to choose a new password is on its way. It works once, for one hour.")
    }

    func resetForm(_ r: SiteRequest, errors: [String] = [], status: HTTPResponse.Status = .ok) async throws -> PageResult {
        let token = r.query["token"] ?? ""
        guard try await auth.resetIsUsable(token: token) else { return expiredReset(r) }
        let (csrf, cookies) = preSessionToken(r)
        var page = AdminPage(title: "Choose a new password", section: .none, ResetScreen(token: token))
        page.errors = errors
        return .personal(status: status, body: controller.renderBare(page, r, user: nil, csrf: csrf), cookies: cookies)
    }

    func expiredReset(_ r: SiteRequest) -> PageResult {
        let page = AdminPage(
            title: "Link expired", section: .none,
            MessageScreen(message: "This password reset link has expired or has already been used. Ask for a new one from the sign-in page."))
        return .personal(status: .gone, body: controller.renderBare(page, r, user: nil))
    }

    func reset(_ r: SiteRequest, _ form: FormData) async throws -> PageResult {
        var query = r
        query = SiteRequest(
            site: r.site, links: r.links, request: r.request, query: ["token": form["token"] ?? ""], now: r.now, signer: r.signer,
            ownPendingComments: [], unlockedPosts: [], clientIP: r.clientIP)
        guard checkPreSession(r, form) else { return try await resetForm(query, errors: [AdminRefusal.badToken.message], status: .forbidden) }
        let password = form["password"] ?? ""
        guard password == form["password2"] else {
            return try await resetForm(query, errors: ["The two passwords are not the same."], status: .unprocessableContent)
        }
        do {
            guard try await auth.reset(token: form["token"] ?? "", newPassword: password) != nil else { return expiredReset(r) }
        } catch let error as SettingError {
            return try await resetForm(query, errors: [error.message], status: .unprocessableContent)
        }
        return loginForm(r, flash: "Your password was changed and every other session signed out. Sign in with the new password.")
    }

    /// First run: creates the first administrator, or chooses the password of an administrator who has none (the
    /// demo's), only from the one-time link `drey serve` prints.
    func setup(_ r: SiteRequest, _ form: FormData, method: HTTPRequest.Method) async throws -> PageResult {
        let given = method == .post ? (form["token"] ?? "") : (r.query["token"] ?? "")
        let state = try await SetupState.of(controller.drey.store, siteID: r.site.id)
        guard let expected = controller.setupToken, !given.isEmpty, given == expected, state.isOpen else {
            let page = AdminPage(
                title: "Not found", section: .none, MessageScreen(message: "Setup is done, or this link is not the one `drey serve` printed."))
            return .personal(status: .notFound, body: controller.renderBare(page, r, user: nil))
        }
        let (csrf, cookies) = preSessionToken(r)
        if case .choosePassword(let admin) = state {
            return try await choosePassword(r, form, method: method, admin: admin, token: given, csrf: csrf, cookies: cookies)
        }
        var page = AdminPage(
            title: "Set up your blog", section: .none, SetupScreen(token: given, claim: false, name: form["name"] ?? "", email: form["email"] ?? ""))
        if method == .post {
            guard checkPreSession(r, form) else {
                page.errors = [AdminRefusal.badToken.message]
                return .personal(status: .forbidden, body: controller.renderBare(page, r, user: nil, csrf: csrf), cookies: cookies)
            }
            do {
                let password = form["password"] ?? ""
                guard password.count >= 8 else { throw SettingError("The password must be at least 8 characters.") }
                _ = try await controller.drey.users.add(
                    email: form["email"] ?? "", name: form["name"] ?? "", role: .administrator, password: password, siteID: r.site.id)
                return loginForm(r, email: form["email"] ?? "", flash: "Your administrator account is ready. Sign in.")
            } catch let error as SettingError {
                page.errors = [error.message]
                return .personal(status: .unprocessableContent, body: controller.renderBare(page, r, user: nil, csrf: csrf), cookies: cookies)
            }
        }
        return .personal(status: .ok, body: controller.renderBare(page, r, user: nil, csrf: csrf), cookies: cookies)
    }

    /// The setup link for an administrator without a password: choose one, then sign in with it.
    private func choosePassword(
        _ r: SiteRequest, _ form: FormData, method: HTTPRequest.Method, admin: User, token: String, csrf: String, cookies: [String]
    ) async throws -> PageResult {
        var page = AdminPage(
            title: "Choose your password", section: .none, SetupScreen(token: token, claim: true, name: admin.displayName, email: admin.email))
        guard method == .post else { return .personal(status: .ok, body: controller.renderBare(page, r, user: nil, csrf: csrf), cookies: cookies) }
        guard checkPreSession(r, form) else {
            page.errors = [AdminRefusal.badToken.message]
            return .personal(status: .forbidden, body: controller.renderBare(page, r, user: nil, csrf: csrf), cookies: cookies)
        }
        let password = form["password"] ?? ""
        let problem: String? =
            password.count < 8
            ? "The password must be at least 8 characters."
            : password != (form["password2"] ?? "") ? "The two passwords are not the same." : nil
        if let problem {
            page.errors = [problem]
            return .personal(status: .unprocessableContent, body: controller.renderBare(page, r, user: nil, csrf: csrf), cookies: cookies)
        }
        try await auth.setPassword(password, userID: admin.id)
        return loginForm(r, email: admin.email, flash: "The password of \(admin.displayName) is set. Sign in with \(admin.email) and that password.")
    }
}

/// The sign-in form, with what was typed.
struct LoginScreen: AdminBody {
    static let template = "login"
    let email: String
    let redirectTo: String
}

struct ForgotScreen: AdminBody {
    static let template = "forgot"
    let email: String
}

/// Choosing a new password from the link in the mail.
struct ResetScreen: AdminBody {
    static let template = "reset"
    let token: String
}

/// First run: the first administrator's account, or (`claim`) the password of one who has none.
struct SetupScreen: AdminBody {
    static let template = "setup"
    let token: String
    let claim: Bool
    let name: String
    let email: String
}
