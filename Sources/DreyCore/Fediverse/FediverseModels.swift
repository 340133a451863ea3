import Foundation

/// An actor's key pair, PEM-encoded (PKCS#8 private, SubjectPublicKeyInfo public).
public struct FediverseKey: Sendable, Equatable {
    public var privatePEM: String
    public var publicPEM: String
    public var createdAt: Date

    public init(privatePEM: String, publicPEM: String, createdAt: Date) {
        self.privatePEM = privatePEM
        self.publicPEM = publicPEM
        self.createdAt = createdAt
    }
}

/// Someone on another server, as their actor document described them when last fetched.
public struct RemoteActor: Sendable, Equatable {
    public var uri: String
    public var keyID: String
    public var publicPEM: String
    public var inbox: String
    public var sharedInbox: String
    public var name: String
    /// `user@host`, from `preferredUsername` and the actor's host.
    public var handle: String
    /// Their profile page, for people.
    public var url: String
    public var icon: String
    public var fetchedAt: Date

    public init(
        uri: String, keyID: String = "", publicPEM: String = "", inbox: String = "", sharedInbox: String = "", name: String = "",
        handle: String = "", url: String = "", icon: String = "", fetchedAt: Date
    ) {
        self.uri = uri
        self.keyID = keyID
        self.publicPEM = publicPEM
        self.inbox = inbox
        self.sharedInbox = sharedInbox
        self.name = name
        self.handle = handle
        self.url = url
        self.icon = icon
        self.fetchedAt = fetchedAt
    }

    /// Where deliveries go: the shared inbox when the server has one (one request for all its followers).
    public var deliveryInbox: String { sharedInbox.isEmpty ? inbox : sharedInbox }
}

/// A remote actor following one of ours.
public struct Follower: Sendable, Equatable {
    public var id: Int64
    public var siteID: Int64
    public var actor: FediverseActor
    public var remoteURI: String
    public var inbox: String
    public var followID: String
    public var createdAt: Date

    public init(id: Int64 = 0, siteID: Int64, actor: FediverseActor, remoteURI: String, inbox: String, followID: String, createdAt: Date) {
        self.id = id
        self.siteID = siteID
        self.actor = actor
        self.remoteURI = remoteURI
        self.inbox = inbox
        self.followID = followID
        self.createdAt = createdAt
    }
}

public enum ReactionKind: String, Sendable, CaseIterable {
    case like
    case announce
}

public enum BlockKind: String, Sendable, CaseIterable {
    /// A whole server, by host name (its subdomains too).
    case domain
    /// One actor, by id.
    case actor
}

/// The fediverse's tables. Likes and boosts from the fediverse live here, apart from the `likes` of signed-in readers.
public protocol FediverseStore: Sendable {
    func fediverseKey(siteID: Int64, actor: FediverseActor) async throws -> FediverseKey?
    /// Stores the key only if the actor has none yet; returns the one stored (a concurrent first use may have won).
    func insertFediverseKey(_ key: FediverseKey, siteID: Int64, actor: FediverseActor) async throws -> FediverseKey
    /// Replaces the key (rotation).
    func replaceFediverseKey(_ key: FediverseKey, siteID: Int64, actor: FediverseActor) async throws

    func remoteActor(uri: String) async throws -> RemoteActor?
    func remoteActor(keyID: String) async throws -> RemoteActor?
    func saveRemoteActor(_ actor: RemoteActor) async throws
    func deleteRemoteActor(uri: String) async throws

    /// Adds or refreshes a follower; true when it is new.
    @discardableResult
    func addFollower(_ follower: Follower) async throws -> Bool
    @discardableResult
    func removeFollower(siteID: Int64, actor: FediverseActor, remoteURI: String) async throws -> Bool
    /// Every follow of that remote actor, on every site and actor (their server said it is gone).
    func removeFollows(remoteURI: String) async throws
    func followers(siteID: Int64, actor: FediverseActor?, limit: Int, offset: Int) async throws -> [Follower]
    func followerCount(siteID: Int64, actor: FediverseActor?) async throws -> Int
    /// The distinct inboxes of the followers of `actors`, shared inboxes first.
    func deliveryInboxes(siteID: Int64, actors: [FediverseActor]) async throws -> [String]
    /// Followers whose deliveries go to `inbox` (a 410 there removes them).
    func removeFollowers(siteID: Int64, inbox: String) async throws -> Int

    /// Records an activity id; false when it was seen before (a replay).
    func markSeen(siteID: Int64, activityID: String, now: Date) async throws -> Bool
    func pruneSeen(before: Date) async throws

    @discardableResult
    func addReaction(siteID: Int64, postID: Int64, kind: ReactionKind, remoteURI: String, activityID: String, now: Date) async throws -> Bool
    @discardableResult
    func removeReaction(postID: Int64?, kind: ReactionKind, remoteURI: String, activityID: String?) async throws -> Bool
    func removeReactions(remoteURI: String) async throws
    func reactionCounts(postID: Int64) async throws -> [ReactionKind: Int]

    func blocks(siteID: Int64) async throws -> [(BlockKind, String)]
    func addBlock(siteID: Int64, kind: BlockKind, value: String, now: Date) async throws
    func removeBlock(siteID: Int64, kind: BlockKind, value: String) async throws

    /// Whether the post was sent to followers and not deleted since.
    func isFederated(postID: Int64) async throws -> Bool
    func markFederated(postID: Int64, siteID: Int64, deleted: Bool, now: Date) async throws

    /// Whether the host has signed to us with RFC 9421 (so it reads it too).
    func hostAcceptsRFC9421(_ host: String) async throws -> Bool
    func markHostRFC9421(_ host: String) async throws
    /// Until when deliveries to the host wait (its circuit is open); nil when they may go.
    func hostPausedUntil(_ host: String, now: Date) async throws -> Date?
    /// Counts a failed delivery to the host; after `threshold` in a row, pauses it until `pauseUntil`.
    func recordHostFailure(_ host: String, threshold: Int, pauseUntil: Date) async throws
    func recordHostSuccess(_ host: String) async throws

    func commentID(noteID: String, siteID: Int64) async throws -> Int64?
    func noteID(commentID: Int64) async throws -> (noteID: String, actorURI: String)?
    func linkNote(commentID: Int64, siteID: Int64, noteID: String, actorURI: String) async throws
}
