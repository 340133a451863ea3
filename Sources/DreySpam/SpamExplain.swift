import Foundation

extension SpamModel {
    /// Up to `limit` reasons behind a score, strongest first, e.g. ["3 links", "phrase 'check out my'", "word 'subscribe'", "classifier 0.91"].
    /// Only what pushed toward spam is listed; the classifier's score always comes last.
    public func explain(_ sample: SpamSample, limit: Int = 5) -> [String] {
        let (x, analysis, phrases, names) = tuning.vectorize(sample, names: true)
        // A reason must move the log-odds by at least this much (≈6 points of probability near 0.5) to be worth a moderator's time.
        let minimum: Float = 0.25
        var reasons: [(weight: Float, text: String)] = []
        var linkWeight: Float = 0
        for cue in Cue.allCases where x.cues[cue.rawValue] != 0 {
            let w = cueWeights[cue.rawValue] * x.cues[cue.rawValue]
            // The link-count cues describe one fact ("3 links"): add their pushes together.
            if cue == .oneLink || cue == .twoLinks || cue == .threeLinks {
                linkWeight += w
                continue
            }
            if w >= minimum, let text = cue.reason(analysis, phrase: phrases[cue]) { reasons.append((w, text)) }
        }
        if linkWeight >= minimum, let text = Cue.oneLink.reason(analysis, phrase: nil) { reasons.append((linkWeight, text)) }
        // Word n-grams name themselves; character n-grams are too small to mean anything to a moderator.
        var words: [Int32: Float] = [:]
        for k in 0..<x.indices.count { if names[x.indices[k]] != nil { words[x.indices[k], default: 0] += weights[Int(x.indices[k])] * x.values[k] } }
        for (index, w) in words where w >= minimum {
            if let name = names[index], let text = Self.describe(name) { reasons.append((w, text)) }
        }
        reasons.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.text < $1.text }
        // Skip a reason whose quoted words another listed reason already holds ("check out" beside "check out my").
        func quoted(_ text: String) -> String? { text.split(separator: "'", omittingEmptySubsequences: false).dropFirst().first.map(String.init) }
        var chosen: [String] = []
        for r in reasons where chosen.count < max(0, limit - 1) && !chosen.contains(r.text) {
            if let q = quoted(r.text), reasons.contains(where: { $0.text != r.text && (quoted($0.text).map { $0.contains(q) && $0 != q } ?? false) })
            {
                continue
            }
            if let q = quoted(r.text), chosen.contains(where: { quoted($0) == q }) { continue }
            chosen.append(r.text)
        }
        var out = chosen
        out.append("classifier " + String(format: "%.2f", Double(sigmoid(margin(x)))))
        return out
    }

    /// A moderator-readable name for a word feature, or nil when it says nothing new (links are counted already,
    /// one- and two-letter words are noise, placeholders inside bigrams read badly).
    static func describe(_ name: String) -> String? {
        let parts = name.split(separator: " ")
        if parts.count == 1 {
            switch name {
            case "<url>", "<email>", "<num>", "<long>": return nil
            case "<money>": return "currency sign"
            default:
                if name.hasPrefix("dom:") { return "link to " + name.dropFirst(4) }
                return name.count <= 2 ? nil : "word '\(name)'"
            }
        }
        guard !parts.contains(where: { $0.hasPrefix("<") || $0.hasPrefix("dom:") }) else { return nil }
        return "phrase '\(name)'"
    }
}
