import Foundation

/// What the tokenizer saw in one comment: word tokens, links and the surface cues the engineered features read.
struct TextAnalysis {
    /// Lowercased word tokens in order; links become `<url>` plus `dom:host`, digit runs `<num>`.
    var tokens: [String] = []
    /// Distinct link hosts, `www.` removed, sorted so results never depend on set order.
    var domains: [String] = []
    var links = 0
    /// "site . com", "site dot com": spammers break links so filters miss them.
    var disguisedLinks = 0
    var videoLinks = 0
    var emails = 0
    var casedLetters = 0
    var uppercase = 0
    /// Longest run of one repeated non-space, non-digit character ("!!!!", "soooo").
    var longestRun = 0
    var exclamations = 0
    /// Lowercased text, whitespace collapsed and padded with one space, as scalars for character n-grams.
    var scalars: [UInt32] = []
    var scalarCount = 0
    /// The comment was longer than `maxScalars`: counts are lower bounds.
    var truncated = false

    /// Top-level domains we accept in bare "name.tld" links; a short list avoids calling "e.g." or "u.s." a link.
    static let tlds: Set<String> = [
        "com", "net", "org", "info", "biz", "ru", "de", "uk", "co", "ly", "be", "me", "tv", "us", "io", "tk",
        "gl", "cc", "in", "fr", "it", "nl", "pl", "es", "br", "ca", "au", "eu", "ws", "xyz", "site", "online",
        "club", "top", "ml", "ga", "cf", "gq", "pw", "to", "gg", "fm", "am", "shop", "store", "blog",
    ]

    /// Comments longer than this are cut for analysis: the head carries the signal and scoring stays fast on huge input.
    static let maxScalars = 5000

    init(_ raw: String) {
        // Cut before the costly passes (HTML, NFKC) so a megabyte comment costs no more than a long one.
        var head = raw
        if raw.utf8.count > Self.maxScalars * 4 {
            head = String(raw.unicodeScalars.prefix(Self.maxScalars * 4))
            truncated = true
        }
        // NFKC folds look-alikes spammers use to dodge filters (fullwidth "ｈｔｔｐ", ligatures, circled letters).
        var text = CommentHTML.of(head)
        if text.utf8.contains(where: { $0 >= 0x80 }) { text = text.precomposedStringWithCompatibilityMapping }
        var cleaned = String.UnicodeScalarView()
        var count = 0
        var run = 0
        var last: Unicode.Scalar = " "
        for s in text.unicodeScalars {
            switch s.value {
            case 0xFEFF, 0x200B, 0x200C, 0x200D, 0x2060, 0x00AD: continue  // invisible: used to dodge filters
            default: break
            }
            count += 1
            if count > Self.maxScalars {
                truncated = true
                break
            }
            cleaned.append(s)
            let v = s.value
            if v < 0x80 {  // ASCII fast path: Unicode property lookups dominate otherwise
                if v >= 65 && v <= 90 {
                    uppercase += 1
                    casedLetters += 1
                } else if v >= 97 && v <= 122 {
                    casedLetters += 1
                }
            } else {
                let p = s.properties
                if p.isUppercase {
                    uppercase += 1
                    casedLetters += 1
                } else if p.isLowercase {
                    casedLetters += 1
                }
            }
            if v == 33 { exclamations += 1 }
            if s == last, !Self.isSpace(s), !(v >= 48 && v <= 57) {
                run += 1
            } else {
                run = 1
                last = s
            }
            longestRun = max(longestRun, run)
        }
        scalarCount = count
        let lower = String(cleaned).lowercased()

        // Character n-gram source: collapse whitespace so layout tricks do not change the grams.
        scalars.reserveCapacity(lower.utf8.count + 2)
        scalars.append(32)
        var chunks: [Substring] = []
        var chunkStart: String.Index? = nil
        let view = lower.unicodeScalars
        var i = view.startIndex
        while i < view.endIndex {
            let s = view[i]
            if Self.isSpace(s) {
                if scalars.last != 32 { scalars.append(32) }
                if let start = chunkStart {
                    chunks.append(lower[start..<i])
                    chunkStart = nil
                }
            } else {
                scalars.append(s.value)
                if chunkStart == nil { chunkStart = i }
            }
            view.formIndex(after: &i)
        }
        if let start = chunkStart { chunks.append(lower[start...]) }
        if scalars.last != 32 { scalars.append(32) }

        var hosts = Set<String>()
        for (i, chunk) in chunks.enumerated() {
            let bare = Self.trimEdges(chunk)
            if let host = Self.linkHost(bare) {
                links += 1
                if !host.isEmpty { hosts.insert(host) }
                if host.hasSuffix("youtube.com") || host == "youtu.be" { videoLinks += 1 }
                tokens.append("<url>")
                if !host.isEmpty { tokens.append("dom:" + host) }
            } else if bare.utf8.contains(64), bare.utf8.contains(46), bare.utf8.first != 64 {  // "@" and "." but not a @handle
                emails += 1
                tokens.append("<email>")
            } else if i + 1 < chunks.count, Self.isDisguisedLink(bare, chunk, next: chunks[i + 1]) {
                disguisedLinks += 1
            }
            Self.words(in: bare, into: &tokens)
        }
        domains = hosts.sorted()
    }

