import DreyCore
import DreyStore
import Foundation
import HummingbirdBcrypt

/// Accounts and their roles.
public struct UserService: Sendable {
    let store: any UserStore

    public static func isValidEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), email.count <= 254
        else { return false }
        return !email.contains(where: { $0.isWhitespace || $0.isNewline || "<>()[]\\,;:\"".contains($0) })
    }

    /// Creates a user (or finds the one with this email) and gives them `role` on the site.
    public func add(email: String, name: String, login: String? = nil, role: Role, password: String?, siteID: Int64) async throws -> User {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard Self.isValidEmail(email) else { throw SettingError("'\(email)' is not a valid email address") }
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100 else { throw SettingError("name must be 1 to 100 characters") }
        if let password, password.count < 8 { throw SettingError("password must be at least 8 characters") }
        if let existing = try await store.user(email: email) {
            try await store.setRole(role, userID: existing.id, siteID: siteID)
            return existing
        }
        var loginBase = Slug.make(from: login ?? String(email.split(separator: "@")[0]))
        if loginBase.isEmpty { loginBase = "user" }
        let uniqueLogin = try await Slug.unique(loginBase) { try await store.user(login: $0) != nil }
        let hash: String
        if let password {
            hash = try await BlockingWork.run { Bcrypt.hash(password, cost: 10) }
        } else {
            hash = ""
        }
        let user = try await store.createUser(User(email: email, login: uniqueLogin, displayName: name, passwordHash: hash))
        try await store.setRole(role, userID: user.id, siteID: siteID)
        return user
    }
}
