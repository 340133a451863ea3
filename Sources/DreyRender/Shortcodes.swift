import Foundation

/// One `[name attr="value"]…[/name]` found in content.
struct Shortcode {
    let name: String
    let attributes: [String: String]
    /// Values given without a name (`[embed 640 480]`), in order.
    let positional: [String]
    /// What sits between the opening and closing tags; nil for a self-closing or lone tag.
    let content: String?
}

/// WordPress's shortcode syntax: finds tags in text and replaces the ones a handler knows.
enum ShortcodeScanner {
    /// Replaces each shortcode for which `handler` returns HTML; the rest of the text is unchanged.
    /// `[[name]]` is WordPress's escape for a literal `[name]`.
    static func replace(_ text: String, handled names: Set<String>, _ handler: (Shortcode) -> String?) -> String {
        guard text.contains("[") else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var rest = text[...]
        while let open = rest.firstIndex(of: "[") {
            out += rest[..<open]
            guard let tag = parseTag(rest[open...]), names.contains(tag.name) else {
                out.append("[")
                rest = rest[rest.index(after: open)...]
                continue
            }
            if tag.escaped {
                out += rest[rest.index(after: open)..<rest.index(before: tag.end)]
                rest = rest[tag.end...]
                continue
            }
            var content: String? = nil
            var end = tag.end
            if !tag.selfClosing, let close = rest[tag.end...].range(of: "[/\(tag.name)]") {
                content = String(rest[tag.end..<close.lowerBound])
                end = close.upperBound
            }
            let code = Shortcode(name: tag.name, attributes: tag.attributes, positional: tag.positional, content: content)
            if let html = handler(code) {
                out += html
                rest = rest[end...]
            } else {
                out += rest[open..<tag.end]
                rest = rest[tag.end...]
            }
        }
        out += rest
        return out
    }

    /// Names of every well-formed shortcode tag in `text`, closing tags excluded.
    static func names(in text: String) -> [String] {
        guard FastText.contains(text, "[") else { return [] }
        var names: [String] = []
        var rest = text[...]
        while let open = rest.firstIndex(of: "[") {
            if let tag = parseTag(rest[open...]), !tag.escaped {
                names.append(tag.name)
                rest = rest[tag.end...]
            } else {
                rest = rest[rest.index(after: open)...]
            }
        }
        return names
    }

    struct Tag {
        let name: String
        let attributes: [String: String]
        let positional: [String]
        let selfClosing: Bool
        let escaped: Bool
        let end: Substring.Index
    }

    /// The opening tag at the start of `text` (which begins with `[`), or nil when it is not one.
    static func parseTag(_ text: Substring) -> Tag? {
        var index = text.index(after: text.startIndex)
        let escaped = index < text.endIndex && text[index] == "["
        if escaped { index = text.index(after: index) }
        let nameStart = index
        while index < text.endIndex, text[index].isASCII, text[index].isLetter || text[index].isNumber || text[index] == "_" || text[index] == "-" {
            index = text.index(after: index)
        }
        guard index > nameStart, text[nameStart].isLetter, index < text.endIndex else { return nil }
        let name = text[nameStart..<index].lowercased()
        guard text[index] == "]" || text[index] == " " || text[index] == "/" || text[index] == "\u{A0}" || text[index] == "\t" else { return nil }
        // The tag ends at the first `]`; a `[` before it means this was not a tag.
        guard let close = text[index...].firstIndex(where: { $0 == "]" || $0 == "[" }), text[close] == "]" else {
            return nil
        }
        var inner = text[index..<close]
        var selfClosing = false
        if inner.hasSuffix("/") {
            selfClosing = true
            inner = inner.dropLast()
        }
        var end = text.index(after: close)
        if escaped {
            guard end < text.endIndex, text[end] == "]" else { return nil }
            end = text.index(after: end)
        }
        let (attributes, positional) = parseAttributes(String(inner))
        return Tag(name: name, attributes: attributes, positional: positional, selfClosing: selfClosing, escaped: escaped, end: end)
    }

    /// `a="x" b='y' c=z w` as WordPress's `shortcode_parse_atts` reads it; names are lowercased.
    static func parseAttributes(_ text: String) -> ([String: String], [String]) {
        var attributes: [String: String] = [:]
        var positional: [String] = []
        let normalised = text.replacingOccurrences(of: "\u{A0}", with: " ").replacingOccurrences(of: "\u{200B}", with: " ")
        var rest = normalised[...]
        func skipSpace() { while let c = rest.first, c.isWhitespace { rest = rest.dropFirst() } }
        func quoted(_ quote: Character) -> String {
            rest = rest.dropFirst()
            let end = rest.firstIndex(of: quote) ?? rest.endIndex
            let value = String(rest[..<end])
            rest = end < rest.endIndex ? rest[rest.index(after: end)...] : rest[end...]
            return value
        }
        skipSpace()
        while !rest.isEmpty {
            if rest.first == "\"" || rest.first == "'" {
                positional.append(quoted(rest.first!))
                skipSpace()
                continue
            }
            let word = rest.prefix { !$0.isWhitespace && $0 != "=" }
            rest = rest.dropFirst(word.count)
            if rest.first == "=" {
                rest = rest.dropFirst()
                let value: String
                if let q = rest.first, q == "\"" || q == "'" {
                    value = quoted(q)
                } else {
                    let bare = rest.prefix { !$0.isWhitespace }
                    rest = rest.dropFirst(bare.count)
                    value = String(bare)
                }
                attributes[word.lowercased()] = value
            } else if !word.isEmpty {
                positional.append(String(word))
            }
            skipSpace()
        }
        return (attributes, positional)
    }
}
