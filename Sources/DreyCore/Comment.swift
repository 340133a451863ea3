import Foundation

public enum CommentType: String, Sendable, Codable, CaseIterable {
    case comment, pingback, trackback, webmention

    /// Pingbacks, trackbacks and webmentions are listed apart from the conversation.
    public var isLinkback: Bool { self != .comment }
}

public enum CommentStatus: String, Sendable, Codable, CaseIterable { case pending, approved, spam, trash }

public struct Comment: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var siteID: Int64
    public var postID: Int64
    public var parentID: Int64?
    public var type: CommentType
    public var status: CommentStatus
    public var authorName: String
    public var authorEmail: String
    public var authorURL: String
    public var authorIP: String
    public var userAgent: String
    public var userID: Int64?
    public var source: String
    public var contentHTML: String
    public var createdAt: Date
    /// Why the discussion rules decided `status` ("held: 3 links"), for moderators.
    public var moderationNote: String
    /// The spam filter's combined score, 0…1; nil when the filter did not judge it (operator, import, staff).
    public var spamScore: Double?
    /// The signed-in reader who wrote it, as far as the read that made it says: only a post page's read for display
    /// asks (`SQLStore.comments(postID:statuses:forDisplay:)`); nil otherwise.
    public var readerID: Int64?

    public init(
        id: Int64 = 0, siteID: Int64, postID: Int64, parentID: Int64? = nil, type: CommentType = .comment,
        status: CommentStatus = .pending, authorName: String, authorEmail: String = "", authorURL: String = "",
        authorIP: String = "", userAgent: String = "", userID: Int64? = nil, source: String,
        contentHTML: String = "", createdAt: Date, moderationNote: String = "", spamScore: Double? = nil, readerID: Int64? = nil
    ) {
        self.id = id
        self.siteID = siteID
        self.postID = postID
        self.parentID = parentID
        self.type = type
        self.status = status
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.authorURL = authorURL
        self.authorIP = authorIP
        self.userAgent = userAgent
        self.userID = userID
        self.source = source
        self.contentHTML = contentHTML
        self.createdAt = createdAt
        self.moderationNote = moderationNote
        self.spamScore = spamScore
        self.readerID = readerID
    }
}
