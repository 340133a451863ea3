import Foundation

/// An address that asked to follow a blog or its threads by email.
public struct Subscriber: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        /// Asked, not confirmed yet: nothing but the one confirmation message goes to it.
        case pending
        case confirmed
        case unsubscribed
        /// Stopped by the owner: it gets nothing and cannot subscribe again.
        case blocked
    }

    public var id: Int64
    public var siteID: Int64
    public var email: String
    public var status: Status
    /// Follows new posts (a thread follower need not).
    public var followsBlog: Bool
    public var requestedAt: Date
    public var confirmedAt: Date?
    public var changedAt: Date

    public init(
        id: Int64, siteID: Int64, email: String, status: Status, followsBlog: Bool, requestedAt: Date, confirmedAt: Date?,
        changedAt: Date
    ) {
        self.id = id
        self.siteID = siteID
        self.email = email
        self.status = status
        self.followsBlog = followsBlog
        self.requestedAt = requestedAt
        self.confirmedAt = confirmedAt
        self.changedAt = changedAt
    }
}

/// One consent given or taken back, as the person saw it: kept as the record a regulator may ask for.
public struct FollowConsent: Sendable, Equatable {
    public enum Action: String, Sendable { case requested, confirmed, unsubscribed, blocked, unblocked }

    public var action: Action
    /// `blog` or `thread:POSTID`.
    public var scope: String
    /// The page the form was on.
    public var page: String
    /// The words shown next to the box or button.
    public var wording: String
    public var ip: String
    /// Whether a message was sent for it (counted by the rate limits).
    public var mailed: Bool
    public var createdAt: Date

    public init(action: Action, scope: String, page: String, wording: String, ip: String, mailed: Bool = false, createdAt: Date) {
        self.action = action
        self.scope = scope
        self.page = page
        self.wording = wording
        self.ip = ip
        self.mailed = mailed
        self.createdAt = createdAt
    }
}

/// Who follows a post's thread, for the admin.
public struct ThreadFollower: Sendable, Equatable {
    public var subscriberID: Int64
    public var email: String
    public var status: Subscriber.Status
    public var since: Date

    public init(subscriberID: Int64, email: String, status: Subscriber.Status, since: Date) {
        self.subscriberID = subscriberID
        self.email = email
        self.status = status
        self.since = since
    }
}

/// Followers of blogs and threads, their consents, and the record of messages sent.
public protocol FollowStore: Sendable {
    /// Runs `body` in one transaction; every store call inside it (jobs queued too) joins it.
    func inTransaction<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T
    func subscriber(id: Int64) async throws -> Subscriber?
    func subscriber(siteID: Int64, email: String) async throws -> Subscriber?
    /// The row for `email`, made pending when there is none.
    func ensureSubscriber(siteID: Int64, email: String, now: Date) async throws -> Subscriber
    func touchRequested(subscriberID: Int64, now: Date) async throws
    func setStatus(_ status: Subscriber.Status, subscriberID: Int64, now: Date) async throws
    func setFollowsBlog(_ follows: Bool, subscriberID: Int64) async throws
    func followThread(subscriberID: Int64, siteID: Int64, postID: Int64, now: Date) async throws
    func unfollowThread(subscriberID: Int64, postID: Int64) async throws
    func isFollowingThread(subscriberID: Int64, postID: Int64) async throws -> Bool
    func record(_ consent: FollowConsent, subscriberID: Int64, siteID: Int64) async throws
    func consents(subscriberID: Int64) async throws -> [FollowConsent]
    /// Messages sent for requests since `since`: to one address, and from one IP.
    func mailedRequests(subscriberID: Int64, since: Date) async throws -> Int
    func mailedRequests(siteID: Int64, ip: String, since: Date) async throws -> Int
    /// Confirmed followers of new posts.
    func blogFollowers(siteID: Int64) async throws -> [Subscriber]
    /// Confirmed followers of a post's thread.
    func threadFollowers(postID: Int64) async throws -> [Subscriber]
    func threadFollowersForAdmin(postID: Int64) async throws -> [ThreadFollower]
    /// Every subscriber of a site, newest first; nil status means all.
    func subscribers(siteID: Int64, status: Subscriber.Status?) async throws -> [Subscriber]
    func subscriberCounts(siteID: Int64) async throws -> [Subscriber.Status: Int]
    /// Records that the message named `key` went out; false when it had already.
    func markSent(key: String, siteID: Int64, now: Date) async throws -> Bool
    func wasSent(key: String) async throws -> Bool
    func unmarkSent(key: String) async throws
    /// Drops pending subscribers (and their follows) asked for before `before`; returns how many.
    func prunePending(before: Date) async throws -> Int
}
