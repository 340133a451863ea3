import Foundation

/// Scores from which the spam filter holds a comment and from which it sends it to spam.
public struct SpamThresholds: Sendable, Equatable {
    public var hold: Double
    public var spam: Double

    /// `spam` is raised to `hold` when given lower, so the bands never cross.
    public init(hold: Double, spam: Double) {
        self.hold = hold
        self.spam = max(hold, spam)
    }
}

/// What the filter decided about one comment or linkback.
public enum SpamDecision: String, Sendable, Codable, CaseIterable {
    /// Published at once.
    case approve
    /// Kept off the page until a moderator decides.
    case hold
    /// Kept in the spam queue for the retention period, then deleted.
    case spam
    /// A disallowed word matched: to the trash, as WordPress does.
    case trash
    /// Blatant (honeypot, replayed form): not stored, only counted.
    case discard
    /// Sent back to the sender (flood, rate limit, duplicate, invalid form); nothing stored.
    case refuse
}

/// The filter's verdict with its combined score and the reasons a moderator reads.
public struct SpamVerdict: Sendable, Equatable {
    public var decision: SpamDecision
    /// Combined spam score 0…1; nil when nothing was scored (staff, discards, refusals).
    public var score: Double?
    public var reasons: [String]

    public init(decision: SpamDecision, score: Double? = nil, reasons: [String] = []) {
        self.decision = decision
        self.score = score
        self.reasons = reasons
    }

    /// The status a stored comment gets; nil for verdicts that store nothing.
    public var status: CommentStatus? {
        switch decision {
        case .approve: return .approved
        case .hold: return .pending
        case .spam: return .spam
        case .trash: return .trash
        case .discard, .refuse: return nil
        }
    }

    /// The moderation note: "held: 3 links; classifier 0.91".
    public var note: String {
        let word: String
        switch decision {
        case .approve: word = "approved"
        case .hold: word = "held"
        case .spam: word = "spam"
        case .trash: word = "trash"
        case .discard: word = "discarded"
        case .refuse: word = "refused"
        }
        return reasons.isEmpty ? word : word + ": " + reasons.joined(separator: "; ")
    }
}

/// What the text classifier said about one comment.
public struct ClassifierOpinion: Sendable, Equatable {
    /// Probability of spam, 0…1.
    public var score: Double
    /// The score of the same comment with its links taken out; nil when not needed (the score is below spam).
    public var withoutLinks: Double?
    /// What pushed the score up ("3 links", "phrase 'check out my'"), strongest first.
    public var reasons: [String]
    /// What the comment shows besides its words that backs a spam score up ("2 links", "sales words in name");
    /// see `SpamSample.signals`. Empty for an ordinary comment with no link.
    public var signals: [String]

    public init(score: Double, withoutLinks: Double? = nil, reasons: [String] = [], signals: [String] = []) {
        self.score = score
        self.withoutLinks = withoutLinks
        self.reasons = reasons
        self.signals = signals
    }
}

/// Everything the cheap layers found out about one comment, gathered before the verdict.
public struct SpamEvidence: Sendable {
    /// WordPress's discussion rules.
    public var policy: CommentPolicy.Verdict
    /// The text classifier's opinion; nil when it is unavailable.
    public var classifier: ClassifierOpinion?
    /// Seconds between the form being shown and sent, when it came through the form.
    public var shownFor: TimeInterval?
    public var reputation: Reputation
    /// The author has an approved comment with this name and email (WordPress's test).
    public var previouslyApproved: Bool
    public var byModerator: Bool
    /// A pingback, trackback or webmention whose source page was fetched and found to link here: links are what
    /// such a page is made of, so they neither back a spam score up nor make it a link list.
    public var verifiedLinkback = false

    public init(
        policy: CommentPolicy.Verdict, classifier: ClassifierOpinion?, shownFor: TimeInterval? = nil,
        reputation: Reputation = Reputation(), previouslyApproved: Bool = false, byModerator: Bool = false
    ) {
        self.policy = policy
        self.classifier = classifier
        self.shownFor = shownFor
        self.reputation = reputation
        self.previouslyApproved = previouslyApproved
        self.byModerator = byModerator
    }
}

/// Combines the layers in log-odds: the classifier's score, moved by timing and reputation, then cut by the thresholds;
/// WordPress's rules and a too-fast form can only add holds. Safeguards keep real comments out of the spam
/// queue on the classifier's word alone: a commenter with approved comments is held instead, and so is a comment
/// that would not reach the spam cut-off without its one or two links (links are WordPress's rule, which holds),
/// and so is any comment nothing but its words accuses (`corroboration`: no link, no keyword name, no history). The same function serves the web, `drey spam check` and
/// `drey spam eval`, so the figures measured are the filter that runs.
public struct SpamJudge: Sendable {
    public var thresholds: SpamThresholds
    public var minimumSeconds: Double

