import Foundation

/// Comparing URLs as the same resource: scheme and host case, default ports, an empty path, the
/// fragment and a trailing slash do not make two links different.
public enum URLMatch {
    public static func normalized(_ text: String) -> String? {
        guard var components = URLComponents(string: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else { return nil }
        components.scheme = scheme
        components.host = host.lowercased()
        if (scheme == "http" && components.port == 80) || (scheme == "https" && components.port == 443) { components.port = nil }
        components.fragment = nil
        if components.path.isEmpty { components.path = "/" }
        if components.path.count > 1, components.path.hasSuffix("/") { components.path.removeLast() }
        return components.string
    }

    public static func same(_ a: String, _ b: String) -> Bool {
        guard let x = normalized(a), let y = normalized(b) else { return false }
        return x == y
    }

    /// An absolute http(s) URL for `href` as written on a page at `base`; nil for other schemes.
    public static func resolve(_ href: String, against base: String) -> String? {
        let trimmed = href.trimmingCharacters(in: .whitespacesAndNewlines)
        // An empty reference is the base itself (RFC 3986 §5.2), which Foundation does not resolve.
        guard let url = (trimmed.isEmpty ? URL(string: base) : URL(string: trimmed, relativeTo: URL(string: base)))?.absoluteURL,
            let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil
        else { return nil }
        return url.absoluteString
    }

    public static func host(_ text: String) -> String? {
        URLComponents(string: text)?.host?.lowercased()
    }

    /// `host:port` with the scheme's default port filled in: what makes two URLs the same site.
    public static func authority(_ text: String) -> String? {
        guard let c = URLComponents(string: text), let host = c.host?.lowercased(), let scheme = c.scheme?.lowercased() else {
            return nil
        }
        return "\(host):\(c.port ?? (scheme == "https" ? 443 : 80))"
    }
}

/// Trackback answers as the TrackBack spec writes them.
public enum TrackbackResponse {
    public static func success() -> String {
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<response>\n<error>0</error>\n</response>\n"
    }

    public static func error(_ message: String) -> String {
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<response>\n<error>1</error>\n<message>\(XMLRPC.escape(message))</message>\n</response>\n"
    }

    /// Reads an answer from another blog: nil for success, else its message.
    public static func parseError(_ body: String) -> String? {
        guard let start = body.range(of: "<error>"), let end = body.range(of: "</error>", range: start.upperBound..<body.endIndex)
        else { return "the answer is not a TrackBack response" }
        let code = body[start.upperBound..<end.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        if code == "0" { return nil }
        if let m1 = body.range(of: "<message>"), let m2 = body.range(of: "</message>", range: m1.upperBound..<body.endIndex) {
            return String(body[m1.upperBound..<m2.lowerBound])
        }
        return "error \(code)"
    }
}
