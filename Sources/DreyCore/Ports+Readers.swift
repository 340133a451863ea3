import Foundation

/// Someone who reads a blog and signed in to it (to comment as themselves, like, follow): never a staff account.
public struct Reader: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable { case active, blocked }

    public var id: Int64
    public var siteID: Int64
    public var name: String
    /// Set only from an address a sign-in method verified.
    public var email: String?
    public var emailVerifiedAt: Date?
    public var website: String?
    /// The stored name of a picture the reader uploaded; nil for the blog's generated face.
    public var avatar: String?
    public var status: Status
    public var createdAt: Date
    public var lastSeenAt: Date?

    public init(
        id: Int64 = 0, siteID: Int64, name: String, email: String? = nil, emailVerifiedAt: Date? = nil, website: String? = nil,
        avatar: String? = nil, status: Status = .active, createdAt: Date = Date(), lastSeenAt: Date? = nil
    ) {
        self.id = id
        self.siteID = siteID
        self.name = name
        self.email = email
        self.emailVerifiedAt = emailVerifiedAt
        self.website = website
        self.avatar = avatar
        self.status = status
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }
}

/// What a sign-in method proved about a person: who vouches (`issuer`) and for whom (`subject`), and what it said.
public struct ReaderIdentity: Sendable, Equatable, Codable {
    public enum Method: String, Sendable, Codable, CaseIterable { case email, oidc, indieauth }

    public var method: Method
    /// Email sign-in: "email"; OpenID Connect: the provider's issuer URL; IndieAuth: the authorization server's issuer.
    public var issuer: String
    /// Unique under the issuer: the (lowercased) address, the OIDC `sub`, the IndieAuth `me` URL.
    public var subject: String
    /// The name shown to the reader: "email", an OIDC provider's name, "website".
    public var provider: String
    public var name: String?
    public var email: String?
    /// Only a verified email is ever kept on the reader.
    public var emailVerified: Bool
    public var website: String?
    /// A picture's URL as the provider gave it.
    public var picture: String?

    public init(
        method: Method, issuer: String, subject: String, provider: String, name: String? = nil, email: String? = nil,
        emailVerified: Bool = false, website: String? = nil, picture: String? = nil
    ) {
        self.method = method
        self.issuer = issuer
        self.subject = subject
        self.provider = provider
        self.name = name
        self.email = email
        self.emailVerified = emailVerified
        self.website = website
        self.picture = picture
    }
}

/// A stored sign-in method of a reader.
public struct ReaderIdentityRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var readerID: Int64
    public var method: ReaderIdentity.Method
    public var issuer: String
    public var subject: String
    public var provider: String
    public var createdAt: Date
    public var lastUsedAt: Date

    public init(
        id: Int64, readerID: Int64, method: ReaderIdentity.Method, issuer: String, subject: String, provider: String, createdAt: Date,
        lastUsedAt: Date
    ) {
        self.id = id
        self.readerID = readerID
        self.method = method
        self.issuer = issuer
        self.subject = subject
        self.provider = provider
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}

/// A signed-in reader, as a request sees them.
public struct ReaderSession: Sendable, Equatable {
    public var reader: Reader
    /// The provider of the identity this session was opened with, shown in "You are commenting using your … account".
    public var provider: String
    public var identityID: Int64
    public var expiresAt: Date
    public var lastSeenAt: Date

    public init(reader: Reader, provider: String, identityID: Int64, expiresAt: Date, lastSeenAt: Date) {
        self.reader = reader
        self.provider = provider
        self.identityID = identityID
        self.expiresAt = expiresAt
        self.lastSeenAt = lastSeenAt
    }
}

/// An email sign-in's link and code as stored: hashes only.
public struct ReaderSignInCode: Sendable, Equatable {
    public var tokenHash: String
    public var siteID: Int64
    public var email: String
    public var codeHash: String
    public var attempts: Int
    public var returnTo: String
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?

    public init(
        tokenHash: String, siteID: Int64, email: String, codeHash: String, attempts: Int = 0, returnTo: String, createdAt: Date,
        expiresAt: Date, usedAt: Date? = nil
    ) {
        self.tokenHash = tokenHash
        self.siteID = siteID
        self.email = email
        self.codeHash = codeHash
        self.attempts = attempts
        self.returnTo = returnTo
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }
}

/// One row of the readers admin list.
public struct ReaderListRow: Sendable, Equatable {
    public var reader: Reader
    /// The providers of the reader's identities ("email", "Google", "website"), oldest first.
    public var providers: [String]

