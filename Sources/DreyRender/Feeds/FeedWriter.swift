import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The blog-level data one feed is written from; both formats read the same value.
public struct FeedDocument: Sendable, Equatable {
    public var title: String
    public var subtitle: String
    public var homeURL: String
    public var selfURL: String
    /// A language tag such as `en-US`.
    public var language: String
    public var updated: Date
    public var generator: String
    public var entries: [FeedEntry]
    /// A WebSub hub, advertised with `rel="hub"` when set.
    public var hubURL: String?

    public init(
        title: String, subtitle: String, homeURL: String, selfURL: String, language: String,
        updated: Date, generator: String, entries: [FeedEntry], hubURL: String? = nil
    ) {
        (self.title, self.subtitle, self.homeURL, self.selfURL) = (title, subtitle, homeURL, selfURL)
        (self.language, self.updated, self.generator) = (language, updated, generator)
        (self.entries, self.hubURL) = (entries, hubURL)
    }
}

/// One post in a feed. `title`, `summary` and `authorName` are plain text; `contentHTML` is HTML.
public struct FeedEntry: Sendable, Equatable {
    /// A stable GUID that never changes with the permalink, e.g. `https://host/?p=12`.
    public var id: String
    public var title: String
    public var link: String
    public var published: Date
    public var updated: Date
    public var authorName: String
    public var categories: [String]
    public var summary: String
    /// The full rendered post; empty for summary-only feeds, and then omitted.
    public var contentHTML: String
    public var commentsURL: String?
    public var commentsFeedURL: String?
    public var commentCount: Int?

    public init(
        id: String, title: String, link: String, published: Date, updated: Date, authorName: String,
        categories: [String], summary: String, contentHTML: String, commentsURL: String? = nil,
        commentsFeedURL: String? = nil, commentCount: Int? = nil
    ) {
        (self.id, self.title, self.link, self.published, self.updated) = (id, title, link, published, updated)
        (self.authorName, self.categories, self.summary) = (authorName, categories, summary)
        (self.contentHTML, self.commentsURL) = (contentHTML, commentsURL)
        (self.commentsFeedURL, self.commentCount) = (commentsFeedURL, commentCount)
    }
}

/// Writes RSS 2.0 (in WordPress's shape, which feed readers know best) and Atom 1.0.
public enum FeedWriter {
    public static func rss(_ doc: FeedDocument) -> String {
        var x = XMLBuffer(capacity: estimatedSize(doc))
        x.raw(
            """
            <?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
            \txmlns:content="http://purl.org/rss/1.0/modules/content/"
            \txmlns:wfw="http://wellformedweb.org/CommentAPI/"
            \txmlns:dc="http://purl.org/dc/elements/1.1/"
            \txmlns:atom="http://www.w3.org/2005/Atom"
            \txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
            \txmlns:slash="http://purl.org/rss/1.0/modules/slash/"
            \t>

            <channel>

            """)
        x.element("\t", "title", text: doc.title)
        x.element("\t", "atom:link", ["href": doc.selfURL, "rel": "self", "type": "application/rss+xml"])
        if let hub = doc.hubURL { x.element("\t", "atom:link", ["rel": "hub", "href": hub]) }
        x.element("\t", "link", text: doc.homeURL)
        x.element("\t", "description", text: doc.subtitle)
        x.element("\t", "lastBuildDate", date: doc.updated, .rfc822)
        x.element("\t", "language", text: doc.language)
        x.raw("\t<sy:updatePeriod>hourly</sy:updatePeriod>\n\t<sy:updateFrequency>1</sy:updateFrequency>\n")
        x.element("\t", "generator", text: doc.generator)
        for e in doc.entries {
            x.raw("\t<item>\n")
            x.element("\t\t", "title", text: e.title)
            x.element("\t\t", "link", text: e.link)
            if let url = e.commentsURL { x.element("\t\t", "comments", text: url) }
            x.element("\t\t", "dc:creator", cdata: e.authorName)
            x.element("\t\t", "pubDate", date: e.published, .rfc822)
            for c in e.categories { x.element("\t\t", "category", cdata: c) }
            x.element("\t\t", "guid", ["isPermaLink": "false"], text: e.id)
            x.element("\t\t", "description", cdata: e.summary)
            if !e.contentHTML.isEmpty { x.element("\t\t", "content:encoded", cdata: e.contentHTML) }
            if let url = e.commentsFeedURL { x.element("\t\t", "wfw:commentRss", text: url) }
            if let n = e.commentCount { x.element("\t\t", "slash:comments", text: String(n)) }
            x.raw("\t</item>\n")
        }
        x.raw("</channel>\n</rss>\n")
        return x.string
    }

