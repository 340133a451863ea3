import Foundation

/// A person with an account; users are global, a membership gives them a role on a site.
public struct User: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var email: String
    public var login: String
    public var displayName: String
    public var url: String
    /// Bcrypt hash; empty for accounts that cannot sign in with a password (imported authors).
    public var passwordHash: String
    public var active: Bool

    public init(
        id: Int64 = 0, email: String, login: String, displayName: String, url: String = "",
        passwordHash: String = "", active: Bool = true
    ) {
        self.id = id
        self.email = email
        self.login = login
        self.displayName = displayName
        self.url = url
        self.passwordHash = passwordHash
        self.active = active
    }
}

public struct Membership: Sendable, Equatable {
    public var siteID: Int64
    public var userID: Int64
    public var role: Role

    public init(siteID: Int64, userID: Int64, role: Role) {
        self.siteID = siteID
        self.userID = userID
        self.role = role
    }
}

/// A blog served by this installation, found by the Host header.
public struct Site: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var host: String
    public var settings: SiteSettings

    public init(id: Int64, host: String, settings: SiteSettings) {
        self.id = id
        self.host = host
        self.settings = settings
    }
}
