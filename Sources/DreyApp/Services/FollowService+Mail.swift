import DreyCore
import DreyJobs
import Foundation
import Metrics

/// The follow mail: a fan-out job per event (a post published, a comment approved) that queues one job per
/// recipient in one transaction, and the recipient jobs that send, each recorded in `follow_sends` so that a
/// worker killed and restarted never mails anyone twice.
extension FollowService {
    static let fanOutKind = "follow-fanout"
    static let mailKind = "follow-mail"

    struct FanOut: Codable {
        var siteID: Int64
        /// A post published, or a comment approved.
        var postID: Int64?
        var commentID: Int64?
    }

    struct Delivery: Codable {
        enum Kind: String, Codable { case confirm, post, reply }
        var kind: Kind
        var siteID: Int64
        var subscriberID: Int64
        var postID: Int64?
        var commentID: Int64?
        /// For `confirm`: what was asked and when; the link is signed as the message is composed.
        var scope: String?
        var requestedAt: Date?
        /// For `confirm`: names this request's message, so two requests in one second are two messages.
        var requestID: String?
    }

    func registerJobs() {
        jobs.register(Self.fanOutKind) { job in
            guard let fan = try? job.decode(FanOut.self) else { throw JobFailure.permanent("unreadable follow fan-out") }
            try await fanOut(fan)
        }
        jobs.register(Self.mailKind) { job in
            guard let delivery = try? job.decode(Delivery.self) else { throw JobFailure.permanent("unreadable follow mail") }
            try await deliver(delivery)
        }
        jobs.addChore { try await prune() }
    }

    /// Called in the transaction that publishes a post (also a scheduled one coming due).
    public func postPublished(siteID: Int64, postID: Int64) async throws {
        guard try await anyoneFollows(siteID: siteID) else { return }
        try await jobs.enqueue(Self.fanOutKind, FanOut(siteID: siteID, postID: postID), siteID: siteID, dedupeKey: "follow-post:\(postID)")
    }

    /// A blog with follows switched off queues no job at all.
    func anyoneFollows(siteID: Int64) async throws -> Bool {
        registry.site(id: siteID)?.settings.followsEnabled == true
    }

    /// Called in the transaction that approves a comment (on arrival or by a moderator).
    func commentApproved(_ comment: Comment) async throws {
        guard comment.status == .approved, try await anyoneFollows(siteID: comment.siteID) else { return }
        try await jobs.enqueue(
            Self.fanOutKind, FanOut(siteID: comment.siteID, commentID: comment.id), siteID: comment.siteID, dedupeKey: "follow-reply:\(comment.id)")
    }

    func queueConfirmation(_ subscriber: Subscriber, scope: Scope, requestedAt: Date, siteID: Int64) async throws {
        try await jobs.enqueue(
            Self.mailKind,
            Delivery(
                kind: .confirm, siteID: siteID, subscriberID: subscriber.id, scope: scope.text, requestedAt: requestedAt,
                requestID: UUID().uuidString), siteID: siteID)
    }

    /// Queues one message per recipient, all in one transaction with the record that the event was handled: run
    /// again (a killed worker's job taken over), it queues nothing more.
    func fanOut(_ fan: FanOut) async throws {
        guard let site = registry.site(id: fan.siteID), site.settings.followsEnabled else { return }
        if let postID = fan.postID {
            guard let post = try await store.post(id: postID, siteID: site.id), post.type == .post, post.isVisible(at: clock.now()),
                post.password.isEmpty
            else { return }
            try await store.inTransaction { [store] in
                guard try await store.markSent(key: "fanout:post:\(postID)", siteID: site.id, now: clock.now()) else { return }
                for follower in try await store.blogFollowers(siteID: site.id) {
                    try await jobs.enqueue(
                        Self.mailKind, Delivery(kind: .post, siteID: site.id, subscriberID: follower.id, postID: postID), siteID: site.id)
                }
            }
        } else if let commentID = fan.commentID {
            guard let comment = try await store.comment(id: commentID), comment.status == .approved, comment.siteID == site.id else { return }
            try await store.inTransaction { [store] in
                guard try await store.markSent(key: "fanout:reply:\(commentID)", siteID: site.id, now: clock.now()) else { return }
                let wrote = comment.authorEmail.lowercased()
                for follower in try await store.threadFollowers(postID: comment.postID) where follower.email != wrote {
                    try await jobs.enqueue(
                        Self.mailKind,
                        Delivery(kind: .reply, siteID: site.id, subscriberID: follower.id, postID: comment.postID, commentID: commentID),
                        siteID: site.id)
                }
            }
        }
    }

    /// A message ready to go, with the key it is recorded under.
    struct Outgoing: Sendable {
        var key: String
        var to: String
        var subject: String
        var body: String
        var headers: [(String, String)]
    }

