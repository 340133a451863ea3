import DreyApp
import DreyCore
import DreySpam
import Foundation

/// The terminal text of `drey spam eval`.
enum SpamReportText {
    static func lines(_ e: SpamEvaluation, folds: Int, memory: Bool = true) -> [String] {
        let c = e.classifier
        let p = e.pipeline
        let spam = c.truePositives + c.falseNegatives
        let ham = c.falsePositives + c.trueNegatives
        return [
            "\(folds)-fold cross-validation: \(spam + ham) comments (\(spam) spam, \(ham) real)",
            "classifier alone (spam at score ≥ 0.50):",
            "  precision          " + fixed(c.precision),
            "  recall             " + fixed(c.recall),
            "  F1                 " + fixed(c.f1),
            "  real → spam        " + pct(c.hamToSpamRate) + "  (\(c.falsePositives) of \(ham))",
            "  held               " + pct(0) + "  (the classifier alone holds nothing)",
            "whole filter (hold ≥ \(fixed(p.thresholds.hold, 2)), spam ≥ \(fixed(p.thresholds.spam, 2)) with corroboration; WordPress's rules at their defaults",
            memory
                ? "  without \"previously approved\"; memory of commenters from the other folds):"
                : "  without \"previously approved\"; no memory of commenters: a new blog):",
            "  precision          " + fixed(p.precision),
            "  recall             " + fixed(p.recall),
            "  F1                 " + fixed(p.f1),
            "  real → spam        " + pct(p.hamToSpamRate) + "  (\(p.hamToSpam) of \(p.ham))",
            "  spam kept off      " + pct(p.spamKeptOffRate) + "  (\(p.spamToSpam) to spam, \(p.spamHeld) held, \(p.spamApproved) published)",
            "  spam → spam        " + pct(p.recall) + "  (the rest of the spam kept off is held for the moderator)",
            "  real held          " + pct(p.hamHeldRate) + "  (\(p.hamHeld) of \(p.ham))",
            "  held               " + pct(p.heldRate) + "  (\(p.spamHeld + p.hamHeld) of \(p.spam + p.ham))",
        ]
    }

    /// The whole filter's mistakes, one a line: real comments sent to spam, then spam published.
    static func mistakes(_ e: SpamEvaluation, samples: [(SpamSample, Bool)]) -> [String] {
        var out: [String] = []
        for (verdict, (sample, isSpam)) in zip(e.verdicts, samples) {
            let lost = !isSpam && (verdict.decision == .spam || verdict.decision == .trash)
            let shown = isSpam && verdict.decision == .approve
            guard lost || shown else { continue }
            let text = sample.text.replacingOccurrences(of: "\n", with: " ")
            out.append((lost ? "  real → spam: " : "  spam shown: ") + "\(sample.author ?? "") | \(text.prefix(100)) | \(verdict.note)")
        }
        return out
    }

    static func timing(training: Duration, perComment: Duration, count: Int) -> String {
        "timing: training on all \(count) comments \(String(format: "%.2f", seconds(training))) s; "
            + "scoring \(String(format: "%.3f", seconds(perComment) * 1000)) ms a comment"
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func fixed(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }
    static func pct(_ x: Double) -> String { String(format: "%6.2f%%", x * 100) }
}
