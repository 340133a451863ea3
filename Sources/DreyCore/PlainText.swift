/// Text without markup, for search indexes, excerpts and descriptions.
public enum PlainText {
    /// Strips tags and decodes the common entities; good enough for indexing, never for display as HTML.
    /// Works on UTF-8 bytes in one pass: it runs for every saved post and every listed excerpt.
    public static func fromHTML(_ html: String) -> String {
        var out: [UInt8] = []
        var source = html
        source.withUTF8 { bytes in
            out.reserveCapacity(bytes.count)
            var inTag = false
            var skipping: StaticString? = nil  // the end tag that ends a script or style
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if inTag {
                    if byte == UInt8(ascii: ">") { inTag = false }
                    continue
                }
                guard byte == UInt8(ascii: "<") else {
                    if skipping == nil { out.append(byte) }
                    continue
                }
                let at = index - 1
                if let end = skipping {
                    if hasPrefix(bytes, at, end) { skipping = nil }
                } else if hasPrefix(bytes, at, "<script") {
                    skipping = "</script"
                } else if hasPrefix(bytes, at, "<style") {
                    skipping = "</style"
                }
                inTag = true
                if let last = out.last, last != UInt8(ascii: " ") { out.append(UInt8(ascii: " ")) }
            }
        }
        return collapseWhitespace(decodeEntities(String(decoding: out, as: UTF8.self)))
    }

    /// Whether `bytes` has `prefix` at `at`, ignoring ASCII case.
    static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ at: Int, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard at + count <= bytes.count else { return false }
        let p = prefix.utf8Start
        for i in 0..<count where bytes[at + i] | 0x20 != p[i] | 0x20 { return false }
        return true
    }

    static let entities: [(String, String)] = [
        ("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#039;", "'"),
        ("&hellip;", "…"), ("&mdash;", "—"), ("&ndash;", "–"), ("&rsquo;", "’"), ("&lsquo;", "‘"),
        ("&rdquo;", "”"), ("&ldquo;", "“"), ("&amp;", "&"),
    ]

    /// The entities above decoded in one pass (`&amp;lt;` stays `&lt;`, as one decoding should).
    static func decodeEntities(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let tail = rest[amp...]
            if let (entity, value) = entities.first(where: { tail.hasPrefix($0.0) }) {
                out += value
                rest = tail.dropFirst(entity.count)
            } else {
                out += "&"
                rest = tail.dropFirst()
            }
        }
        out += rest
        return out
    }

    /// Runs of Unicode whitespace as one space, none at the ends; on bytes, the whitespace
    /// outside ASCII recognised by its UTF-8 encoding.
    static func collapseWhitespace(_ text: String) -> String {
        var source = text
        return source.withUTF8 { bytes in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var pendingSpace = false
            var index = 0
            while index < bytes.count {
                let width = whitespaceWidth(bytes, index)
                if width > 0 {
                    pendingSpace = !out.isEmpty
                    index += width
                    continue
                }
                if pendingSpace {
                    out.append(UInt8(ascii: " "))
                    pendingSpace = false
                }
                out.append(bytes[index])
                index += 1
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Bytes taken by the whitespace character at `i` (the Unicode White_Space set), or 0.
    static func whitespaceWidth(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let c = b[i]
        if c == 0x20 || (0x09...0x0D).contains(c) { return 1 }
        if c < 0xC2 { return 0 }
        func at(_ k: Int) -> UInt8 { i + k < b.count ? b[i + k] : 0 }
        switch c {
        case 0xC2: return at(1) == 0x85 || at(1) == 0xA0 ? 2 : 0  // NEL, NO-BREAK SPACE
        case 0xE1: return at(1) == 0x9A && at(2) == 0x80 ? 3 : 0  // OGHAM SPACE MARK
        case 0xE2:
            if at(1) == 0x80, (0x80...0x8A).contains(at(2)) || [0xA8, 0xA9, 0xAF].contains(at(2)) { return 3 }
            return at(1) == 0x81 && at(2) == 0x9F ? 3 : 0  // MEDIUM MATHEMATICAL SPACE
        case 0xE3: return at(1) == 0x80 && at(2) == 0x80 ? 3 : 0  // IDEOGRAPHIC SPACE
        default: return 0
        }
    }

    /// The first `words` words of `text`, with an ellipsis when cut.
    public static func truncate(_ text: String, words: Int) -> String {
        let parts = text.split(whereSeparator: { $0.isWhitespace })
        if parts.count <= words { return parts.joined(separator: " ") }
        return parts.prefix(words).joined(separator: " ") + "…"
    }
}
