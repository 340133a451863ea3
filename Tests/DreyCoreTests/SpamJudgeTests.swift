import Foundation
import Testing

@testable import DreyCore

@Suite struct SpamJudgeTests {
    let judge = SpamJudge(thresholds: SpamThresholds(hold: 0.2, spam: 0.9), minimumSeconds: 3)
    let fine = CommentPolicy.Verdict(status: .approved, reasons: [])

    func evidence(
        _ score: Double?, reasons: [String] = [], withoutLinks: Double? = nil, signals: [String] = [], policy: CommentPolicy.Verdict? = nil,
        shownFor: TimeInterval? = nil, reputation: Reputation = Reputation(), previouslyApproved: Bool = false, byModerator: Bool = false
    ) -> SpamEvidence {
        SpamEvidence(
            policy: policy ?? fine,
            classifier: score.map { ClassifierOpinion(score: $0, withoutLinks: withoutLinks, reasons: reasons, signals: signals) },
            shownFor: shownFor, reputation: reputation,
            previouslyApproved: previouslyApproved, byModerator: byModerator)
    }

    @Test("a low score is approved, a middling one held, a high one sent to spam, each with its reasons")
    func bands() {
        let approved = judge.decide(evidence(0.04))
        #expect(approved.decision == .approve)
        #expect(approved.status == .approved)
        #expect(approved.note == "approved: classifier 0.04")
        let held = judge.decide(evidence(0.5, reasons: ["word 'channel'"]))
        #expect(held.decision == .hold)
        #expect(held.note == "held: classifier 0.50 (word 'channel')")
        let spam = judge.decide(evidence(0.97, reasons: ["3 links", "phrase 'check out my'"], signals: ["3 links"]))
        #expect(spam.decision == .spam)
        #expect(spam.status == .spam)
        #expect(spam.note == "spam: classifier 0.97 (3 links, phrase 'check out my'); backed by 3 links")
        #expect(abs((spam.score ?? 0) - 0.97) < 1e-9)
    }

    @Test("WordPress's holds keep their reason beside the classifier's score")
    func policyReasons() {
        let links = CommentPolicy.Verdict(status: .pending, reasons: ["held: 3 links"])
        let verdict = judge.decide(evidence(0.85, policy: links))
        #expect(verdict.decision == .hold)
        #expect(verdict.note == "held: 3 links; classifier 0.85")
        let disallowed = CommentPolicy.Verdict(status: .trash, reasons: ["disallowed word 'viagra'"])
        let trash = judge.decide(evidence(0.01, policy: disallowed))
        #expect(trash.decision == .trash)
        #expect(trash.note == "trash: disallowed word 'viagra'; classifier 0.01")
    }

    @Test("a commenter with an approved comment is held, not sent to spam, on the classifier's word alone")
    func previouslyApproved() {
        let verdict = judge.decide(evidence(0.99, previouslyApproved: true))
        #expect(verdict.decision == .hold)
        #expect(verdict.reasons.last == "not sent to spam: author has approved comments")
        // Evidence besides the classifier (a spam history strong enough on its own) still sends it to spam.
        let history = Reputation(counts: [.email: .init(spam: 7), .website: .init(spam: 7)], websiteHost: "spam.example")
        #expect(judge.decide(evidence(0.99, reputation: history, previouslyApproved: true)).decision == .spam)
        #expect(judge.decide(evidence(0.99, signals: ["1 link"])).decision == .spam)
    }

    @Test("the classifier's word alone holds; spam needs evidence beyond the words, and the verdict names it")
    func corroboration() {
        // "Check out the new edition": words that sound like spam, nothing else.
        let words = judge.decide(evidence(0.99, reasons: ["phrase 'check out'"]))
        #expect(words.decision == .hold)
        #expect(words.reasons.last == "not sent to spam: nothing but its words (no link, no history, no listed word)")
        #expect(judge.decide(evidence(0.99, signals: ["sales words in name"])).reasons.last == "backed by sales words in name")
        let history = Reputation(counts: [.website: .init(spam: 1)], websiteHost: "spam.example")
        let known = judge.decide(evidence(0.99, reputation: history))
        #expect(known.decision == .spam)
        #expect(known.reasons.last == "backed by website spam.example had spam")
        #expect(judge.decide(evidence(0.99, shownFor: 0.5)).reasons.last == "backed by form sent too soon")
        let listed = CommentPolicy.Verdict(status: .pending, reasons: ["held: moderation word 'pills'"])
        #expect(judge.decide(evidence(0.99, policy: listed)).decision == .spam)
        // Below the spam cut-off corroboration changes nothing.
        #expect(judge.decide(evidence(0.5, signals: ["2 links"])).decision == .hold)
    }

