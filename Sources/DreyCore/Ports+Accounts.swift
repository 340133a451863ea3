import Foundation

/// A signed-in browser; the cookie holds a random token, the table only its hash.
public struct SessionRecord: Sendable, Equatable {
    public var id: String
    public var userID: Int64
    public var createdAt: Date
    public var expiresAt: Date

    public init(id: String, userID: Int64, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.userID = userID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Sign-in: sessions, password resets, the throttle's failure counts and password hashes.
public protocol AccountStore: Sendable {
    func createSession(idHash: String, userID: Int64, expiresAt: Date, ip: String, userAgent: String) async throws
    func session(idHash: String) async throws -> SessionRecord?
    func deleteSession(idHash: String) async throws
    func deleteSessions(userID: Int64) async throws
    func recordLoginFailure(keys: [String], at date: Date) async throws
    func loginFailures(key: String, since: Date) async throws -> Int
    func clearLoginFailures(key: String) async throws
    func createPasswordReset(idHash: String, userID: Int64, expiresAt: Date) async throws
    func deletePasswordReset(idHash: String) async throws
    /// The user of a reset that is still usable, which is used up by this call; nil when it is not.
    func consumePasswordReset(idHash: String, now: Date) async throws -> Int64?
    func passwordResetIsUsable(idHash: String, now: Date) async throws -> Bool
    func setPassword(hash: String, userID: Int64) async throws
}

/// A comment form's nonce was used already: the comment is a replay and nothing was stored.
public struct FormTokenSpent: Error {
    public init() {}
}
