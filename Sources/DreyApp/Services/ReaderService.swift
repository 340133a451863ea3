import Crypto
import DreyCore
import Foundation
import Logging

/// Readers' accounts and sessions. Every sign-in method (email, OpenID Connect, IndieAuth) ends in `signIn`, with what
/// it proved; staff accounts are never involved: a reader session opens no admin screen.
public struct ReaderService: Sendable {
    let store: any ReaderStore & AccountStore
    let clock: Clock
    let logger: Logger
    let mail: MailQueue
    let sites: SiteRegistry
    let changes: ChangeFeed
    /// Uploaded pictures live in `uploads/reader-faces` under it.
    let dataDirectory: String

    public static let sessionLifetime: TimeInterval = 30 * 86400
    /// A session's last-seen time is written at most this often: most requests only read it.
    public static let touchInterval: TimeInterval = 60

    /// The reader is blocked by the blog's owner: no new session.
    public struct Blocked: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "This account cannot sign in to this blog." }
    }

    /// Finds the reader `identity` names (by site, issuer and subject) or makes one, and opens a session.
    /// An identity is never joined to an existing reader, nor to a staff account, by its email: only (issuer, subject)
    /// names a reader. The email is kept only when the method verified it.
    public func signIn(siteID: Int64, identity: ReaderIdentity) async throws -> (session: ReaderSession, token: String) {
        let now = clock.now()
        let reader: Reader
        let record: ReaderIdentityRecord
        if let found = try await store.readerIdentity(siteID: siteID, issuer: identity.issuer, subject: identity.subject),
            let existing = try await store.reader(id: found.readerID, siteID: siteID)
        {
            guard existing.status == .active else { throw Blocked() }
            var updated = existing
            // A newly verified address (or a changed one) is taken; an unverified one never replaces anything.
            if identity.emailVerified, let email = Self.normalisedEmail(identity.email), email != existing.email {
                updated.email = email
                updated.emailVerifiedAt = now
            }
            if updated != existing { try await store.updateReader(updated) }
            try await store.touchReaderIdentity(id: found.id, at: now)
            reader = updated
            record = found
        } else {
            let email = identity.emailVerified ? Self.normalisedEmail(identity.email) : nil
            let fresh = Reader(
                siteID: siteID, name: Self.displayName(identity), email: email, emailVerifiedAt: email == nil ? nil : now,
                website: Self.website(identity.website), status: .active, createdAt: now)
            let created = try await store.createReader(fresh, identity: identity, at: now)
            reader = created.0
            record = created.1
            logger.info("new reader", metadata: ["reader": "\(reader.id)", "provider": "\(identity.provider)"])
        }
        let token = Self.randomToken()
        let expires = now.addingTimeInterval(Self.sessionLifetime)
        try await store.createReaderSession(
            tokenHash: Self.hash(token), siteID: siteID, readerID: reader.id, identityID: record.id, at: now, expiresAt: expires)
        let session = ReaderSession(reader: reader, provider: record.provider, identityID: record.id, expiresAt: expires, lastSeenAt: now)
        return (session, token)
    }

    /// The live session a cookie's token names on this site; nil when unknown, expired or the reader is blocked.
    public func session(siteID: Int64, token: String) async throws -> ReaderSession? {
        guard token.count >= 20, token.count <= 100 else { return nil }
        let hash = Self.hash(token)
        guard var session = try await store.readerSession(tokenHash: hash, siteID: siteID) else { return nil }
        let now = clock.now()
        guard session.expiresAt > now, session.reader.status == .active else { return nil }
        if now.timeIntervalSince(session.lastSeenAt) >= Self.touchInterval {
            try await store.touchReaderSession(tokenHash: hash, at: now)
            session.lastSeenAt = now
            session.reader.lastSeenAt = now
        }
        return session
    }

    public func signOut(siteID: Int64, token: String) async throws {
        guard token.count <= 100 else { return }
        try await store.deleteReaderSession(tokenHash: Self.hash(token))
    }

    static func normalisedEmail(_ email: String?) -> String? {
        guard let email = email?.trimmingCharacters(in: .whitespaces).lowercased(), UserService.isValidEmail(email) else { return nil }
        return email
    }

    static func website(_ url: String?) -> String? {
        guard let url, let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "https" || scheme == "http",
            parsed.host != nil, url.count <= 500
        else { return nil }
        return url
    }

    /// The name a new reader starts with: what the method said, else the address's or website's first part.
    static func displayName(_ identity: ReaderIdentity) -> String {
        let said = (identity.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines).filter { !$0.isNewline }
        if !said.isEmpty { return String(said.prefix(100)) }
        if let email = identity.email, let local = email.split(separator: "@").first, !local.isEmpty { return String(local.prefix(100)) }
        if let site = identity.website.flatMap(URL.init(string:))?.host { return site }
        return "Reader"
    }

    package static func randomToken() -> String { AuthService.randomToken() }
    package static func hash(_ token: String) -> String { AuthService.hash(token) }
}