    /// Log-odds a too-fast form adds: alone it does not make spam of a comment the classifier likes.
    static let tooFastWeight = 2.0
    /// Score the link-free text must reach for the links to count against it: the classifier's own spam cut-off.
    static let linkFreeCut = 0.5
    /// Prior when the classifier is unavailable: the other layers decide from "probably fine".
    static let unscoredPrior = 0.1

    public init(thresholds: SpamThresholds, minimumSeconds: Double = 3) {
        self.thresholds = thresholds
        self.minimumSeconds = minimumSeconds
    }

    public init(settings: SiteSettings) {
        self.init(thresholds: settings.spamThresholds, minimumSeconds: settings.commentFormMinSeconds)
    }

    public func decide(_ e: SpamEvidence) -> SpamVerdict {
        if e.byModerator { return SpamVerdict(decision: .approve) }
        var reasons = e.policy.reasons.map { $0.hasPrefix("held: ") ? String($0.dropFirst(6)) : $0 }
        var others = 0.0  // log-odds from every layer but the classifier
        var mustHold = false
        if let shown = e.shownFor, shown < minimumSeconds {
            others += Self.tooFastWeight
            mustHold = true
            reasons.append("form sent \(String(format: "%.1f", max(0, shown))) s after it was shown")
        }
        let (memory, memoryReasons) = e.reputation.adjustment()
        others += memory
        reasons += memoryReasons
        let base: Double
        if let c = e.classifier {
            base = Self.logit(c.score)
            var text = "classifier " + String(format: "%.2f", c.score)
            let own = c.reasons.filter { !reasons.contains($0) }  // "2 links" is said once
            if c.score >= thresholds.hold, !own.isEmpty { text += " (" + own.joined(separator: ", ") + ")" }
            reasons.append(text)
        } else {
            base = Self.logit(Self.unscoredPrior)
            reasons.append("classifier unavailable")
        }
        let score = Self.sigmoid(base + others)
        if e.policy.status == .trash { return SpamVerdict(decision: .trash, score: score, reasons: reasons) }
        if score >= thresholds.spam {
            // Someone whose comments were approved before is held rather than lost on the classifier's word alone.
            if e.previouslyApproved && Self.sigmoid(others) < thresholds.spam {
                reasons.append("not sent to spam: author has approved comments")
                return SpamVerdict(decision: .hold, score: score, reasons: reasons)
            }
            // A reader cites a source or two; three links or more with little else is a link list, which the blog
            // corpus shows is spam (no real comment there has more than two).
            let manyLinks =
                !e.verifiedLinkback
                && (e.classifier?.signals.contains(where: { $0.hasSuffix(" links") && !$0.hasPrefix("2 ") }) ?? false)
            if !manyLinks, let bare = e.classifier?.withoutLinks, Self.sigmoid(Self.logit(bare) + others) < Self.linkFreeCut {
                reasons.append("not sent to spam: only its links look like spam")
                return SpamVerdict(decision: .hold, score: score, reasons: reasons)
            }
            // The classifier's word alone holds: a first comment that merely sounds like spam ("check out the new
            // edition") waits for a moderator instead of vanishing. Spam needs evidence beyond the words.
            let backing = corroboration(e, tooFast: mustHold && e.shownFor != nil)
            if backing.isEmpty {
                reasons.append("not sent to spam: nothing but its words (no link, no history, no listed word)")
                return SpamVerdict(decision: .hold, score: score, reasons: reasons)
            }
            reasons.append("backed by " + backing.joined(separator: ", "))
            return SpamVerdict(decision: .spam, score: score, reasons: reasons)
        }
        if score >= thresholds.hold || mustHold || e.policy.status == .pending {
            return SpamVerdict(decision: .hold, score: score, reasons: reasons)
        }
        return SpamVerdict(decision: .approve, score: score, reasons: reasons)
    }

    /// Evidence beyond the classifier's reading of the words: what the comment carries (links, a keyword name),
    /// the sender's spam history, a too-fast form, the site's moderation words.
    func corroboration(_ e: SpamEvidence, tooFast: Bool) -> [String] {
        var out = e.classifier?.signals ?? []
        if e.verifiedLinkback { out.removeAll { $0.hasSuffix(" link") || $0.hasSuffix(" links") } }
        // A website alone is no evidence: bloggers who comment give theirs (tried: it sent 2 of 468 real comments to spam).
        for key in Reputation.Key.allCases {
            if let c = e.reputation.counts[key], c.spam > 0 {
                out.append(key == .website ? "website \(e.reputation.websiteHost) had spam" : "\(key.label) had spam")
            }
        }
        if tooFast { out.append("form sent too soon") }
        if e.policy.reasons.contains(where: { $0.contains("moderation word") || $0.contains("disallowed") }) { out.append("moderation word") }
        return out
    }

    static func logit(_ p: Double) -> Double {
        let q = min(max(p, 1e-4), 1 - 1e-4)
        return log(q / (1 - q))
    }

    static func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }
}
