import DreyCore
import DreySpam
import DreyWeb
import Foundation

/// The terminal text of `drey spam eval`.
enum SpamReportText {
    static func lines(_ e: SpamEvaluation, folds: Int) -> [String] {
        let c = e.classifier, p = e.pipeline
        let spam = c.truePositives + c.falseNegatives, ham = c.falsePositives + c.trueNegatives
        return [
            "\(folds)-fold cross-validation: \(spam + ham) comments (\(spam) spam, \(ham) real)",
            "classifier alone (spam at score ≥ 0.50):",
            "  precision          " + fixed(c.precision),
            "  recall             " + fixed(c.recall),
            "  F1                 " + fixed(c.f1),
            "  real → spam        " + pct(c.hamToSpamRate) + "  (\(c.falsePositives) of \(ham))",
            "  held               " + pct(0) + "  (the classifier alone holds nothing)",
            "whole filter (hold ≥ \(fixed(p.thresholds.hold, 2)), spam ≥ \(fixed(p.thresholds.spam, 2)); WordPress's rules at their defaults",
            "  without \"previously approved\"; memory of commenters from the other folds):",
            "  precision          " + fixed(p.precision),
            "  recall             " + fixed(p.recall),
            "  F1                 " + fixed(p.f1),
            "  real → spam        " + pct(p.hamToSpamRate) + "  (\(p.hamToSpam) of \(p.ham))",
            "  spam kept off      " + pct(p.spamKeptOffRate) + "  (\(p.spamToSpam) to spam, \(p.spamHeld) held, \(p.spamApproved) published)",
            "  real held          " + pct(p.hamHeldRate) + "  (\(p.hamHeld) of \(p.ham))",
            "  held               " + pct(p.heldRate) + "  (\(p.spamHeld + p.hamHeld) of \(p.spam + p.ham))",
        ]
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
