import Foundation

/// The knobs of features and training. Defaults are the values 5-fold cross-validation on the YouTube corpus chose.
struct SpamTuning: Sendable, Equatable {
    /// Hashed feature space is 2^bits; 2^18 keeps collisions rare for a blog's vocabulary and the model under a few MB in memory.
    var bits = 18
    var charMin = 3, charMax = 5
    var wordWeight: Float = 1
    var charWeight: Float = 1.5
    var cueScale: Float = 0.5
    var bigrams = true
    var lambda: Float = 1e-5
    var epochs = 15
    var eta0: Float = 0.5
    /// Weight of a ham example's loss: above 1 makes marking a real comment spam cost more than missing spam.
    var hamWeight: Float = 1
    var threshold: Float = 0.5
    var seed: UInt64 = 0x5EED
    var onlineRate: Float = 0.5
    var onlineSteps = 8
    /// Weight of the naive Bayes log-odds in the final score, and its smoothing.
    var bayesWeight: Float = 0.1
    var bayesAlpha: Float = 0.03
    /// Weight of the words of the commenter's name and website host ("Water Damage Restoration",
    /// "roofers-near-me"): on a blog, a keyword name with a website is what most link spam looks like.
    var nameWeight: Float = 0.5

    var mask: Int { (1 << bits) - 1 }
}

/// One sample as numbers: sparse hashed n-grams plus the dense named cues.
struct FeatureVector {
    var indices: [Int32] = []
    var values: [Float] = []
    var cues: [Float] = []
}

/// Stable hashes: FNV-1a then a Murmur3 finaliser. Swift's `Hasher` is seeded per process, which would scramble a stored model.
enum FeatureHash {
    static let basis: UInt32 = 2_166_136_261
    static let prime: UInt32 = 16_777_619
    static let wordSeed: UInt32 = 0x9E37_79B9
    static let nameSeed: UInt32 = 0x85EB_CA77
    static let siteSeed: UInt32 = 0xC2B2_AE3D

    @inline(__always) static func fmix(_ x: UInt32) -> UInt32 {
        var h = x
        h ^= h >> 16
        h &*= 0x85EB_CA6B
        h ^= h >> 13
        h &*= 0xC2B2_AE35
        h ^= h >> 16
        return h
    }

    /// Raw FNV-1a state over a string's UTF-8, continuing from `state` so bigrams chain from their first word.
    @inline(__always) static func fnv(_ s: String, state: UInt32) -> UInt32 {
        var h = state
        for b in s.utf8 { h = (h ^ UInt32(b)) &* prime }
        return h
    }
}

extension SpamTuning {
    /// Turns a sample into features; with `names`, also returns which word feature index came from which token (for `explain`).
    func vectorize(_ sample: SpamSample, names: Bool = false) -> (FeatureVector, TextAnalysis, [Cue: String], [Int32: String]) {
        let a = TextAnalysis(sample.text)
        var v = FeatureVector()
        var nameOf: [Int32: String] = [:]
        let m = UInt32(mask)

        // Words: unigrams and bigrams, presence only (a comment repeating "subscribe" is no more spam for the fifth copy).
        var wordIdx: [Int32] = []
        wordIdx.reserveCapacity(a.tokens.count * 2 + 4)
        var prev: UInt32? = nil
        var prevToken = ""
        for t in a.tokens {
            let h = FeatureHash.fnv(t, state: FeatureHash.basis ^ FeatureHash.wordSeed)
            let i = Int32(FeatureHash.fmix(h) & m)
            wordIdx.append(i)
            if names { nameOf[i] = t }
            if bigrams, let p = prev {
                let b = FeatureHash.fnv(t, state: (p ^ 0x1F) &* FeatureHash.prime)
                let j = Int32(FeatureHash.fmix(b) & m)
                wordIdx.append(j)
                if names { nameOf[j] = prevToken + " " + t }
            }
            prev = h
            prevToken = t
        }
        appendGroup(wordIdx, weight: wordWeight, sublinear: false, into: &v)

        // Character n-grams: catch misspellings, glued words and obfuscations the tokenizer misses.
        var charIdx: [Int32] = []
        let s = a.scalars
        if s.count >= charMin {
            charIdx.reserveCapacity(s.count * (charMax - charMin + 1))
            for start in 0...(s.count - charMin) {
                var h = FeatureHash.basis
                let end = min(start + charMax, s.count)
                for k in start..<end {
                    h = (h ^ s[k]) &* FeatureHash.prime
                    if k - start + 1 >= charMin { charIdx.append(Int32(FeatureHash.fmix(h) & m)) }
                }
            }
        }
        appendGroup(charIdx, weight: charWeight, sublinear: true, into: &v)

        // Name and website words, apart from the text's words so a name never reads as part of the comment.
        var nameIdx: [Int32] = []
        if nameWeight > 0 {
            var nameTokens: [String] = []
            if let author = sample.author?.lowercased() { TextAnalysis.words(in: author, into: &nameTokens) }
            let nameCount = nameTokens.count
            if let url = sample.url?.lowercased(), !url.isEmpty {
                let host = TextAnalysis.hostPart(
                    Substring(url.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")))
                TextAnalysis.words(in: host, into: &nameTokens)
            }
            for (k, t) in nameTokens.enumerated() {
                let h = FeatureHash.fnv(t, state: FeatureHash.basis ^ (k < nameCount ? FeatureHash.nameSeed : FeatureHash.siteSeed))
                nameIdx.append(Int32(FeatureHash.fmix(h) & m))
            }
        }
        appendGroup(nameIdx, weight: nameWeight, sublinear: false, into: &v)

        let (cues, phrases) = Cue.evaluate(a, sample)
        v.cues = cues.map { $0 * cueScale }
        return (v, a, phrases, nameOf)
    }

    /// Counts repeats, weighs them (log for characters, presence for words) and scales the group to unit length times `weight`.
    private func appendGroup(_ raw: [Int32], weight: Float, sublinear: Bool, into v: inout FeatureVector) {
        guard !raw.isEmpty, weight > 0 else { return }
        let sorted = raw.sorted()
        var idx: [Int32] = []
        var val: [Float] = []
        idx.reserveCapacity(sorted.count)
        val.reserveCapacity(sorted.count)
        var i = 0
        while i < sorted.count {
            var j = i + 1
            while j < sorted.count, sorted[j] == sorted[i] { j += 1 }
            idx.append(sorted[i])
            val.append(sublinear ? 1 + log(Float(j - i)) : 1)
            i = j
        }
        let norm = val.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let k = weight / norm
        v.indices.append(contentsOf: idx)
        v.values.append(contentsOf: val.map { $0 * k })
    }
}
