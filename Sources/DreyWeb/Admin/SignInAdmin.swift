import DreyApp
import DreyCore
import DreyRender
import Foundation

/// Settings → Sign-in: how readers may sign in (email, their website) and the OpenID Connect providers. A provider's
/// secret is written once and never shown back, not even in a refused form.
struct SignInAdmin {
    let controller: AdminController

    struct Typed {
        var name = ""
        var issuer = ""
        var clientID = ""
    }

    func show(_ a: AdminRequest, errors: [String] = [], typed: Typed = Typed()) async throws -> PageResult {
        guard a.can(.manageOptions) else { throw AdminRefusal.forbidden("change the site's settings") }
        let settings = a.r.site.settings
        let providers = try await controller.drey.signin.providers(siteID: a.r.site.id)
        let screen = SignInSettingsScreen(
            emailAvailable: SignInAdmin.emailKey != nil, emailOn: SignInAdmin.emailKey.map { settings[$0] == "1" } ?? false,
            indieAuthOn: settings.signinIndieAuth,
            providers: providers.map {
                SignInSettingsScreen.Provider(
                    name: $0.name, issuer: $0.issuer, clientID: $0.clientID,
                    redirectURI: a.r.links.url(.signInOIDC(provider: $0.name, callback: true)))
            },
            hasProviders: !providers.isEmpty, name: typed.name, issuer: typed.issuer, clientID: typed.clientID,
            redirectPattern: a.r.links.base + "/signin/oidc/NAME/callback")
        var page = AdminPage(title: "Sign-in settings", section: .settings, screen)
        page.errors = errors
        page.flash = controller.flash(a)
        return .personal(status: errors.isEmpty ? .ok : .unprocessableContent, body: controller.render(page, a))
    }

    func act(_ a: AdminRequest) async throws -> PageResult {
        guard a.can(.manageOptions) else { throw AdminRefusal.forbidden("change the site's settings") }
        let drey = controller.drey
        let siteID = a.r.site.id
        switch a.form["action"] ?? "" {
        case "methods":
            var values: [SettingKey: String] = [.signinIndieAuth: a.form["signin_indieauth"] == "1" ? "1" : "0"]
            if let email = SignInAdmin.emailKey { values[email] = a.form[email.rawValue] == "1" ? "1" : "0" }
            try await drey.siteService.set(values, siteID: siteID)
            return controller.done(a, .settings(section: "signin"), "Sign-in methods saved.")
        case "add":
            let typed = Typed(name: a.form["name"] ?? "", issuer: a.form["issuer"] ?? "", clientID: a.form["client_id"] ?? "")
            do {
                let provider = try await drey.signin.addProvider(
                    siteID: siteID, name: typed.name, issuer: typed.issuer, clientID: typed.clientID, clientSecret: a.form["client_secret"] ?? "")
                return controller.done(a, .settings(section: "signin"), "Provider \(provider.name) added.")
            } catch let error as SettingError {
                return try await show(a, errors: [error.message.prefix(1).uppercased() + error.message.dropFirst() + "."], typed: typed)
            }
        case "remove":
            let name = a.form["name"] ?? ""
            guard try await drey.signin.removeProvider(siteID: siteID, name: name) else {
                return try await show(a, errors: ["There is no provider called \(name)."])
            }
            return controller.done(a, .settings(section: "signin"), "Provider \(name) removed.")
        default:
            return try await show(a, errors: ["Choose what to do."])
        }
    }

    /// The readers' email sign-in setting, when this build has it.
    static var emailKey: SettingKey? { SettingKey(rawValue: "signin_email") }
}

/// What `settings-signin.mustache` shows.
struct SignInSettingsScreen: AdminBody {
    static let template = "settings-signin"

    struct Provider {
        let name: String
        let issuer: String
        let clientID: String
        let redirectURI: String
    }

    let emailAvailable: Bool
    let emailOn: Bool
    let indieAuthOn: Bool
    let providers: [Provider]
    let hasProviders: Bool
    // The add form as typed (never the secret).
    let name: String
    let issuer: String
    let clientID: String
    let redirectPattern: String
}
