import DreyCore
import DreySpam
import DreyStore
import Foundation
import Logging

/// The comment spam filter, local and learning: gates that refuse (flood, rate limits), then layers that judge
/// (WordPress's rules, timing, memory of the sender, the classifier), each leaving a reason.
/// The honeypot and the form token are checked by the form's controller; replays are caught in `CommentService`.
public struct SpamFilter: Sendable {
    let store: any SpamStore & CommentStore & ReaderStore
    public let models: SpamModels
    let clock: Clock
    let logger: Logger

    /// A comment or linkback as the filter sees it.
    public struct Candidate: Sendable {
        public var siteID: Int64
        public var name: String
        public var email: String
        public var url: String
        public var ip: String
        public var userAgent: String
        public var text: String
        public var byModerator: Bool
        /// Seconds between the form being shown and sent; nil when it did not come through the form.
        public var shownFor: TimeInterval?
        /// A pingback, trackback or webmention: judged like a comment, but its receiver limits the rate
        /// per client and per source, so the comment form's flood gate and hourly limits do not apply.
        public var isLinkback = false
        /// The signed-in reader sending it: their own comments' history counts as reputation.
        public var readerID: Int64? = nil

        public init(
            siteID: Int64, name: String, email: String, url: String, ip: String, userAgent: String = "", text: String,
            byModerator: Bool = false, shownFor: TimeInterval? = nil
        ) {
            self.siteID = siteID
            self.name = name
            self.email = email
            self.url = url
            self.ip = ip
            self.userAgent = userAgent
            self.text = text
            self.byModerator = byModerator
            self.shownFor = shownFor
        }

        var sample: SpamSample { SpamSample(text: text, author: name, email: email, url: url) }
    }

    /// Refuses a comment sent within the flood interval of the sender's last one (WordPress's check, by IP or email),
    /// or past the hourly limits; throws `CommentRejection` with status 429.
    public func checkLimits(_ c: Candidate, settings: SiteSettings) async throws {
        if c.byModerator || c.isLinkback { return }
        let now = clock.now()
        let flood = settings.commentFloodSeconds
        if flood > 0, let last = try await store.lastCommentTime(siteID: c.siteID, ip: c.ip, email: c.email),
            now.timeIntervalSince(last) < Double(flood)
        {
            throw CommentRejection(["You are posting comments too quickly. Slow down."], status: 429)
        }
        let hourAgo = now.addingTimeInterval(-3600)
        let perIP = settings.commentRateIPPerHour
        if perIP > 0, !c.ip.isEmpty, try await store.commentCount(siteID: c.siteID, ip: c.ip, email: nil, since: hourAgo) >= perIP {
            throw CommentRejection(
                ["Too many comments from your address in the last hour (the limit is \(perIP)). Please try again later."],
                status: 429, plain: true)
        }
        let perEmail = settings.commentRateEmailPerHour
        if perEmail > 0, !c.email.isEmpty,
            try await store.commentCount(siteID: c.siteID, ip: nil, email: c.email, since: hourAgo) >= perEmail
        {
            throw CommentRejection(
                ["Too many comments with your email address in the last hour (the limit is \(perEmail)). Please try again later."],
                status: 429, plain: true)
        }
    }

    /// Gathers what every judging layer says and decides.
    public func judge(_ c: Candidate, settings: SiteSettings) async throws -> SpamVerdict {
        if c.byModerator { return SpamVerdict(decision: .approve) }
        let judge = SpamJudge(settings: settings)
        let previously = try await store.hasApproved(email: c.email, authorName: c.name, siteID: c.siteID)
        let policy = CommentPolicy(settings: settings).decide(
            .init(
                authorName: c.name, email: c.email, url: c.url, ip: c.ip, userAgent: c.userAgent, text: c.text,
                hasPreviouslyApproved: previously))
        var reputation = try await store.reputation(
            siteID: c.siteID, email: c.email, ip: c.ip, websiteHost: Reputation.websiteHost(c.url))
        if let readerID = c.readerID {
            let history = try await store.readerHistory(siteID: c.siteID, readerID: readerID)
            if history != Reputation.Counts() { reputation.counts[.reader] = history }
        }
        let classifier = try await models.model(siteID: c.siteID).map { Self.classify($0, c.sample, thresholds: judge.thresholds) }
        var evidence = SpamEvidence(
            policy: policy, classifier: classifier, shownFor: c.shownFor, reputation: reputation, previouslyApproved: previously)
        evidence.verifiedLinkback = c.isLinkback
        return judge.decide(evidence)
    }

    /// The classifier's opinion; the reasons only when they will be shown, and the score without links only when it
    /// could change the verdict (each costs another pass over the text).
    static func classify(_ model: SpamModel, _ sample: SpamSample, thresholds: SpamThresholds) -> ClassifierOpinion {
        let score = model.score(sample)
        guard score >= thresholds.hold else { return ClassifierOpinion(score: score) }
        let reasons = Array(model.explain(sample, limit: 4).dropLast())
        guard score >= thresholds.spam else { return ClassifierOpinion(score: score, reasons: reasons) }
        return ClassifierOpinion(score: score, withoutLinks: sample.withoutLinks().map(model.score), reasons: reasons, signals: sample.signals())
    }

    /// Counts a comment thrown away unstored; a failure to count is logged, never shown to the sender.
    public func countDiscard(siteID: Int64, reason: String) async {
        do {
            try await store.countDiscard(siteID: siteID, day: Self.day(clock.now()), reason: reason)
        } catch {
            logger.error("counting a discarded comment failed: \(error)")
        }
    }

    /// Teaches the site's classifier a moderator's decision. The decision itself stands even if learning fails.
    public func learn(from comment: Comment, isSpam: Bool) async {
        let sample = SpamSample(text: comment.source, author: comment.authorName, email: comment.authorEmail, url: comment.authorURL)
        do {
            try await models.learn(siteID: comment.siteID, sample, isSpam: isSpam, now: clock.now())
        } catch {
            logger.error("the spam filter could not learn from comment \(comment.id): \(error)")
        }
    }

    /// Deletes spam older than each site's retention period and forgets expired form tokens; returns spam deleted.
    @discardableResult
    public func purge(sites: [Site]) async throws -> Int {
        let now = clock.now()
        var purged = 0
        for site in sites {
            purged += try await store.purgeSpam(siteID: site.id, before: now.addingTimeInterval(-Double(site.settings.spamRetentionDays) * 86400))
        }
        try await store.purgeFormTokens(before: now)
        return purged
    }

    /// UTC day as YYYY-MM-DD, the key discards are counted by.
    public static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 1970, c.month ?? 1, c.day ?? 1)
    }
}