    public static func atom(_ doc: FeedDocument) -> String {
        var x = XMLBuffer(capacity: estimatedSize(doc))
        x.raw(
            """
            <?xml version="1.0" encoding="UTF-8"?><feed
            \txmlns="http://www.w3.org/2005/Atom"
            \txmlns:thr="http://purl.org/syndication/thread/1.0"
            \txml:lang="
            """)
        x.attribute(doc.language)
        x.raw("\"\n\t>\n")
        x.element("\t", "title", ["type": "text"], text: doc.title)
        x.element("\t", "subtitle", ["type": "text"], text: doc.subtitle)
        x.element("\t", "updated", date: doc.updated, .iso8601)
        x.element("\t", "link", ["rel": "alternate", "type": "text/html", "href": doc.homeURL])
        // The self URL doubles as the feed's id: stable, and unique per site.
        x.element("\t", "id", text: doc.selfURL)
        x.element("\t", "link", ["rel": "self", "type": "application/atom+xml", "href": doc.selfURL])
        if let hub = doc.hubURL { x.element("\t", "link", ["rel": "hub", "href": hub]) }
        x.element("\t", "generator", text: doc.generator)
        for e in doc.entries {
            x.raw("\t<entry>\n\t\t<author>\n")
            x.element("\t\t\t", "name", text: e.authorName)
            x.raw("\t\t</author>\n")
            x.element("\t\t", "title", ["type": "text"], text: e.title)
            x.element("\t\t", "link", ["rel": "alternate", "type": "text/html", "href": e.link])
            x.element("\t\t", "id", text: e.id)
            x.element("\t\t", "updated", date: e.updated, .iso8601)
            x.element("\t\t", "published", date: e.published, .iso8601)
            for c in e.categories { x.element("\t\t", "category", ["scheme": doc.homeURL, "term": c]) }
            x.element("\t\t", "summary", ["type": "text"], text: e.summary)
            if !e.contentHTML.isEmpty {
                x.element("\t\t", "content", ["type": "html", "xml:base": e.link], text: e.contentHTML)
            }
            let count = e.commentCount.map(String.init) ?? ""
            for (url, type) in [(e.commentsURL, "text/html"), (e.commentsFeedURL, "application/rss+xml")] {
                guard let url else { continue }
                x.element("\t\t", "link", ["rel": "replies", "type": type, "href": url, "thr:count": count])
            }
            if let n = e.commentCount { x.element("\t\t", "thr:total", text: String(n)) }
            x.raw("\t</entry>\n")
        }
        x.raw("</feed>\n")
        return x.string
    }

    // Reserving once avoids the log2(n) regrowths of a feed that is mostly post bodies.
    private static func estimatedSize(_ doc: FeedDocument) -> Int {
        doc.entries.reduce(1024) { $0 + 768 + $1.contentHTML.utf8.count + $1.summary.utf8.count }
    }
}

/// Builds XML as UTF-8 bytes: escaping byte-wise is safe because every byte it
/// inspects is ASCII or part of U+FFFE/U+FFFF, and it keeps feeds allocation-light.
struct XMLBuffer {
    enum DateStyle { case rfc822, iso8601 }

    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Trusted markup written by this file only.
    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    mutating func text(_ s: String) { escape(s, quotes: false) }

    mutating func attribute(_ s: String) { escape(s, quotes: true) }

    /// One element on its own line; attributes with an empty value are left out,
    /// and with neither `text` nor `cdata` the element is self-closing.
    mutating func element(
        _ indent: String, _ name: String, _ attributes: KeyValuePairs<String, String> = [:],
        text: String? = nil, cdata: String? = nil
    ) {
        raw(indent)
        raw("<")
        raw(name)
        for (key, value) in attributes where !value.isEmpty {
            raw(" ")
            raw(key)
            raw("=\"")
            attribute(value)
            raw("\"")
        }
        guard text != nil || cdata != nil else { return raw(" />\n") }
        raw(">")
        if let text { self.text(text) }
        if let cdata { self.cdata(cdata) }
        raw("</")
        raw(name)
        raw(">\n")
    }

    mutating func element(_ indent: String, _ name: String, date: Date, _ style: DateStyle) {
        raw(indent)
        raw("<")
        raw(name)
        raw(">")
        switch style {
        case .rfc822: FeedDate.appendRFC822(date, to: &bytes)
        case .iso8601: FeedDate.appendISO8601(date, to: &bytes)
        }
        raw("</")
        raw(name)
        raw(">\n")
    }

    /// A CDATA section; `]]>` inside is split across two sections, the one way to carry it.
    mutating func cdata(_ s: String) {
        raw("<![CDATA[")
        scan(s) { buf, i in
            guard buf[i] == 0x5D, i + 2 < buf.count, buf[i + 1] == 0x5D, buf[i + 2] == 0x3E else {
                return nil
            }
            return (3, "]]]]><![CDATA[>")
        }
        raw("]]>")
    }

