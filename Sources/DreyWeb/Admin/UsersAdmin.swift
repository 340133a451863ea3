import DreyApp
import DreyCore
import DreyStore
import Foundation

/// Inviting people, changing roles, deactivating accounts: administrators only.
struct UsersAdmin {
    let controller: AdminController
    var store: SQLStore { controller.drey.store }

    func list(_ a: AdminRequest, errors: [String] = [], typed: [String: String] = [:]) async throws -> PageResult {
        guard a.can(.listUsers) else { throw AdminRefusal.forbidden("manage users") }
        let members = try await store.members(siteID: a.r.site.id)
        let rows = members.map { u, role in
            UsersScreen.Row(
                id: u.id, name: u.displayName, login: u.login, email: u.email, active: u.active, isMe: u.id == a.user.id,
                roles: Self.roleOptions(selected: role.rawValue), roleName: role.rawValue.capitalized)
        }
        var page = AdminPage(
            title: "Users", section: .users,
            UsersScreen(
                rows: rows, inviteEmail: typed["email"] ?? "", inviteName: typed["name"] ?? "",
                roles: Self.roleOptions(selected: typed["role"] ?? "author")))
        page.errors = errors
        page.flash = controller.flash(a)
        return .personal(status: errors.isEmpty ? .ok : .unprocessableContent, body: controller.render(page, a))
    }

    static func roleOptions(selected: String) -> [AdminOption] {
        Role.allCases.map { AdminOption(value: $0.rawValue, label: $0.rawValue.capitalized, selected: $0.rawValue == selected) }
    }

    func act(_ a: AdminRequest) async throws -> PageResult {
        guard a.can(.promoteUsers) else { throw AdminRefusal.forbidden("manage users") }
        let site = a.r.site.id
        switch a.form["action"] ?? "" {
        case "invite":
            let email = a.form["email"] ?? ""
            let name = a.form["name"] ?? ""
            guard let role = Role(rawValue: a.form["role"] ?? "") else { return try await list(a, errors: ["Choose a role."], typed: a.form.fields) }
            do {
                let user = try await controller.drey.users.add(email: email, name: name, role: role, password: nil, siteID: site)
                try await controller.auth.invite(user, siteID: site, baseURL: a.r.canonicalBase)
                return controller.done(a, .users, "Invited \(user.email) as \(role.rawValue); a link to choose a password was sent.")
            } catch let error as SettingError {
                return try await list(a, errors: [error.message], typed: a.form.fields)
            }
        case "role":
            guard let id = a.form["id"].flatMap(Int64.init), let role = Role(rawValue: a.form["role"] ?? "") else {
                throw AdminRefusal(status: 422, message: "Choose a person and a role.")
            }
            if id == a.user.id && role != .administrator { return try await list(a, errors: ["You cannot take away your own administrator role."]) }
            try await store.setRole(role, userID: id, siteID: site)
            return controller.done(a, .users, "Role changed to \(role.rawValue).")
        case "deactivate", "activate":
            guard let id = a.form["id"].flatMap(Int64.init), try await store.role(userID: id, siteID: site) != nil else {
                throw AdminRefusal(status: 404, message: "There is no such user on this site.")
            }
            if id == a.user.id { return try await list(a, errors: ["You cannot deactivate your own account."]) }
            let active = a.form["action"] == "activate"
            try await store.setActive(active, userID: id)
            if !active { try await store.deleteSessions(userID: id) }
            return controller.done(a, .users, active ? "Account reactivated." : "Account deactivated and signed out everywhere.")
        default:
            throw AdminRefusal(status: 422, message: "Unknown action.")
        }
    }
}

/// The members of the site and the invitation form.
struct UsersScreen: AdminBody {
    static let template = "users"

    /// A member; `roleName` is shown instead of the role form on the person's own row.
    struct Row {
        let id: Int64
        let name: String
        let login: String
        let email: String
        let active: Bool
        let isMe: Bool
        let roles: [AdminOption]
        let roleName: String
    }

    let rows: [Row]
    let inviteEmail: String
    let inviteName: String
    let roles: [AdminOption]
}
