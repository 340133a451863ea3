import Foundation

/// What a Webmention's source says about the post it links to (from its microformats).
public enum MentionKind: String, Sendable, Codable, CaseIterable {
    case reply, like, repost, bookmark, mention

    /// Likes and reposts are shown as faces beside the post; replies join the thread.
    public var isReaction: Bool { self == .like || self == .repost }
}

/// Where a received Webmention stands; its status URL shows this.
public enum WebmentionState: String, Sendable, Codable, CaseIterable {
    /// Accepted for checking; the verification job has not finished.
    case queued
    /// Verified and stored as a comment (which moderation may still hold).
    case accepted
    /// Not stored: the source does not link to the target, could not be fetched, or was refused.
    case rejected
    /// Was stored, then removed because the source went away or stopped linking.
    case deleted
}

/// A Webmention received for one of the site's posts: one row per source and target.
public struct ReceivedWebmention: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var siteID: Int64
    public var postID: Int64
    public var source: String
    public var target: String
    /// The secret part of the status URL.
    public var token: String
    public var state: WebmentionState
    public var kind: MentionKind
    public var authorName: String
    public var authorURL: String
    public var authorPhoto: String
    public var commentID: Int64?
    /// Why it was rejected or removed, or what was stored.
    public var detail: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64 = 0, siteID: Int64, postID: Int64, source: String, target: String, token: String,
        state: WebmentionState = .queued, kind: MentionKind = .mention, authorName: String = "", authorURL: String = "",
        authorPhoto: String = "", commentID: Int64? = nil, detail: String = "", createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.siteID = siteID
        self.postID = postID
        self.source = source
        self.target = target
        self.token = token
        self.state = state
        self.kind = kind
        self.authorName = authorName
        self.authorURL = authorURL
        self.authorPhoto = authorPhoto
        self.commentID = commentID
        self.detail = detail
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// How a link in one of our posts was (or was not) told about it.
public enum SendMethod: String, Sendable, Codable, CaseIterable { case webmention, pingback, none }

public enum SendState: String, Sendable, Codable, CaseIterable {
    /// A send job is queued or retrying.
    case pending
    /// The endpoint accepted it.
    case sent
    /// The target has no endpoint, or answered with a refusal or an error we gave up on.
    case failed
    /// Nothing to send: no endpoint was advertised.
    case unsupported
    /// The post no longer links there, and the page was told once by Webmention.
    case withdrawn
}

/// The result of telling one linked page about one of our posts; kept and shown to the author.
public struct SentLinkback: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var siteID: Int64
    public var postID: Int64
    public var target: String
    public var method: SendMethod
    public var endpoint: String
    public var state: SendState
    /// The endpoint's HTTP status, or 0 when none answered.
    public var httpStatus: Int
    public var detail: String
    public var attempts: Int
    public var updatedAt: Date

    public init(
        id: Int64 = 0, siteID: Int64, postID: Int64, target: String, method: SendMethod = .none, endpoint: String = "",
        state: SendState = .pending, httpStatus: Int = 0, detail: String = "", attempts: Int = 0, updatedAt: Date
    ) {
        self.id = id
        self.siteID = siteID
        self.postID = postID
        self.target = target
        self.method = method
        self.endpoint = endpoint
        self.state = state
        self.httpStatus = httpStatus
        self.detail = detail
        self.attempts = attempts
        self.updatedAt = updatedAt
    }
}

/// Received Webmentions, sent linkbacks, and the few comment queries linkbacks need.
public protocol LinkbackStore: Sendable {
    /// The row for this source and target, created queued, or reset to queued when it exists.
    func queueWebmention(siteID: Int64, postID: Int64, source: String, target: String, token: String, now: Date) async throws
        -> ReceivedWebmention
    func webmention(id: Int64) async throws -> ReceivedWebmention?
    func webmention(token: String) async throws -> ReceivedWebmention?
    func update(_ webmention: ReceivedWebmention) async throws
    func webmentions(postID: Int64) async throws -> [ReceivedWebmention]
    func webmentions(siteID: Int64, limit: Int) async throws -> [ReceivedWebmention]
    /// Whether any comment on the post, in any status, came from this URL (WordPress's fault 48 check).
    func hasPing(postID: Int64, from url: String) async throws -> Bool
    /// The comment a Pingback or Trackback from `source` made on the post, if any.
    func pingComment(postID: Int64, source: String) async throws -> Int64?
    /// Rewrites a linkback comment after its source changed; recounts the post.
    func updateLinkbackComment(id: Int64, authorName: String, authorURL: String, source: String, contentHTML: String)
        async throws

    /// The row for this post and target, created pending when missing.
    func sendRecord(siteID: Int64, postID: Int64, target: String, now: Date) async throws -> SentLinkback
    func update(_ sent: SentLinkback) async throws
    func sends(postID: Int64) async throws -> [SentLinkback]
    func sends(siteID: Int64, limit: Int) async throws -> [SentLinkback]
}
