/// Text without markup, for search indexes, excerpts and descriptions.
public enum PlainText {
    /// Strips tags and decodes the common entities; good enough for indexing, never for display as HTML.
    public static func fromHTML(_ html: String) -> String {
        var out = ""
        out.reserveCapacity(html.utf8.count)
        var inTag = false
        var skipDepthTag: Substring? = nil
        var index = html.startIndex
        while index < html.endIndex {
            let ch = html[index]
            if inTag {
                if ch == ">" { inTag = false }
                index = html.index(after: index)
                continue
            }
            if ch == "<" {
                let rest = html[index...]
                if let skip = skipDepthTag {
                    if rest.lowercased().hasPrefix("</\(skip)") { skipDepthTag = nil }
                } else if rest.lowercased().hasPrefix("<script") {
                    skipDepthTag = "script"
                } else if rest.lowercased().hasPrefix("<style") {
                    skipDepthTag = "style"
                }
                inTag = true
                if !out.isEmpty && out.last != " " { out.append(" ") }
                index = html.index(after: index)
                continue
            }
            if skipDepthTag == nil { out.append(ch) }
            index = html.index(after: index)
        }
        return collapseWhitespace(decodeEntities(out))
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var s = text
        for (entity, value) in [
            ("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#039;", "'"),
            ("&hellip;", "…"), ("&mdash;", "—"), ("&ndash;", "–"), ("&rsquo;", "’"), ("&lsquo;", "‘"),
            ("&rdquo;", "”"), ("&ldquo;", "“"), ("&amp;", "&"),
        ] {
            s = s.replacingOccurrences(of: entity, with: value)
        }
        return s
    }

    static func collapseWhitespace(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The first `words` words of `text`, with an ellipsis when cut.
    public static func truncate(_ text: String, words: Int) -> String {
        let parts = text.split(whereSeparator: { $0.isWhitespace })
        if parts.count <= words { return parts.joined(separator: " ") }
        return parts.prefix(words).joined(separator: " ") + "…"
    }
}
