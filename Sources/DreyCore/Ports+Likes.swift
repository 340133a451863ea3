import Foundation

/// A reader who likes a post, as the post shows them: name, face and site, nothing else.
public struct Liker: Sendable, Equatable {
    public var readerID: Int64
    public var name: String
    /// Used only to pick the reader's generated face (never shown).
    public var email: String?
    public var website: String?
    /// An uploaded picture's stored name.
    public var avatar: String?
    public var likedAt: Date

    public init(readerID: Int64, name: String, email: String?, website: String?, avatar: String?, likedAt: Date) {
        self.readerID = readerID
        self.name = name
        self.email = email
        self.website = website
        self.avatar = avatar
        self.likedAt = likedAt
    }
}

/// Readers' likes of posts: one per reader and post.
public protocol LikeStore: Sendable {
    /// True when the like is new.
    func like(postID: Int64, readerID: Int64, siteID: Int64, now: Date) async throws -> Bool
    /// True when there was a like to take back.
    func unlike(postID: Int64, readerID: Int64) async throws -> Bool
    func hasLiked(postID: Int64, readerID: Int64) async throws -> Bool
    func likeCount(postID: Int64) async throws -> Int
    /// The first `limit` likers, oldest like first; blocked readers are left out.
    func likers(postID: Int64, limit: Int) async throws -> [Liker]
}
