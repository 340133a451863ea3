import DreyCore
import DreyJobs
import DreyStore
import Foundation
import Logging

/// Following a blog (new posts) or a post's thread (approved comments) by email: double opt-in for addresses
/// nobody has proved, a consent record for every step, and signed links to leave.
public struct FollowService: Sendable {
    let store: any FollowStore & PostStore & TermStore & UserStore & CommentStore
    let registry: SiteRegistry
    let jobs: JobQueue
    let mail: MailQueue
    let clock: Clock
    let config: AppConfig
    let logger: Logger

    /// A confirmation link works this long; pending addresses are forgotten after it.
    public static let confirmLifetime: TimeInterval = 7 * 86400
    /// Subscription messages an address receives, and an IP may cause, in an hour.
    public static let perAddressPerHour = 3
    public static let perIPPerHour = 10

    /// What is followed.
    public enum Scope: Sendable, Equatable {
        case blog
        case thread(postID: Int64)

        public var text: String {
            switch self {
            case .blog: return "blog"
            case .thread(let id): return "thread:\(id)"
            }
        }

        public init?(text: String) {
            if text == "blog" {
                self = .blog
            } else if text.hasPrefix("thread:"), let id = Int64(text.dropFirst("thread:".count)), id > 0 {
                self = .thread(postID: id)
            } else {
                return nil
            }
        }
    }

    /// A request to follow, as the form sent it.
    public struct Request: Sendable {
        public var email: String
        public var scope: Scope
        /// The page the form was on, and the words next to the button or box.
        public var page: String
        public var wording: String
        public var ip: String

        public init(email: String, scope: Scope, page: String, wording: String, ip: String) {
            self.email = email
            self.scope = scope
            self.page = page
            self.wording = wording
            self.ip = ip
        }
    }

    /// Why a request was not taken; what the visitor reads.
    public struct Refusal: Error, Sendable, Equatable {
        public var message: String
        public var status: Int
    }

    /// The sentences the forms show, recorded with each consent.
    public static let blogWording = "Notify me of new posts by email."
    public static let threadWording = "Notify me of follow-up comments by email."

    /// Takes a request to follow. Whatever the address (new, pending, confirmed, blocked, over its limit), the
    /// answer is the same, so the form tells nobody who follows the blog; at most one confirmation message goes out.
    public func request(_ r: Request, siteID: Int64) async throws {
        guard let site = registry.site(id: siteID), site.settings.followsEnabled else {
            throw Refusal(message: "Following this blog by email is switched off.", status: 403)
        }
        let email = r.email.trimmingCharacters(in: .whitespacesAndNewlines)
        guard email.count <= CommentService.maxEmailLength, UserService.isValidEmail(email) else {
            throw Refusal(message: "Please enter a valid email address.", status: 422)
        }
        if case .thread(let postID) = r.scope {
            guard let post = try await store.post(id: postID, siteID: siteID), post.isVisible(at: clock.now()) else {
                throw Refusal(message: "That post does not exist.", status: 404)
            }
        }
        let now = clock.now()
        let hourAgo = now.addingTimeInterval(-3600)
        if !r.ip.isEmpty, try await store.mailedRequests(siteID: siteID, ip: r.ip, since: hourAgo) >= Self.perIPPerHour {
            throw Refusal(message: "Too many requests from your address in the last hour; please try again later.", status: 429)
        }
        try await store.inTransaction { [store] in
            let subscriber = try await store.ensureSubscriber(siteID: siteID, email: email, now: now)
            var consent = FollowConsent(action: .requested, scope: r.scope.text, page: r.page, wording: r.wording, ip: r.ip, createdAt: now)
            let already: Bool
            switch r.scope {
            case .blog: already = subscriber.status == .confirmed && subscriber.followsBlog
            case .thread(let postID):
                let following = try await store.isFollowingThread(subscriberID: subscriber.id, postID: postID)
                already = subscriber.status == .confirmed && following
            }
            let overLimit = try await store.mailedRequests(subscriberID: subscriber.id, since: hourAgo) >= Self.perAddressPerHour
            if subscriber.status != .blocked && !already && !overLimit {
                consent.mailed = true
                try await store.touchRequested(subscriberID: subscriber.id, now: now)
                try await self.queueConfirmation(subscriber, scope: r.scope, requestedAt: now, siteID: siteID)
            }
            try await store.record(consent, subscriberID: subscriber.id, siteID: siteID)
        }
    }

    /// Follows at once, for a signed-in reader whose address a sign-in method verified.
    public func subscribeVerified(email: String, scope: Scope, page: String, wording: String, ip: String, siteID: Int64) async throws {
        let now = clock.now()
        try await store.inTransaction { [store] in
            let subscriber = try await store.ensureSubscriber(siteID: siteID, email: email, now: now)
            guard subscriber.status != .blocked else { return }
            try await store.record(
                FollowConsent(
                    action: .confirmed, scope: scope.text, page: page, wording: wording + " (signed in, address verified)", ip: ip, createdAt: now),
                subscriberID: subscriber.id, siteID: siteID)
            try await self.apply(scope, to: subscriber, now: now)
        }
    }

    /// What a confirmation link names, when its signature and age check out.
    public struct Confirmation: Sendable, Equatable {
        public var subscriberID: Int64
        public var scope: Scope
        public var requestedAt: Date
    }