    @Test("a comment that is spam only for its links is held, not sent to spam; links are WordPress's rule")
    func linksAlone() {
        let cited = judge.decide(evidence(0.99, reasons: ["2 links"], withoutLinks: 0.05))
        #expect(cited.decision == .hold)
        #expect(cited.reasons.last == "not sent to spam: only its links look like spam")
        #expect(judge.decide(evidence(0.99, reasons: ["2 links"], withoutLinks: 0.97, signals: ["2 links"])).decision == .spam)
        // Three links or more with little else is a link list: not spared.
        #expect(judge.decide(evidence(0.99, reasons: ["3 links"], withoutLinks: 0.05, signals: ["3 links"])).decision == .spam)
        // A verified linkback is made of links: they are no evidence, and it is no link list.
        var mention = evidence(0.99, reasons: ["3 links"], withoutLinks: 0.05, signals: ["3 links"])
        mention.verifiedLinkback = true
        #expect(judge.decide(mention).decision == .hold)
        var wordy = evidence(0.99, reasons: ["3 links"], withoutLinks: 0.97, signals: ["3 links"])
        wordy.verifiedLinkback = true
        #expect(judge.decide(wordy).decision == .hold)
        #expect(judge.decide(wordy).reasons.last == "not sent to spam: nothing but its words (no link, no history, no listed word)")
        // The reason WordPress gave is not repeated inside the classifier's.
        let links = CommentPolicy.Verdict(status: .pending, reasons: ["held: 2 links"])
        #expect(
            judge.decide(evidence(0.5, reasons: ["2 links", "word 'offer'"], policy: links)).note == "held: 2 links; classifier 0.50 (word 'offer')")
    }

    @Test("a form sent faster than a person can is held even when the text looks fine")
    func tooFast() {
        let verdict = judge.decide(evidence(0.01, shownFor: 1.2))
        #expect(verdict.decision == .hold)
        #expect(verdict.reasons.contains("form sent 1.2 s after it was shown"))
        #expect(judge.decide(evidence(0.01, shownFor: 3.5)).decision == .approve)
        // Clocks of two instances may disagree a little: a negative time reads as zero.
        #expect(judge.decide(evidence(0.01, shownFor: -0.4)).reasons.contains("form sent 0.0 s after it was shown"))
    }

    @Test("spam in a commenter's past raises the score, approvals lower it, and both are named")
    func memory() {
        let plain = judge.decide(evidence(0.1)).score ?? 0
        let spammer = judge.decide(evidence(0.1, reputation: Reputation(counts: [.ip: .init(spam: 3)])))
        let regular = judge.decide(evidence(0.1, reputation: Reputation(counts: [.email: .init(approved: 4)])))
        #expect((spammer.score ?? 0) > plain)
        #expect((regular.score ?? 1) < plain)
        #expect(spammer.decision == .hold)
        #expect(spammer.reasons.contains("IP had 3 spam"))
        #expect(regular.reasons.contains("email had 4 approved"))
        let site = Reputation(counts: [.website: .init(spam: 1, approved: 2)], websiteHost: "example.org")
        #expect(site.adjustment().reasons == ["website example.org had 1 spam, 2 approved"])
    }

    @Test("without a classifier the other layers decide, and the note says so")
    func unavailable() {
        let verdict = judge.decide(evidence(nil))
        #expect(verdict.decision == .approve)
        #expect(verdict.note == "approved: classifier unavailable")
        #expect(judge.decide(evidence(nil, shownFor: 0.5)).decision == .hold)
    }

    @Test("staff are trusted outright")
    func moderators() {
        #expect(judge.decide(evidence(0.99, byModerator: true)) == SpamVerdict(decision: .approve))
    }

    @Test("thresholds never cross, and the settings validate them")
    func thresholds() throws {
        #expect(SpamThresholds(hold: 0.6, spam: 0.3).spam == 0.6)
        #expect(SiteSettings().spamThresholds == SpamThresholds(hold: 0.12, spam: 0.9))
        #expect(try SettingKey.spamHoldScore.validate("0.35") == "0.35")
        #expect(throws: SettingError.self) { try SettingKey.spamSpamScore.validate("1.5") }
        #expect(throws: SettingError.self) { try SettingKey.spamHoldScore.validate("abc") }
        #expect(throws: SettingError.self) { try SettingKey.commentFloodSeconds.validate("-1") }
        #expect(try SettingKey.spamRetentionDays.validate("7") == "7")
        #expect(SiteSettings().commentFloodSeconds == 15)
        #expect(SiteSettings().spamRetentionDays == 30)
        #expect(SiteSettings().commentFormMaxAge == 86400)
    }

    @Test("a website's host is its memory key: lowercased, without www, whole")
    func websiteHost() {
        #expect(Reputation.websiteHost("https://WWW.Example.com/path?q=1") == "example.com")
        #expect(Reputation.websiteHost("example.org") == "example.org")
        #expect(Reputation.websiteHost("http://me.blogspot.com/") == "me.blogspot.com")
        #expect(Reputation.websiteHost("") == "")
        #expect(Reputation.websiteHost("not a url at all") == "")
    }
}

@Suite struct LinkCountTests {
    @Test("links are counted as WordPress counts them, in any case, fast on thousands")
    func count() {
        #expect(CommentPolicy.linkCount("see http://a.example and HTTPS://b.example, not http:/c or ftp://d") == 2)
        #expect(CommentPolicy.linkCount("<a href=\"Http://x.example\">x</a> https://y.example/https://z") == 3)
        #expect(CommentPolicy.linkCount("") == 0)
        #expect(CommentPolicy.linkCount((1...3000).map { "http://l\($0).example/" }.joined(separator: " ")) == 3000)
    }
}