    func deliver(_ d: Delivery) async throws {
        guard let site = registry.site(id: d.siteID), let subscriber = try await store.subscriber(id: d.subscriberID) else { return }
        guard let outgoing = try await compose(d, site: site, subscriber: subscriber) else { return }
        if try await store.wasSent(key: outgoing.key) { return }
        let from = site.settings.mailFrom.isEmpty ? nil : site.settings.mailFrom
        guard let relay = mail.smtp.map({ SMTPClient(host: $0.host, port: $0.port, from: from ?? $0.from) }) else {
            guard try await store.markSent(key: outgoing.key, siteID: site.id, now: clock.now()) else { return }
            logger.notice("mail to \(outgoing.to) (no DREY_SMTP_URL, so it is logged here): \(outgoing.subject)\n\(outgoing.body)")
            return
        }
        let transfer: SMTPClient.Transfer
        do {
            transfer = try await Self.onOwnThread {
                try relay.begin(to: outgoing.to, subject: outgoing.subject, body: outgoing.body, headers: outgoing.headers)
            }
        } catch {
            throw Self.failure(error)
        }
        // Recorded as sent once the relay said 250, never before: a relay that loses the connection before its answer
        // keeps nothing (aiosmtpd drops the message), so a process killed mid-way sends those again after its restart.
        // Only a kill between the 250 and this record can send one twice.
        do {
            try relay.end(transfer)
            try await Self.onOwnThread { try relay.finish(transfer) }
        } catch {
            Counter(label: "drey_mail_total", dimensions: [("result", "failed")]).increment()
            throw Self.failure(error)
        }
        Counter(label: "drey_mail_total", dimensions: [("result", "sent")]).increment()
        _ = try await store.markSent(key: outgoing.key, siteID: site.id, now: clock.now())
    }

    static func failure(_ error: any Error) -> JobFailure {
        if let failure = error as? SMTPClient.Failure, failure.permanent { return .permanent(failure.description) }
        return .transient(String(describing: error))
    }

    static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let box = Locked<T?>(nil)
        try await MailQueue.onOwnThread {
            let value = try work()
            box.withLock { $0 = value }
        }
        return box.current!
    }

    /// The message for `d`, or nil when it should not go (the address left, the post is gone, the follow ended).
    func compose(_ d: Delivery, site: Site, subscriber: Subscriber) async throws -> Outgoing? {
        let settings = site.settings
        func line(_ text: String) -> String { text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ") }
        let siteTitle = line(settings.title)
        let links = SiteLinks(base: config.base(of: site), settings: settings)
        let host = URL(string: links.base)?.host ?? site.host
        var headers: [(String, String)] = [("List-Id", "\(siteTitle.replacingOccurrences(of: "<", with: "")) <follow.\(host)>")]
        func leaving(_ scope: Scope) -> String {
            let url = links.url(.follows(.unsubscribe(token: unsubscribeToken(subscriberID: subscriber.id, scope: scope, site: site))))
            headers.append(("List-Unsubscribe", "<\(url)>"))
            headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
            return url
        }
        switch d.kind {
        case .confirm:
            guard subscriber.status != .blocked, let scopeText = d.scope, let scope = Scope(text: scopeText), let at = d.requestedAt else {
                return nil
            }
            let confirm = links.url(
                .follows(.confirm(token: confirmationToken(subscriberID: subscriber.id, scope: scope, requestedAt: at, site: site))))
            let what: String
            switch scope {
            case .blog: what = "new posts on \(siteTitle)"
            case .thread(let postID):
                guard let post = try await store.post(id: postID, siteID: site.id) else { return nil }
                what = "new comments on “\(line(post.title))” at \(siteTitle)"
            }
            let stop = leaving(.blog)
            return Outgoing(
                key: "confirm:\(subscriber.id):\(d.requestID ?? scope.text):\(Int64(at.timeIntervalSince1970))", to: subscriber.email,
                subject: "[\(siteTitle)] Please confirm: follow by email",
                body: """
                    Someone, probably you, asked to be told by email of \(what).

                    To confirm, open this link and press the button on the page:
                    \(confirm)

                    The link works for 7 days. If you did not ask for this, ignore this message: nothing will be sent.
                    Never mail me from \(siteTitle): \(stop)

                    """,
                headers: headers + [("Message-ID", "<confirm-\(subscriber.id)-\(d.requestID ?? String(Int64(at.timeIntervalSince1970)))@\(host)>")])
        case .post:
            guard subscriber.status == .confirmed, subscriber.followsBlog, let postID = d.postID,
                let post = try await store.post(id: postID, siteID: site.id), post.isVisible(at: clock.now())
            else { return nil }
            let url = try await PostURLs(store: store).canonical(post, site: site, links: links)
            let title = post.title.isEmpty ? "(no title)" : line(post.title)
            let summary = post.excerpt.isEmpty ? PlainText.fromHTML(post.contentHTML, maxWords: 80) : post.excerpt
            let stop = leaving(.blog)
            return Outgoing(
                key: "post:\(postID):\(subscriber.id)", to: subscriber.email, subject: "[\(siteTitle)] \(title)",
                body: """
                    A new post on \(siteTitle): \(title)

                    \(summary)

                    Read it: \(url)

                    You follow \(siteTitle) by email. To stop, open \(stop)

                    """, headers: headers + [("Message-ID", "<post-\(postID)-\(subscriber.id)@\(host)>")])
        case .reply:
            guard subscriber.status == .confirmed, let postID = d.postID, let commentID = d.commentID,
                try await store.isFollowingThread(subscriberID: subscriber.id, postID: postID),
                let comment = try await store.comment(id: commentID), comment.status == .approved,
                let post = try await store.post(id: postID, siteID: site.id), post.isVisible(at: clock.now())
            else { return nil }
            let url = try await PostURLs(store: store).canonical(post, site: site, links: links)
            let title = post.title.isEmpty ? "(no title)" : line(post.title)
            let stop = leaving(.thread(postID: postID))
            return Outgoing(
                key: "reply:\(commentID):\(subscriber.id)", to: subscriber.email, subject: "[\(siteTitle)] New comment on “\(title)”",
                body: """
                    \(line(comment.authorName)) commented on “\(title)”:

                    \(comment.source)

                    Read the conversation: \(url)#comment-\(comment.id)

                    You follow this conversation by email. To stop, open \(stop)

                    """, headers: headers + [("Message-ID", "<reply-\(commentID)-\(subscriber.id)@\(host)>")])
        }
    }
}
