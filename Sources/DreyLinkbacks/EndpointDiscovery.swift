import DreyCore
import DreyRender
import Foundation

/// Finding where a page takes Webmentions or Pingbacks.
public enum EndpointDiscovery {
    /// The W3C algorithm: the first HTTP `Link` with rel `webmention`, else the first `<link>` or `<a>`
    /// with that rel and an `href`, each resolved against the URL that answered (after redirects).
    public static func webmention(in response: FetchResponse) -> String? {
        for header in response.headers(named: "Link") {
            if let target = linkTargets(header, rel: "webmention").first {
                return URLMatch.resolve(target, against: response.url)
            }
        }
        guard response.isHTML else { return nil }
        let document = HTMLDocument.parse(response.text)
        for node in document.descendants where node.name == "link" || node.name == "a" {
            guard node.rels.contains("webmention"), let href = node.attribute("href") else { continue }
            return URLMatch.resolve(href, against: response.url)
        }
        return nil
    }

    /// The Pingback 1.0 rules: the `X-Pingback` header, else `<link rel="pingback" href="…">`.
    public static func pingback(in response: FetchResponse) -> String? {
        if let header = response.header("X-Pingback")?.trimmingCharacters(in: .whitespaces), !header.isEmpty {
            return URLMatch.resolve(header, against: response.url)
        }
        guard response.isHTML else { return nil }
        let document = HTMLDocument.parse(response.text)
        for node in document.descendants where node.name == "link" && node.rels.contains("pingback") {
            if let href = node.attribute("href"), !href.isEmpty { return URLMatch.resolve(href, against: response.url) }
        }
        return nil
    }

    /// Targets of the links in one `Link` header value (RFC 8288) whose rel includes `rel`, in order.
    public static func linkTargets(_ header: String, rel wanted: String) -> [String] {
        var targets: [String] = []
        for link in splitLinks(header) {
            guard let open = link.firstIndex(of: "<"), let close = link[open...].firstIndex(of: ">") else { continue }
            let target = String(link[link.index(after: open)..<close])
            let params = link[link.index(after: close)...].split(separator: ";")
            for param in params {
                let pair = param.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, pair[0].lowercased() == "rel" else { continue }
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                let rels = value.lowercased().split(whereSeparator: { $0.isWhitespace }).map(String.init)
                if rels.contains(wanted.lowercased()) { targets.append(target) }
                break
            }
        }
        return targets
    }

    /// Splits a header value at the commas between links, not those inside `<…>` or quotes.
    static func splitLinks(_ header: String) -> [Substring] {
        var parts: [Substring] = []
        var inAngle = false
        var inQuote = false
        var start = header.startIndex
        var index = header.startIndex
        while index < header.endIndex {
            switch header[index] {
            case "<" where !inQuote: inAngle = true
            case ">" where !inQuote: inAngle = false
            case "\"" where !inAngle: inQuote.toggle()
            case "," where !inAngle && !inQuote:
                parts.append(header[start..<index])
                start = header.index(after: index)
            default: break
            }
            index = header.index(after: index)
        }
        parts.append(header[start...])
        return parts
    }
}

/// The outbound links of a post: absolute http(s) links, once each, in order.
public enum OutboundLinks {
    /// Links to the site at `base` itself (same host and port) are left out: a blog does not ping itself.
    public static func extract(html: String, base: String) -> [String] {
        let own = URLMatch.authority(base)
        var seen = Set<String>()
        var links: [String] = []
        for node in HTMLDocument.parse(html).descendants where node.name == "a" {
            guard let href = node.attribute("href"), let absolute = URLMatch.resolve(href, against: base),
                let key = URLMatch.normalized(absolute)
            else { continue }
            if let own, URLMatch.authority(absolute) == own { continue }
            if seen.insert(key).inserted { links.append(absolute) }
        }
        return links
    }
}
