import DreyCore
import DreyStore
import Foundation

/// Readers' likes: one per reader and post, undoable, at most 60 a minute per reader. A like changes the post's
/// public page (the count and the faces), so it goes through the change feed like any write pages show.
public struct LikeService: Sendable {
    let store: any LikeStore & PostStore
    let changes: ChangeFeed
    let clock: Clock
    let limiter: RateLimiter

    public static let perMinute = 60

    init(store: any LikeStore & PostStore, changes: ChangeFeed, clock: Clock) {
        self.store = store
        self.changes = changes
        self.clock = clock
        self.limiter = RateLimiter(burst: Self.perMinute, per: 60.0 / Double(Self.perMinute), clock: clock)
    }

    public enum Outcome: Sendable, Equatable {
        case liked, unliked, unchanged
    }

    public struct Refusal: Error, Sendable, Equatable {
        public var message: String
        public var status: Int
    }

    /// Sets whether `readerID` likes the post; asking for the state it is already in changes nothing.
    public func set(_ like: Bool, postID: Int64, readerID: Int64, siteID: Int64) async throws -> Outcome {
        guard let post = try await store.post(id: postID, siteID: siteID), post.isVisible(at: clock.now()), post.password.isEmpty else {
            throw Refusal(message: "That post does not exist.", status: 404)
        }
        guard limiter.allow(["reader:\(readerID)"]) else {
            throw Refusal(message: "That is a lot of likes in a minute; please wait a little.", status: 429)
        }
        let now = clock.now()
        return try await changes.commit { [store] in
            let changed =
                like
                ? try await store.like(postID: postID, readerID: readerID, siteID: siteID, now: now)
                : try await store.unlike(postID: postID, readerID: readerID)
            let outcome: Outcome = changed ? (like ? .liked : .unliked) : .unchanged
            return (outcome, changed ? [(siteID, SiteChange.post(postID, listed: false))] : [])
        }
    }

    /// The like form's token for one reader: a page of another site cannot make a signed-in reader like anything.
    public static func formToken(readerID: Int64, signer: Signer) -> String { signer.signature("reader:\(readerID)", purpose: .likeForm) }

    public func hasLiked(postID: Int64, readerID: Int64) async throws -> Bool { try await store.hasLiked(postID: postID, readerID: readerID) }
    public func count(postID: Int64) async throws -> Int { try await store.likeCount(postID: postID) }
    public func likers(postID: Int64, limit: Int = 50) async throws -> [Liker] { try await store.likers(postID: postID, limit: limit) }
}

extension Signer.Purpose {
    static let likeForm = Signer.Purpose(name: "like-form")
}