    private mutating func escape(_ s: String, quotes: Bool) {
        scan(s) { buf, i in
            switch buf[i] {
            case 0x26: return (1, "&amp;")
            case 0x3C: return (1, "&lt;")
            // `>` is escaped too so that `]]>` can never appear in character data.
            case 0x3E: return (1, "&gt;")
            case 0x22 where quotes: return (1, "&quot;")
            default: return nil
            }
        }
    }

    /// Copies `s` in runs, dropping characters XML 1.0 forbids, and lets `special`
    /// replace a byte sequence starting at an index with (length consumed, replacement).
    private mutating func scan(
        _ s: String, _ special: (UnsafeBufferPointer<UInt8>, Int) -> (Int, StaticString)?
    ) {
        var s = s
        s.withUTF8 { buf in
            var start = 0
            var i = 0
            while i < buf.count {
                let c = buf[i]
                var skip = 0
                var replacement: StaticString?
                if c < 0x20, c != 0x09, c != 0x0A, c != 0x0D {
                    skip = 1
                } else if c == 0xEF, i + 2 < buf.count, buf[i + 1] == 0xBF, buf[i + 2] >= 0xBE {
                    skip = 3  // U+FFFE or U+FFFF
                } else if let (n, r) = special(buf, i) {
                    skip = n
                    replacement = r
                }
                if skip == 0 {
                    i += 1
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<i]))
                if let replacement {
                    replacement.withUTF8Buffer { bytes.append(contentsOf: $0) }
                }
                i += skip
                start = i
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<buf.count]))
        }
    }
}

/// Feed dates, formatted by hand from `gmtime_r`: no shared formatter to lock, no
/// locale to get wrong, nothing allocated but the output bytes.
enum FeedDate {
    private static let days: [UInt8] = Array("SunMonTueWedThuFriSat".utf8)
    private static let months: [UInt8] = Array("JanFebMarAprMayJunJulAugSepOctNovDec".utf8)

    /// `Sun, 27 Jan 2008 00:04:00 +0000`, as RFC 822 (with RFC 1123's four-digit year) wants.
    static func rfc822(_ date: Date) -> String {
        var b: [UInt8] = []
        appendRFC822(date, to: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// `2008-01-27T00:04:00Z`, the RFC 3339 profile Atom requires.
    static func iso8601(_ date: Date) -> String {
        var b: [UInt8] = []
        appendISO8601(date, to: &b)
        return String(decoding: b, as: UTF8.self)
    }

    static func appendRFC822(_ date: Date, to b: inout [UInt8]) {
        let t = utc(date)
        let wd = Int(t.tm_wday) * 3
        let mo = Int(t.tm_mon) * 3
        b.append(contentsOf: days[wd..<wd + 3])
        b.append(contentsOf: [0x2C, 0x20])  // ", "
        two(Int(t.tm_mday), &b)
        b.append(0x20)
        b.append(contentsOf: months[mo..<mo + 3])
        b.append(0x20)
        four(Int(t.tm_year) + 1900, &b)
        b.append(0x20)
        clock(t, &b)
        b.append(contentsOf: " +0000".utf8)
    }

    static func appendISO8601(_ date: Date, to b: inout [UInt8]) {
        let t = utc(date)
        four(Int(t.tm_year) + 1900, &b)
        b.append(0x2D)
        two(Int(t.tm_mon) + 1, &b)
        b.append(0x2D)
        two(Int(t.tm_mday), &b)
        b.append(0x54)  // T
        clock(t, &b)
        b.append(0x5A)  // Z
    }

    private static func utc(_ date: Date) -> tm {
        // Years 1...9999 keep both formats four-digit; NaN and infinities land on the edges.
        let s = date.timeIntervalSince1970
        let clamped = s.isNaN ? 0 : min(max(s, -62_135_596_800), 253_402_300_799)
        var seconds = time_t(clamped.rounded(.down))
        var out = tm()
        gmtime_r(&seconds, &out)
        return out
    }

    private static func clock(_ t: tm, _ b: inout [UInt8]) {
        two(Int(t.tm_hour), &b)
        b.append(0x3A)
        two(Int(t.tm_min), &b)
        b.append(0x3A)
        two(Int(t.tm_sec), &b)
    }

    private static func two(_ n: Int, _ b: inout [UInt8]) {
        b.append(0x30 + UInt8(n / 10 % 10))
        b.append(0x30 + UInt8(n % 10))
    }

    private static func four(_ n: Int, _ b: inout [UInt8]) {
        two(n / 100, &b)
        two(n % 100, &b)
    }
}