    @inline(__always) static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x80 ? (s.value == 32 || (s.value >= 9 && s.value <= 13)) : s.properties.isWhitespace
    }

    /// Drops quotes, brackets and sentence punctuation around a chunk ("(www.x.com)." → "www.x.com").
    static func trimEdges(_ chunk: Substring) -> Substring {
        let u = chunk.unicodeScalars
        guard let first = u.firstIndex(where: { !isEdge($0) }) else { return chunk[chunk.endIndex...] }
        let last = u.lastIndex(where: { !isEdge($0) })!
        return Substring(u[first...last])
    }

    static func isEdge(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "(", ")", "[", "]", "{", "}", "<", ">", "\"", "'", "“", "”", "‘", "’", ".", ",", "!", "?", ":", ";", "*", "~", "|": return true
        default: return false
        }
    }

    /// The host of a link-looking chunk ("" when only the path shows, as in "watch?v=…"), or nil.
    static func linkHost(_ chunk: Substring) -> String? {
        var s = chunk
        var explicit = false
        // BBCode: "[url=http://x.example]anchor[/url]" (the bracket is trimmed already).
        if s.hasPrefix("url=") { s = s.dropFirst(4) }
        for scheme in ["https://", "http://"] where s.hasPrefix(scheme) {
            s = s.dropFirst(scheme.count)
            explicit = true
        }
        if s.hasPrefix("www.") {
            s = s.dropFirst(4)
            explicit = true
        }
        if !explicit, let r = find("watch?v=", in: s) { return r == 0 ? "youtube.com" : hostPart(s) }
        let host = hostPart(s)
        if explicit { return host }
        // Bare "name.tld[/path]": require letters before the dot and a known TLD after the last one.
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let tld = labels.last, tld.utf8.count <= 6, tlds.contains(String(tld)),
            labels.dropLast().allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } })
        else { return nil }
        return host
    }

    static func hostPart(_ s: Substring) -> String {
        let end = s.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0 == ":" || $0 == "]" }) ?? s.endIndex
        return String(s[..<end])
    }

    /// "kidsmediausa . com", "site dot com", "site .com", "site. com".
    static func isDisguisedLink(_ bare: Substring, _ chunk: Substring, next: Substring) -> Bool {
        let nextBare = String(trimEdges(next))
        if chunk == "dot" || chunk == "(dot)" || chunk == "[dot]" || chunk == "." { return tlds.contains(nextBare) }
        if next.hasPrefix("."), tlds.contains(nextBare) { return !bare.isEmpty }
        if chunk.hasSuffix("."), bare.utf8.count >= 3 { return nextBare == "com" || nextBare == "net" || nextBare == "org" }
        return false
    }

    /// Byte offset of an ASCII needle in a string, without Foundation's slow bridged search.
    static func find(_ needle: StaticString, in hay: Substring) -> Int? {
        let n = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        let h = Array(hay.utf8)
        guard h.count >= n.count else { return nil }
        outer: for start in 0...(h.count - n.count) {
            for k in 0..<n.count where h[start + k] != n[k] { continue outer }
            return start
        }
        return nil
    }

    /// Appends the letter/digit runs of a chunk; apostrophes inside words vanish ("i'm" → "im"), digit runs become `<num>`.
    static func words(in chunk: some StringProtocol, into tokens: inout [String]) {
        var current = String.UnicodeScalarView()
        var allDigits = true
        func flush() {
            guard !current.isEmpty else { return }
            tokens.append(allDigits ? "<num>" : (current.count > 30 ? "<long>" : String(current)))
            current = .init()
            allDigits = true
        }
        for s in chunk.unicodeScalars {
            let v = s.value
            let ascii = v < 0x80
            let isDigit = v >= 48 && v <= 57
            if ascii ? (isDigit || (v | 0x20 >= 97 && v | 0x20 <= 122)) : (s.properties.isAlphabetic || s.properties.numericType != nil) {
                current.append(s)
                if !isDigit { allDigits = false }
            } else if s == "'" || s == "’", !current.isEmpty {
                continue
            } else {
                flush()
                if ascii && v != 36 { continue }  // "$" is the only ASCII symbol worth a token
                // Emoji and symbols are single tokens: hearts and thumbs say something about intent.
                if s.properties.generalCategory == .currencySymbol {
                    tokens.append("<money>")
                } else if s.properties.isEmojiPresentation || s.properties.generalCategory == .otherSymbol {
                    tokens.append(String(s))
                }
            }
        }
        flush()
    }
}
