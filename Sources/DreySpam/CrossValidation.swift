import Foundation

/// Stratified k-fold cross-validation of the classifier alone: how `drey spam eval` measures it.
public struct CrossValidation {
    /// Two cut-offs for a pipeline that holds doubtful comments: score ≥ `spam` goes to spam, `hold` ≤ score < `spam` is held.
    public struct Thresholds: Sendable, Equatable {
        /// Lowest score that keeps a comment off the page (held for moderation).
        public var hold: Double
        /// Lowest score that sends a comment straight to spam.
        public var spam: Double
        /// Creates a threshold pair; `hold` should not exceed `spam`.
        public init(hold: Double, spam: Double) {
            self.hold = hold
            self.spam = min(max(hold, spam), 1)
        }
    }

    /// The confusion counts and rates over all folds pooled.
    public struct Report: Sendable, CustomStringConvertible {
        /// Number of folds.
        public var folds: Int
        /// Spam marked spam.
        public var truePositives = 0
        /// Real comments marked spam.
        public var falsePositives = 0
        /// Spam let through (not marked spam).
        public var falseNegatives = 0
        /// Real comments let through.
        public var trueNegatives = 0
        /// The hold/spam pair the report used, if any.
        public var thresholds: Thresholds?
        /// Spam scored in the hold band.
        public var spamHeld = 0
        /// Real comments scored in the hold band.
        public var hamHeld = 0
        /// Out-of-fold score of every sample, in input order (for curves and threshold choice).
        public var scores: [Double] = []

        /// Share of comments marked spam that are spam.
        public var precision: Double { ratio(truePositives, truePositives + falsePositives) }
        /// Share of spam marked spam.
        public var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
        /// Harmonic mean of precision and recall.
        public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
        /// Share of real comments marked spam: the figure that must stay small.
        public var hamToSpamRate: Double { ratio(falsePositives, falsePositives + trueNegatives) }
        /// Share of spam kept off the page, marked spam or held.
        public var spamKeptOffRate: Double { ratio(truePositives + spamHeld, truePositives + falseNegatives) }
        /// Share of real comments held for moderation (not published at once, not spam).
        public var hamHeldRate: Double { ratio(hamHeld, falsePositives + trueNegatives) }
        /// Share of all comments held for moderation.
        public var heldRate: Double { ratio(spamHeld + hamHeld, truePositives + falsePositives + falseNegatives + trueNegatives) }

        private func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

        /// A few aligned lines for the terminal.
        public var description: String {
            func pct(_ x: Double) -> String { String(format: "%6.2f%%", x * 100) }
            let spam = truePositives + falseNegatives
            let ham = falsePositives + trueNegatives
            var lines = [
                "\(folds)-fold cross-validation: \(spam + ham) comments (\(spam) spam, \(ham) ham)",
                "  precision      " + String(format: "%.4f", precision),
                "  recall         " + String(format: "%.4f", recall),
                "  F1             " + String(format: "%.4f", f1),
                "  ham → spam     " + pct(hamToSpamRate) + "  (\(falsePositives) of \(ham))",
                "  spam missed    " + pct(1 - recall) + "  (\(falseNegatives) of \(spam))",
            ]
            if let t = thresholds {
                lines.append("  with hold ≥ \(String(format: "%.2f", t.hold)), spam ≥ \(String(format: "%.2f", t.spam)):")
                lines.append("    spam kept off " + pct(spamKeptOffRate) + "  (\(truePositives + spamHeld) of \(spam))")
                lines.append("    ham held      " + pct(hamHeldRate) + "  (\(hamHeld) of \(ham))")
                lines.append("    all held      " + pct(heldRate))
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Runs stratified `folds`-fold cross-validation: each fold is scored by a fresh model trained on the others.
    /// The split depends only on `seed` and the sample order, so the figures repeat exactly from run to run.
    public static func run(samples: [(SpamSample, Bool)], folds: Int = 5, seed: UInt64 = 1, hold: Thresholds? = nil) -> Report {
        run(samples: samples, folds: folds, seed: seed, hold: hold, tuning: SpamTuning())
    }

    static func run(samples: [(SpamSample, Bool)], folds k: Int, seed: UInt64, hold: Thresholds?, tuning: SpamTuning) -> Report {
        let k = max(2, min(k, samples.count))
        let fold = assignFolds(labels: samples.map(\.1), folds: k, seed: seed)
        // Vectorise once: features do not depend on the training data.
        let vectors = samples.map { tuning.vectorize($0.0).0 }
        var scores = [Double](repeating: 0, count: samples.count)
        for f in 0..<k {
            var model = SpamModel(tuning: tuning)
            let train = samples.indices.filter { fold[$0] != f }
            model.fit(train.map { vectors[$0] }, labels: train.map { samples[$0].1 })
            for i in samples.indices where fold[i] == f { scores[i] = Double(sigmoid(model.margin(vectors[i]))) }
        }
        var report = Report(folds: k)
        report.thresholds = hold
        report.scores = scores
        let spamCut = hold?.spam ?? Double(tuning.threshold)
        for (i, s) in scores.enumerated() {
            let isSpam = samples[i].1
            switch (s >= spamCut, isSpam) {
            case (true, true): report.truePositives += 1
            case (true, false): report.falsePositives += 1
            case (false, true): report.falseNegatives += 1
            case (false, false): report.trueNegatives += 1
            }
            if let hold, s >= hold.hold, s < spamCut { if isSpam { report.spamHeld += 1 } else { report.hamHeld += 1 } }
        }
        return report
    }

    /// Shuffles each class with the seed and deals it round-robin, so every fold has the corpus's spam share.
    static func assignFolds(labels: [Bool], folds k: Int, seed: UInt64) -> [Int] {
        var rng = SplitMix64(seed: seed)
        var fold = [Int](repeating: 0, count: labels.count)
        for cls in [true, false] {
            var members = labels.indices.filter { labels[$0] == cls }
            rng.shuffle(&members)
            for (n, i) in members.enumerated() { fold[i] = n % k }
        }
        return fold
    }
}
