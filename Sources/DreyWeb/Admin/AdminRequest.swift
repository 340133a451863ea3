import DreyApp
import DreyCore
import DreyRender
import Foundation

/// A request from a signed-in member of the site.
struct AdminRequest: Sendable {
    let r: SiteRequest
    let user: User
    let role: Role
    let sessionToken: String
    let form: FormData

    var csrf: String { Self.csrf(r.signer, sessionToken) }

    static func csrf(_ signer: Signer, _ sessionToken: String) -> String {
        signer.signature(AuthService.hash(sessionToken), purpose: .csrf)
    }

    func can(_ capability: Capability) -> Bool { role.can(capability) }
}

/// Refusals a signed-in person may meet, each with the sentence they read.
struct AdminRefusal: Error {
    let status: HTTPStatusCode
    let message: String

    static func forbidden(_ what: String) -> AdminRefusal {
        AdminRefusal(status: 403, message: "Sorry, you are not allowed to \(what).")
    }

    static let badToken = AdminRefusal(
        status: 403,
        message: "The form has expired or did not come from this site (missing or wrong security token). Go back, reload the page and try again.")
}
