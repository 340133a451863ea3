import Foundation

/// Sitemaps in the sitemaps.org 0.9 format: a `<sitemapindex>` naming pages of `<urlset>`.
public enum SitemapWriter {
    public struct Entry: Sendable, Equatable {
        public var location: String
        public var lastModified: Date?

        public init(_ location: String, lastModified: Date? = nil) {
            self.location = location
            self.lastModified = lastModified
        }
    }

    static let namespace = "http://www.sitemaps.org/schemas/sitemap/0.9"

    public static func urlset(_ entries: [Entry]) -> String {
        document(root: "urlset", item: "url", entries)
    }

    public static func index(_ entries: [Entry]) -> String {
        document(root: "sitemapindex", item: "sitemap", entries)
    }

    private static func document(root: String, item: String, _ entries: [Entry]) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<\(root) xmlns=\"\(namespace)\">\n"
        for entry in entries {
            out += "<\(item)><loc>\(HTMLEscape.text(location(entry.location)))</loc>"
            if let date = entry.lastModified { out += "<lastmod>\(lastmod(date))</lastmod>" }
            out += "</\(item)>\n"
        }
        return out + "</\(root)>\n"
    }

    /// W3C Datetime in UTC, to the second, as the protocol asks.
    public static func lastmod(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(secondsFromGMT: 0)!))
    }

    /// The protocol wants URLs as RFC 3986 has them: a slug with letters outside ASCII is sent percent-encoded.
    static func location(_ url: String) -> String {
        guard url.utf8.contains(where: { $0 >= 0x80 || $0 == 0x20 }) else { return url }
        var out = ""
        for byte in url.utf8 {
            if byte >= 0x80 || byte == 0x20 {
                out += "%" + String(byte, radix: 16, uppercase: true)
            } else {
                out.append(Character(Unicode.Scalar(byte)))
            }
        }
        return out
    }
}
