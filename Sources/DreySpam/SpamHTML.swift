import Foundation

/// Turns comment HTML into the text a reader sees, keeping link targets as words so links are still counted:
/// `<a href="http://x.com">here</a>` becomes ` http://x.com here `, `&#39;` becomes `'`.
/// Comments arrive both as HTML and as plain text; without this "&quot;" and "<br />" would be features.
enum CommentHTML {
    static func of(_ raw: String) -> String {
        guard raw.utf8.contains(where: { $0 == 60 || $0 == 38 }) else { return raw }  // no "<" or "&"
        let s = Array(raw.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "<", let end = closing(s, from: i) {
                let tag = String(String.UnicodeScalarView(s[(i + 1)..<end]))
                out.append(" ")
                for attr in ["href=", "src="] {
                    if let v = attribute(tag, attr) {
                        out.append(contentsOf: v.unicodeScalars)
                        out.append(" ")
                    }
                }
                i = end + 1
            } else if c == "&", let (decoded, next) = entity(s, at: i) {
                out.append(decoded)
                i = next
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(out)
    }

    /// Index of the `>` closing a tag that starts at `start`, if it looks like a tag (letter, `/` or `!` next; closed within 2,000 scalars).
    private static func closing(_ s: [Unicode.Scalar], from start: Int) -> Int? {
        guard start + 1 < s.count, s[start + 1].properties.isAlphabetic || s[start + 1] == "/" || s[start + 1] == "!" else { return nil }
        var j = start + 1
        while j < s.count, j - start < 2000 {
            if s[j] == ">" { return j }
            if s[j] == "<" { return nil }
            j += 1
        }
        return nil
    }

    private static func attribute(_ tag: String, _ name: String) -> String? {
        guard let r = tag.range(of: name, options: .caseInsensitive) else { return nil }
        var rest = tag[r.upperBound...]
        if let q = rest.first, q == "\"" || q == "'" {
            rest = rest.dropFirst()
            return String(rest.prefix { $0 != q })
        }
        return String(rest.prefix { !$0.isWhitespace && $0 != ">" })
    }

    static let named: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "hellip": "…",
        "mdash": "—", "ndash": "–", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "euro": "€", "pound": "£",
    ]

    /// Decodes `&name;`, `&#NNN;` and `&#xHH;` starting at `i`; returns the scalar and the index after `;`.
    private static func entity(_ s: [Unicode.Scalar], at i: Int) -> (Unicode.Scalar, Int)? {
        var j = i + 1
        var body = ""
        while j < s.count, j - i <= 10, s[j] != ";" {
            body.unicodeScalars.append(s[j])
            j += 1
        }
        guard j < s.count, s[j] == ";", !body.isEmpty else { return nil }
        if body.hasPrefix("#") {
            let digits = body.dropFirst()
            let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            guard let v = value, let scalar = Unicode.Scalar(v) else { return nil }
            return (scalar, j + 1)
        }
        guard let scalar = named[body.lowercased()] else { return nil }
        return (scalar, j + 1)
    }
}