    public init(reader: Reader, providers: [String]) {
        self.reader = reader
        self.providers = providers
    }
}

/// A signed-in browser as its reader's export shows it (never the token or its hash).
public struct ReaderSessionInfo: Sendable, Equatable, Codable {
    public var provider: String
    public var createdAt: Date
    public var expiresAt: Date
    public var lastSeenAt: Date

    public init(provider: String, createdAt: Date, expiresAt: Date, lastSeenAt: Date) {
        self.provider = provider
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastSeenAt = lastSeenAt
    }
}

/// A comment as its reader's export shows it.
public struct ReaderComment: Sendable, Equatable, Codable {
    public var id: Int64
    public var postID: Int64
    public var status: String
    public var authorName: String
    public var authorEmail: String
    public var authorURL: String
    public var text: String
    public var createdAt: Date

    public init(
        id: Int64, postID: Int64, status: String, authorName: String, authorEmail: String, authorURL: String, text: String, createdAt: Date
    ) {
        self.id = id
        self.postID = postID
        self.status = status
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.authorURL = authorURL
        self.text = text
        self.createdAt = createdAt
    }
}

/// Readers, their sign-in methods and sessions, and email sign-in codes.
public protocol ReaderStore: Sendable {
    /// The reader an identity belongs to (by site, issuer and subject), if any.
    func readerIdentity(siteID: Int64, issuer: String, subject: String) async throws -> ReaderIdentityRecord?
    /// A new reader with its first identity, in one transaction.
    func createReader(_ reader: Reader, identity: ReaderIdentity, at date: Date) async throws -> (Reader, ReaderIdentityRecord)
    /// Another sign-in method for an existing reader.
    func addReaderIdentity(readerID: Int64, siteID: Int64, identity: ReaderIdentity, at date: Date) async throws -> ReaderIdentityRecord
    func touchReaderIdentity(id: Int64, at date: Date) async throws
    func reader(id: Int64, siteID: Int64) async throws -> Reader?
    func readerIdentities(readerID: Int64) async throws -> [ReaderIdentityRecord]
    func updateReader(_ reader: Reader) async throws
    func setReaderStatus(_ status: Reader.Status, readerID: Int64, siteID: Int64) async throws
    /// Removes the reader (identities and sessions go with it); their comments stay, unlinked.
    func deleteReader(id: Int64, siteID: Int64) async throws
    func readers(siteID: Int64, limit: Int, offset: Int) async throws -> [ReaderListRow]
    func readerCount(siteID: Int64) async throws -> Int

    func createReaderSession(tokenHash: String, siteID: Int64, readerID: Int64, identityID: Int64, at date: Date, expiresAt: Date) async throws
    /// The live session (reader and identity joined), or nil; expiry is the caller's to check.
    func readerSession(tokenHash: String, siteID: Int64) async throws -> ReaderSession?
    func touchReaderSession(tokenHash: String, at date: Date) async throws
    func deleteReaderSession(tokenHash: String) async throws
    func deleteReaderSessions(readerID: Int64) async throws
    func readerSessions(readerID: Int64) async throws -> [ReaderSessionInfo]
    /// Forgets sessions and sign-in codes that ended before `date`; returns how many rows went.
    func pruneReaderSessions(before date: Date) async throws -> Int

    func createSignInCode(_ code: ReaderSignInCode) async throws
    func signInCode(tokenHash: String) async throws -> ReaderSignInCode?
    /// The newest unused code sent to `email` on the site.
    func latestSignInCode(siteID: Int64, email: String) async throws -> ReaderSignInCode?
    /// Counts one wrong code; returns the attempts now recorded.
    func recordSignInCodeAttempt(tokenHash: String) async throws -> Int
    /// Marks the code used if it still is usable at `now` (unused, unexpired, under `maxAttempts`); true when this call used it.
    func consumeSignInCode(tokenHash: String, now: Date, maxAttempts: Int) async throws -> Bool
    func deleteSignInCode(tokenHash: String) async throws

    /// The reader's comments, newest first, for their export and for refreshing the pages that show them.
    func readerComments(readerID: Int64, siteID: Int64) async throws -> [ReaderComment]
    /// The readers who wrote comments on a post, by comment ID.
    func commentReaders(postID: Int64) async throws -> [Int64: Reader]
    /// Ties a stored comment to the reader who wrote it (inside the comment's own transaction).
    func linkComment(id: Int64, readerID: Int64) async throws
    /// How many of the reader's comments were approved and marked spam: their reputation with the spam filter.
    func readerHistory(siteID: Int64, readerID: Int64) async throws -> Reputation.Counts
}
