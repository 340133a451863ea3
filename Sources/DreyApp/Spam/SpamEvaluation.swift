import DreyCore
import DreySpam
import Foundation

/// Cross-validation of the classifier alone and of the whole filter on a labelled corpus (`drey spam eval`).
///
/// The pipeline is the one that runs (`SpamJudge`), fed with what a labelled file allows: WordPress's rules on the
/// text and the given fields, the classifier's out-of-fold score, and the commenter's history from the other folds
/// (approved comments by the same name and email; spam and approvals by the same email or website host), as if
/// those folds were the blog's past. Timing, rate limits and replays need live traffic and are not simulated.
public struct SpamEvaluation: Sendable {
    /// Counts of the pipeline's verdicts against the labels.
    public struct PipelineReport: Sendable {
        public var thresholds: SpamThresholds
        public var spamToSpam = 0, spamHeld = 0, spamApproved = 0
        public var hamToSpam = 0, hamHeld = 0, hamApproved = 0

        public var spam: Int { spamToSpam + spamHeld + spamApproved }
        public var ham: Int { hamToSpam + hamHeld + hamApproved }
        public var precision: Double { ratio(spamToSpam, spamToSpam + hamToSpam) }
        public var recall: Double { ratio(spamToSpam, spam) }
        public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
        /// Spam sent to spam or held: never shown to readers.
        public var spamKeptOffRate: Double { ratio(spamToSpam + spamHeld, spam) }
        /// Real comments sent to spam (or trash): the figure that must stay smallest.
        public var hamToSpamRate: Double { ratio(hamToSpam, ham) }
        public var hamHeldRate: Double { ratio(hamHeld, ham) }
        public var heldRate: Double { ratio(spamHeld + hamHeld, spam + ham) }

        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
    }

    public var classifier: CrossValidation.Report
    public var pipeline: PipelineReport
    /// The whole filter's verdict on each sample, in input order (for looking at the mistakes).
    public var verdicts: [SpamVerdict] = []

    /// Runs both evaluations on the same folds. `settings` supplies WordPress's rules and the thresholds.
    /// `fold` fixes the split (a corpus that carries its own, as the blog corpus does), else it is stratified by `seed`;
    /// `extra` is a second corpus every fold's model also trains on (the shipped model learns from both corpora);
    /// without `memory` the blog is new: no commenter has a history, nobody was approved before.
    public static func run(
        samples: [(SpamSample, Bool)], folds: Int, seed: UInt64 = 1, fold given: [Int]? = nil, extra: [(SpamSample, Bool)] = [],
        memory: Bool = true, settings: SiteSettings
    ) -> SpamEvaluation {
        let thresholds = settings.spamThresholds
        let fold = given ?? CrossValidation.folds(labels: samples.map(\.1), folds: folds, seed: seed)
        let (scores, bare) = CrossValidation.outOfFold(samples: samples, fold: fold, extra: extra, linkFreeFrom: thresholds.spam)
        let classifier = CrossValidation.report(scores: scores, labels: samples.map(\.1), folds: Set(fold).count)
        let history = History(samples: samples, fold: fold)
        let policy = CommentPolicy(settings: settings)
        let judge = SpamJudge(settings: settings)
        var report = PipelineReport(thresholds: thresholds)
        var verdicts: [SpamVerdict] = []
        verdicts.reserveCapacity(samples.count)
        for (i, (sample, isSpam)) in samples.enumerated() {
            let previously = memory && history.hasApproved(i)
            let verdict = policy.decide(
                .init(
                    authorName: sample.author ?? "", email: sample.email ?? "", url: sample.url ?? "", ip: "", userAgent: "",
                    text: sample.text, hasPreviouslyApproved: previously))
            let decided = judge.decide(
                SpamEvidence(
                    policy: verdict,
                    classifier: ClassifierOpinion(score: scores[i], withoutLinks: bare[i], signals: sample.signals()),
                    reputation: memory ? history.reputation(i) : Reputation(websiteHost: Reputation.websiteHost(sample.url ?? "")),
                    previouslyApproved: previously))
            verdicts.append(decided)
            switch (decided.decision, isSpam) {
            case (.spam, true), (.trash, true): report.spamToSpam += 1
            case (.hold, true): report.spamHeld += 1
            case (_, true): report.spamApproved += 1
            case (.spam, false), (.trash, false): report.hamToSpam += 1
            case (.hold, false): report.hamHeld += 1
            case (_, false): report.hamApproved += 1
            }
        }
        return SpamEvaluation(classifier: classifier, pipeline: report, verdicts: verdicts)
    }

    /// Wall-clock cost of training a model on all `samples`, and of scoring one comment (mean over the samples).
    public static func timings(samples: [(SpamSample, Bool)]) -> (training: Duration, perComment: Duration) {
        let clock = ContinuousClock()
        var model = SpamModel()
        let training = clock.measure { model.train(samples) }
        var sink = 0.0
        let scoring = clock.measure { for (sample, _) in samples { sink += model.score(sample) } }
        precondition(sink.isFinite)
        return (training, scoring / max(1, samples.count))
    }

    /// What the other folds know about each commenter.
    struct History {
        let fold: [Int]
        /// Folds holding a real comment by this name and email.
        var approvedBy: [String: Set<Int>] = [:]
        /// Per email and per website host: per fold, spam and real comments.
        var byEmail: [String: [Int: Reputation.Counts]] = [:]
        var byHost: [String: [Int: Reputation.Counts]] = [:]
        let samples: [(SpamSample, Bool)]

        init(samples: [(SpamSample, Bool)], fold: [Int]) {
            self.fold = fold
            self.samples = samples
            for (i, (s, isSpam)) in samples.enumerated() {
                if !isSpam, let key = Self.authorKey(s) { approvedBy[key, default: []].insert(fold[i]) }
                if let email = s.email, !email.isEmpty { Self.add(&byEmail[email, default: [:]], fold[i], isSpam) }
                let host = Reputation.websiteHost(s.url ?? "")
                if !host.isEmpty { Self.add(&byHost[host, default: [:]], fold[i], isSpam) }
            }
        }

        static func authorKey(_ s: SpamSample) -> String? {
            guard let author = s.author, !author.isEmpty else { return nil }
            return author + "\u{0}" + (s.email ?? "")
        }

        static func add(_ counts: inout [Int: Reputation.Counts], _ f: Int, _ isSpam: Bool) {
            if isSpam { counts[f, default: .init()].spam += 1 } else { counts[f, default: .init()].approved += 1 }
        }

        func hasApproved(_ i: Int) -> Bool {
            guard let key = Self.authorKey(samples[i].0), let folds = approvedBy[key] else { return false }
            return folds.contains { $0 != fold[i] }
        }

        func reputation(_ i: Int) -> Reputation {
            let s = samples[i].0
            var result = Reputation(websiteHost: Reputation.websiteHost(s.url ?? ""))
            func sum(_ perFold: [Int: Reputation.Counts]?) -> Reputation.Counts? {
                guard let perFold else { return nil }
                var total = Reputation.Counts()
                for (f, c) in perFold where f != fold[i] {
                    total.spam += c.spam
                    total.approved += c.approved
                }
                return total == Reputation.Counts() ? nil : total
            }
            result.counts[.email] = sum(byEmail[s.email ?? ""])
            result.counts[.website] = sum(byHost[result.websiteHost])
            return result
        }
    }
}
