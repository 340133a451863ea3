import Foundation

/// What the spam filter keeps and asks of the database: per-site models, used form tokens, the commenters'
/// history, rate counts, counted discards, and the purge of old spam.
public protocol SpamStore: Sendable {
    /// The stored model's version, or nil when the site has none yet (it uses the seed model).
    func spamModelVersion(siteID: Int64) async throws -> Int64?
    func spamModel(siteID: Int64) async throws -> (version: Int64, data: Data?)?
    /// Read-modify-write of a site's model under a row lock, so lessons learned by two processes at once both count.
    /// `body` receives the stored bytes (nil when none) and returns the new ones; returns the new version.
    @discardableResult
    func updateSpamModel(siteID: Int64, now: Date, _ body: @escaping @Sendable (Data?) throws -> Data) async throws -> Int64
    /// Marks a form token's nonce used; false when it was used before (a replay).
    func useFormToken(siteID: Int64, nonce: String, expiresAt: Date) async throws -> Bool
    /// True when a form token's nonce was used already.
    func isFormTokenUsed(siteID: Int64, nonce: String) async throws -> Bool
    /// Forgets nonces whose tokens have expired anyway.
    @discardableResult
    func purgeFormTokens(before: Date) async throws -> Int
    func reputation(siteID: Int64, email: String, ip: String, websiteHost: String) async throws -> Reputation
    /// Comments (any status) from an IP or with an email since a time: rate limits count what was stored.
    func commentCount(siteID: Int64, ip: String?, email: String?, since: Date) async throws -> Int
    /// The newest comment from this IP or with this email (WordPress's flood check).
    func lastCommentTime(siteID: Int64, ip: String, email: String) async throws -> Date?
    /// Deletes spam created before `before`; returns how many.
    @discardableResult
    func purgeSpam(siteID: Int64, before: Date) async throws -> Int
    func countDiscard(siteID: Int64, day: String, reason: String) async throws
    /// Discards counted on or after `sinceDay` (YYYY-MM-DD), by day and reason.
    func discards(siteID: Int64, sinceDay: String) async throws -> [(day: String, reason: String, count: Int)]
    func commentStatusCounts(siteID: Int64) async throws -> [CommentStatus: Int]
}
