import Foundation

/// A post a reader likes, as `/account` and the export show it.
public struct ReaderLike: Sendable, Equatable {
    public var postID: Int64
    public var likedAt: Date

    public init(postID: Int64, likedAt: Date) {
        self.postID = postID
        self.likedAt = likedAt
    }
}

/// A thread an address follows.
public struct FollowedThread: Sendable, Equatable {
    public var postID: Int64
    public var since: Date

    public init(postID: Int64, since: Date) {
        self.postID = postID
        self.since = since
    }
}

/// What `/account` needs of likes and follows beyond what the like and follow forms use.
public protocol ReaderDataStore: Sendable {
    func readerLikes(readerID: Int64) async throws -> [ReaderLike]
    func followedThreads(subscriberID: Int64) async throws -> [FollowedThread]
    /// Ends every follow of the subscriber and replaces its address by `pseudonym` and every consent's IP by nothing:
    /// the consent records stay (when, what, which words) without saying whose they were.
    func pseudonymiseSubscriber(id: Int64, pseudonym: String, now: Date) async throws
}
