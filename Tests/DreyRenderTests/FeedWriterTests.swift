import DreyCore
import DreyTestSupport
import Foundation
import Testing

@testable import DreyRender

#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct FeedWriterTests {
    static let jan27 = Date(timeIntervalSince1970: 1_201_392_240)  // 2008-01-27 00:04:00 UTC

    static func entry(_ n: Int, title: String, content: String = "<p>Body</p>") -> FeedEntry {
        FeedEntry(
            id: "https://blog.example.org/?p=\(n)", title: title,
            link: "https://blog.example.org/2008/01/27/post-\(n)/?a=1&b=2",
            published: jan27, updated: jan27.addingTimeInterval(3600), authorName: "Zoë & Co",
            categories: ["Tea & Biscuits", "Gardens"], summary: "Plain <text> & more ]]> here\u{1}",
            contentHTML: content, commentsURL: "https://blog.example.org/post-\(n)/#comments",
            commentsFeedURL: "https://blog.example.org/post-\(n)/feed/", commentCount: n)
    }

    static func document(_ entries: [FeedEntry]) -> FeedDocument {
        FeedDocument(
            title: "Notes & Queries", subtitle: "Small <things>, \"quoted\"",
            homeURL: "https://blog.example.org/", selfURL: "https://blog.example.org/feed/?x=1&y=2",
            language: "en-US", updated: jan27, generator: "Drey", entries: entries,
            hubURL: "https://hub.example.org/")
    }

    @Test func escapesTextAndAttributes() {
        var x = XMLBuffer()
        x.text("a & b < c > d \"e\" 'f'")
        x.raw("|")
        x.attribute("a&b\"c<d")
        #expect(x.string == "a &amp; b &lt; c &gt; d \"e\" 'f'|a&amp;b&quot;c&lt;d")
    }

    @Test func stripsCharactersIllegalInXML() {
        var x = XMLBuffer()
        x.text("a\u{0}b\u{8}c\u{1F}\td\ne\rf\u{FFFE}g\u{FFFF}h\u{FFFD}i\u{7F}j😀")
        #expect(x.string == "abc\td\ne\rfgh\u{FFFD}i\u{7F}j😀")
        var y = XMLBuffer()
        y.cdata("\u{B}x\u{FFFF}")
        #expect(y.string == "<![CDATA[x]]>")
    }

    @Test func splitsCDATATerminator() {
        var x = XMLBuffer()
        x.cdata("a]]>b]]]>>c]]")
        #expect(x.string == "<![CDATA[a]]]]><![CDATA[>b]]]]]><![CDATA[>>c]]]]>")
        let rss = FeedWriter.rss(Self.document([Self.entry(1, title: "T", content: "x]]>y")]))
        #expect(rss.contains("<content:encoded><![CDATA[x]]]]><![CDATA[>y]]></content:encoded>"))
        #expect(CDATACollector.text(of: "content:encoded", in: rss) == "x]]>y")
    }

    @Test func formatsDates() {
        #expect(FeedDate.rfc822(Self.jan27) == "Sun, 27 Jan 2008 00:04:00 +0000")
        #expect(FeedDate.iso8601(Self.jan27) == "2008-01-27T00:04:00Z")
        #expect(FeedDate.rfc822(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(FeedDate.iso8601(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59Z")
        #expect(FeedDate.iso8601(Date(timeIntervalSince1970: 951_782_399.9)) == "2000-02-28T23:59:59Z")
        #expect(FeedDate.rfc822(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 +0000")
    }

    @Test func datesAgreeWithDateFormatter() {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(secondsFromGMT: 0)
        var seconds: Int64 = -2_000_000_000
        while seconds < 4_000_000_000 {
            let d = Date(timeIntervalSince1970: Double(seconds))
            f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
            #expect(FeedDate.rfc822(d) == f.string(from: d))
            f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
            #expect(FeedDate.iso8601(d) == f.string(from: d))
            seconds += 7_777_777
        }
    }

    @Test func writesWordPressShapedRSS() throws {
        let rss = FeedWriter.rss(Self.document([Self.entry(3, title: "Fish & Chips")]))
        for needle in [
            "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"",
            "xmlns:slash=\"http://purl.org/rss/1.0/modules/slash/\"",
            "<atom:link href=\"https://blog.example.org/feed/?x=1&amp;y=2\" rel=\"self\" type=\"application/rss+xml\" />",
            "<atom:link rel=\"hub\" href=\"https://hub.example.org/\" />",
            "<title>Fish &amp; Chips</title>", "<dc:creator><![CDATA[Zoë & Co]]></dc:creator>",
            "<guid isPermaLink=\"false\">https://blog.example.org/?p=3</guid>",
            "<pubDate>Sun, 27 Jan 2008 00:04:00 +0000</pubDate>", "<slash:comments>3</slash:comments>",
            "<category><![CDATA[Tea & Biscuits]]></category>", "<language>en-US</language>",
        ] {
            #expect(rss.contains(needle), "missing \(needle)")
        }
    }

    @Test func writesAtom() throws {
        var e = Self.entry(4, title: "A <b> title", content: "<p>Tom &amp; Jerry</p>")
        e.commentCount = nil
        let atom = FeedWriter.atom(Self.document([e]))
        for needle in [
            "<feed\n\txmlns=\"http://www.w3.org/2005/Atom\"", "xml:lang=\"en-US\"",
            "<id>https://blog.example.org/feed/?x=1&amp;y=2</id>",
            "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://blog.example.org/feed/?x=1&amp;y=2\" />",
            "<title type=\"text\">A &lt;b&gt; title</title>", "<updated>2008-01-27T01:04:00Z</updated>",
            "<published>2008-01-27T00:04:00Z</published>",
            "<category scheme=\"https://blog.example.org/\" term=\"Tea &amp; Biscuits\" />",
            "<summary type=\"text\">Plain &lt;text&gt; &amp; more ]]&gt; here</summary>",
            "&lt;p&gt;Tom &amp;amp; Jerry&lt;/p&gt;</content>",
        ] {
            #expect(atom.contains(needle), "missing \(needle)")
        }
        #expect(!atom.contains("thr:count"))
    }

    @Test func omitsEmptyContent() {
        let doc = Self.document([Self.entry(5, title: "Short", content: "")])
        #expect(!FeedWriter.rss(doc).contains("content:encoded"))
        #expect(!FeedWriter.atom(doc).contains("<content"))
    }

    /// feedparser is the parser most feed readers' behaviour is judged against.
    @Test func feedparserReadsAwkwardFeeds() throws {
        let awkward = "<p>Tom &amp; Jerry ]]> <script>alert('x')</script> ✨🐿️ \u{1}\u{1B}[0m</p>"
        let doc = Self.document([
            Self.entry(1, title: "Fish & Chips <3 “quotes” 🎉", content: awkward),
            Self.entry(2, title: "Bell\u{7} and ]]> tail", content: "]]>]]>"),
            Self.entry(3, title: "Plain", content: ""),
        ])
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("drey-feeds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FeedWriter.rss(doc).write(to: dir.appendingPathComponent("rss.xml"), atomically: true, encoding: .utf8)
        try FeedWriter.atom(doc).write(to: dir.appendingPathComponent("atom.xml"), atomically: true, encoding: .utf8)
        let expected: [[String: String]] = doc.entries.map {
            ["title": $0.title.replacingOccurrences(of: "\u{7}", with: ""), "link": $0.link]
        }
        try JSONSerialization.data(withJSONObject: expected).write(to: dir.appendingPathComponent("expected.json"))

        let script = """
            import json, sys, os, feedparser
            d = sys.argv[1]
            want = json.load(open(os.path.join(d, "expected.json"), encoding="utf-8"))
            bad = []
            for name in ("rss.xml", "atom.xml"):
                f = feedparser.parse(os.path.join(d, name))
                if f.bozo:
                    bad.append("%s: bozo %r" % (name, f.get("bozo_exception")))
                if len(f.entries) != len(want):
                    bad.append("%s: %d entries" % (name, len(f.entries)))
                for e, w in zip(f.entries, want):
                    if e.get("title") != w["title"] or e.get("link") != w["link"]:
                        bad.append("%s: got %r %r want %r %r" % (name, e.get("title"), e.get("link"), w["title"], w["link"]))
                if "]]>" not in f.entries[1].get("content", [{}])[0].get("value", "").replace("&gt;", ">"):
                    bad.append("%s: ]]> lost from content" % name)
            print("\\n".join(bad) if bad else "OK")
            sys.exit(1 if bad else 0)
            """
        let check = try ChildProcess("/usr/bin/env", [PythonCheck.python, "-c", script, dir.path], error: .sameAsOutput).collect()
        let output = String(decoding: check.output, as: UTF8.self)
        #expect(
            check.status == 0, "feedparser check failed (is python3-feedparser installed?):\n\(output)")
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "OK")
    }
}

/// Collects one element's character data through Foundation's parser, which also proves well-formedness.
final class CDATACollector: NSObject, XMLParserDelegate {
    let element: String
    var inside = false
    var collected = ""

    init(element: String) { self.element = element }

    static func text(of element: String, in xml: String) -> String? {
        let parser = XMLParser(data: Data(xml.utf8))
        let collector = CDATACollector(element: element)
        parser.delegate = collector
        parser.shouldProcessNamespaces = false
        return parser.parse() ? collector.collected : nil
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) { inside = name == element }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == element { inside = false }
    }

    func parser(_ parser: XMLParser, foundCDATA block: Data) {
        if inside { collected += String(decoding: block, as: UTF8.self) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inside { collected += string }
    }
}
