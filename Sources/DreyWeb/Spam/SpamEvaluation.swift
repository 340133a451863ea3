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

    /// Runs both evaluations on the same folds. `settings` supplies WordPress's rules and the thresholds.
    public static func run(samples: [(SpamSample, Bool)], folds: Int, seed: UInt64 = 1, settings: SiteSettings) -> SpamEvaluation {
        let thresholds = settings.spamThresholds
        let classifier = CrossValidation.run(samples: samples, folds: folds, seed: seed)
        let fold = CrossValidation.folds(labels: samples.map(\.1), folds: folds, seed: seed)
        let bare = scoresWithoutLinks(samples, fold: fold, scores: classifier.scores, from: thresholds.spam)
        let history = History(samples: samples, fold: fold)
        let policy = CommentPolicy(settings: settings)
        let judge = SpamJudge(settings: settings)
        var report = PipelineReport(thresholds: thresholds)
        for (i, (sample, isSpam)) in samples.enumerated() {
            let previously = history.hasApproved(i)
            let verdict = policy.decide(
                .init(
                    authorName: sample.author ?? "", email: sample.email ?? "", url: sample.url ?? "", ip: "", userAgent: "",
                    text: sample.text, hasPreviouslyApproved: previously))
            let decision = judge.decide(
                SpamEvidence(
                    policy: verdict, classifier: ClassifierOpinion(score: classifier.scores[i], withoutLinks: bare[i]),
                    reputation: history.reputation(i),
                    previouslyApproved: previously)
            ).decision
            switch (decision, isSpam) {
            case (.spam, true), (.trash, true): report.spamToSpam += 1
            case (.hold, true): report.spamHeld += 1
            case (_, true): report.spamApproved += 1
            case (.spam, false), (.trash, false): report.hamToSpam += 1
            case (.hold, false): report.hamHeld += 1
            case (_, false): report.hamApproved += 1
            }
        }
        return SpamEvaluation(classifier: classifier, pipeline: report)
    }

    /// Out-of-fold scores of the comments' link-free text, where the filter would ask for them (score ≥ `cut`).
    /// The fold models are trained again as `CrossValidation` trains them: same data, same order, same model.
    static func scoresWithoutLinks(_ samples: [(SpamSample, Bool)], fold: [Int], scores: [Double], from cut: Double) -> [Double?] {
        var bare = [Double?](repeating: nil, count: samples.count)
        for f in Set(fold).sorted() {
            let wanted = samples.indices.filter { fold[$0] == f && scores[$0] >= cut && samples[$0].0.withoutLinks() != nil }
            guard !wanted.isEmpty else { continue }
            var model = SpamModel()
            model.train(samples.indices.filter { fold[$0] != f }.map { samples[$0] })
            for i in wanted { bare[i] = samples[i].0.withoutLinks().map(model.score) }
        }
        return bare
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