    public func confirmationToken(subscriberID: Int64, scope: Scope, requestedAt: Date, site: Site) -> String {
        Signer.cached(secret: site.settings.secret).sign(
            "\(subscriberID):\(scope.text):\(Int64(requestedAt.timeIntervalSince1970))", purpose: .followConfirm)
    }

    public func checkConfirmation(_ token: String, site: Site) -> Confirmation? {
        guard token.utf8.count < 300, let value = Signer.cached(secret: site.settings.secret).verify(token, purpose: .followConfirm) else {
            return nil
        }
        let parts = value.split(separator: ":")
        guard parts.count >= 3, let id = Int64(parts[0]), let seconds = Int64(parts.last!),
            let scope = Scope(text: parts.dropFirst().dropLast().joined(separator: ":"))
        else { return nil }
        let at = Date(timeIntervalSince1970: TimeInterval(seconds))
        guard clock.now().timeIntervalSince(at) < Self.confirmLifetime else { return nil }
        return Confirmation(subscriberID: id, scope: scope, requestedAt: at)
    }

    /// The button on the confirmation page was pressed: the address follows what it asked for.
    public func confirm(_ token: String, site: Site, page: String, ip: String) async throws -> Subscriber? {
        guard let c = checkConfirmation(token, site: site), let subscriber = try await store.subscriber(id: c.subscriberID),
            subscriber.siteID == site.id, subscriber.status != .blocked
        else { return nil }
        let now = clock.now()
        try await store.inTransaction { [store] in
            try await store.record(
                FollowConsent(action: .confirmed, scope: c.scope.text, page: page, wording: "Confirm: follow by email", ip: ip, createdAt: now),
                subscriberID: subscriber.id, siteID: site.id)
            try await self.apply(c.scope, to: subscriber, now: now)
        }
        return try await store.subscriber(id: subscriber.id)
    }

    private func apply(_ scope: Scope, to subscriber: Subscriber, now: Date) async throws {
        if subscriber.status != .confirmed { try await store.setStatus(.confirmed, subscriberID: subscriber.id, now: now) }
        switch scope {
        case .blog: try await store.setFollowsBlog(true, subscriberID: subscriber.id)
        case .thread(let postID): try await store.followThread(subscriberID: subscriber.id, siteID: subscriber.siteID, postID: postID, now: now)
        }
    }

    /// The token of every message's unsubscribe link: it names the address and what the message was about.
    public func unsubscribeToken(subscriberID: Int64, scope: Scope, site: Site) -> String {
        Signer.cached(secret: site.settings.secret).sign("\(subscriberID):\(scope.text)", purpose: .unsubscribe)
    }

    public func checkUnsubscribe(_ token: String, site: Site) -> (subscriberID: Int64, scope: Scope)? {
        guard token.utf8.count < 300, let value = Signer.cached(secret: site.settings.secret).verify(token, purpose: .unsubscribe),
            let colon = value.firstIndex(of: ":"), let id = Int64(value[..<colon]),
            let scope = Scope(text: String(value[value.index(after: colon)...]))
        else { return nil }
        return (id, scope)
    }

    /// Leaves: a blog message's link stops all mail to the address; a thread message's stops that thread's.
    /// Idempotent, so a mail provider's one-click POST and the person's own click can both arrive.
    public func unsubscribe(_ token: String, site: Site, page: String, ip: String, wording: String) async throws -> Subscriber? {
        guard let (id, scope) = checkUnsubscribe(token, site: site), let subscriber = try await store.subscriber(id: id),
            subscriber.siteID == site.id
        else { return nil }
        let now = clock.now()
        try await store.inTransaction { [store] in
            try await store.record(
                FollowConsent(action: .unsubscribed, scope: scope.text, page: page, wording: wording, ip: ip, createdAt: now),
                subscriberID: id, siteID: site.id)
            switch scope {
            case .blog:
                if subscriber.status != .blocked { try await store.setStatus(.unsubscribed, subscriberID: id, now: now) }
            case .thread(let postID):
                try await store.unfollowThread(subscriberID: id, postID: postID)
            }
        }
        return subscriber
    }

    /// The owner stops (or lets again) an address.
    public func setBlocked(_ blocked: Bool, subscriberID: Int64, siteID: Int64, by who: String) async throws {
        guard let subscriber = try await store.subscriber(id: subscriberID), subscriber.siteID == siteID else {
            throw StoreError.notFound("no subscriber \(subscriberID)")
        }
        let now = clock.now()
        try await store.inTransaction { [store] in
            try await store.record(
                FollowConsent(action: blocked ? .blocked : .unblocked, scope: "blog", page: "admin", wording: "by \(who)", ip: "", createdAt: now),
                subscriberID: subscriberID, siteID: siteID)
            try await store.setStatus(blocked ? .blocked : .unsubscribed, subscriberID: subscriberID, now: now)
        }
    }

    /// Forgets addresses that never confirmed within the link's lifetime.
    func prune() async throws -> Int { try await store.prunePending(before: clock.now().addingTimeInterval(-Self.confirmLifetime)) }
}

extension Signer.Purpose {
    static let followConfirm = Signer.Purpose(name: "follow-confirm")
    static let unsubscribe = Signer.Purpose(name: "unsubscribe")
}
