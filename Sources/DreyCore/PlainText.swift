/// Text without markup, for search indexes, excerpts and descriptions.
public enum PlainText {
    /// Strips tags (and the content of `script` and `style`) and decodes the common entities, in one
    /// linear pass; stops early once `maxWords` words are collected. Good for indexing and excerpts,
    /// never for display as HTML.
    public static func fromHTML(_ html: String, maxWords: Int = .max) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(min(html.utf8.count, maxWords == .max ? html.utf8.count : maxWords * 12))
        var words = 0
        var pendingSpace = false
        var cut = false
        var skipUntil: [UInt8]? = nil  // the closing tag that ends a script or style element
        let bytes = Array(html.utf8)
        var i = 0
        func appendText(_ b: UInt8) {
            if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D {
                pendingSpace = !out.isEmpty
                return
            }
            if out.isEmpty || pendingSpace {
                // A new word begins; when the budget is spent, stop here.
                if words == maxWords {
                    cut = true
                    return
                }
                words += 1
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
            }
            out.append(b)
        }
        while i < bytes.count && !cut {
            let b = bytes[i]
            if b == UInt8(ascii: "<") {
                if let end = skipUntil {
                    if Self.hasPrefix(bytes, i, end) {
                        skipUntil = nil
                    } else {
                        i += 1
                        continue
                    }
                } else if Self.hasPrefix(bytes, i, Array("<script".utf8)) {
                    skipUntil = Array("</script".utf8)
                } else if Self.hasPrefix(bytes, i, Array("<style".utf8)) {
                    skipUntil = Array("</style".utf8)
                }
                // Skip to the end of the tag; a tag separates words.
                while i < bytes.count && bytes[i] != UInt8(ascii: ">") { i += 1 }
                i += 1
                pendingSpace = !out.isEmpty
                continue
            }
            if skipUntil != nil {
                i += 1
                continue
            }
            if b == UInt8(ascii: "&"), let (decoded, length) = Self.entity(bytes, i) {
                for d in decoded { appendText(d) }
                i += length
                continue
            }
            appendText(b)
            i += 1
        }
        let text = String(decoding: out, as: UTF8.self)
        return cut ? text + "…" : text
    }

    static func hasPrefix(_ bytes: [UInt8], _ at: Int, _ prefix: [UInt8]) -> Bool {
        guard at + prefix.count <= bytes.count else { return false }
        for k in 0..<prefix.count {
            var c = bytes[at + k]
            if c >= 0x41 && c <= 0x5A { c += 0x20 }  // ASCII case-insensitive
            if c != prefix[k] { return false }
        }
        return true
    }

    static let entities: [(String, String)] = [
        ("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#039;", "'"), ("&hellip;", "…"),
        ("&mdash;", "—"), ("&ndash;", "–"), ("&rsquo;", "’"), ("&lsquo;", "‘"), ("&rdquo;", "”"), ("&ldquo;", "“"), ("&amp;", "&"),
    ]
    static let entityBytes: [([UInt8], [UInt8])] = entities.map { (Array($0.0.utf8), Array($0.1.utf8)) }

    static func entity(_ bytes: [UInt8], _ at: Int) -> ([UInt8], Int)? {
        for (name, value) in entityBytes where hasPrefix(bytes, at, name) { return (value, name.count) }
        return nil
    }

    /// The first `words` words of `text`, with an ellipsis when cut.
    public static func truncate(_ text: String, words: Int) -> String {
        let parts = text.split(whereSeparator: { $0.isWhitespace })
        if parts.count <= words { return parts.joined(separator: " ") }
        return parts.prefix(words).joined(separator: " ") + "…"
    }
}
