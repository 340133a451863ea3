import DreyCore
import Foundation
import Logging

/// A reader's likes and follows as `/account` shows, exports and deletes them. Follows belong to an address, not to
/// an account, so a reader's follows are those of the address a sign-in method verified, and nothing else.
public struct ReaderDataService: Sendable {
    let store: any ReaderDataStore & FollowStore & LikeStore & PostStore
    let changes: ChangeFeed
    let clock: Clock
    let logger: Logger

    /// The follower row of the reader's verified address, if it ever followed anything.
    public func subscriber(of reader: Reader) async throws -> Subscriber? {
        guard let email = reader.email, reader.emailVerifiedAt != nil else { return nil }
        return try await store.subscriber(siteID: reader.siteID, email: email)
    }

    public func likes(of reader: Reader) async throws -> [(post: Post, at: Date)] {
        var found: [(post: Post, at: Date)] = []
        for like in try await store.readerLikes(readerID: reader.id) {
            if let post = try await store.post(id: like.postID, siteID: reader.siteID) { found.append((post, like.likedAt)) }
        }
        return found
    }

    public func threads(of subscriber: Subscriber) async throws -> [(post: Post, since: Date)] {
        var found: [(post: Post, since: Date)] = []
        for thread in try await store.followedThreads(subscriberID: subscriber.id) {
            if let post = try await store.post(id: thread.postID, siteID: subscriber.siteID) { found.append((post, thread.since)) }
        }
        return found
    }

    public func consents(of subscriber: Subscriber) async throws -> [FollowConsent] { try await store.consents(subscriberID: subscriber.id) }

    /// The reader stops following the blog (new posts) or one thread from `/account`; recorded as any consent taken back.
    /// False when their address followed no such thing.
    public func unfollow(_ reader: Reader, scope: FollowService.Scope, page: String, ip: String) async throws -> Bool {
        guard let subscriber = try await subscriber(of: reader), subscriber.status == .confirmed else { return false }
        switch scope {
        case .blog: guard subscriber.followsBlog else { return false }
        case .thread(let postID): guard try await store.isFollowingThread(subscriberID: subscriber.id, postID: postID) else { return false }
        }
        let now = clock.now()
        try await store.inTransaction { [store] in
            try await store.record(
                FollowConsent(action: .unsubscribed, scope: scope.text, page: page, wording: "Stop following (your account)", ip: ip, createdAt: now),
                subscriberID: subscriber.id, siteID: reader.siteID)
            switch scope {
            case .blog: try await store.setFollowsBlog(false, subscriberID: subscriber.id)
            case .thread(let postID): try await store.unfollowThread(subscriberID: subscriber.id, postID: postID)
            }
        }
        return true
    }

    /// What deleting the account does to likes and follows: the likes go (the posts' pages refresh to the new counts),
    /// the address follows nothing more and is replaced by a pseudonym, and its consent records keep when and which
    /// words but no address or IP.
    public func forgetLikes(_ reader: Reader) async throws {
        let liked = try await store.readerLikes(readerID: reader.id)
        if !liked.isEmpty {
            try await changes.commit { [store] in
                for like in liked { _ = try await store.unlike(postID: like.postID, readerID: reader.id) }
                return ((), liked.map { (reader.siteID, SiteChange.post($0.postID, listed: false)) })
            }
        }
    }

    public func forgetFollows(_ reader: Reader) async throws {
        guard let subscriber = try await subscriber(of: reader) else { return }
        let now = clock.now()
        try await store.inTransaction { [store] in
            try await store.record(
                FollowConsent(action: .unsubscribed, scope: "blog", page: "account", wording: "Account deleted", ip: "", createdAt: now),
                subscriberID: subscriber.id, siteID: reader.siteID)
            try await store.pseudonymiseSubscriber(id: subscriber.id, pseudonym: "deleted reader #\(reader.id)", now: now)
        }
        logger.info("a deleted reader's follows ended and consents pseudonymised", metadata: ["subscriber": "\(subscriber.id)"])
    }
}

extension Drey {
    public var readerData: ReaderDataService { ReaderDataService(store: store, changes: changes, clock: config.clock, logger: logger) }
}
