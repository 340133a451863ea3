import DreyRender
import Foundation
import Testing

@testable import DreyWeb

@Suite struct SafeCSSTests {
    @Test("staff CSS cannot close its style element or open a comment; CSS without `<` comes back as it is")
    func safeCSS() {
        #expect(ViewFactory.safeCSS("body { color: #222 }") == "body { color: #222 }")
        #expect(ViewFactory.safeCSS("") == "")
        let hostile = ViewFactory.safeCSS("a{}</style><script>alert(1)</script><!-- x")
        #expect(!hostile.contains("</") && !hostile.contains("<!--"))
        #expect(hostile == "a{}<\\/style><script>alert(1)<\\/script> x")
    }
}

@Suite struct ISO8601Tests {
    @Test("dates are written as Foundation's ISO 8601 formatter writes them in UTC, to the second")
    func matchesFoundation() {
        let formatter = ISO8601DateFormatter()
        let dates = [0, 1_201_392_240, 951_782_400, 4_102_444_799, 1_796_569_056, -86_400].map { Date(timeIntervalSince1970: TimeInterval($0)) }
        for date in dates + [Date(timeIntervalSince1970: 1_201_392_240.75)] {
            #expect(ISO8601.string(date) == formatter.string(from: date), "\(date)")
        }
    }
}

@Suite struct EscapeAndPathTests {
    @Test("text escapes by bytes: the five characters everywhere, a `<` joined by a combining mark too")
    func escapes() {
        #expect(HTMLEscape.text("plain ἀρχή 🌷") == "plain ἀρχή 🌷")
        #expect(HTMLEscape.text("<a href=\"x\">Tom & 'Jerry'</a>") == "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;")
        #expect(HTMLEscape.text("<\u{338}script>") == "&lt;\u{338}script&gt;")
    }

    @Test("a return path is kept when it is a path on this site, in ASCII or not, and is the root otherwise")
    func safePaths() {
        for kept in ["/", "/2008/01/27/a-post/#respond", "/?s=two words", "/tag/ἀρχή/", "/a%20b?x=1&y=2"] {
            #expect(ReaderWeb.safePath(kept) == kept, "\(kept)")
        }
        let refused: [String?] = [
            nil, "", "x/", "//evil.example/", "/\\evil.example", "/a\\b", "/a\nb", "/a\rb", "/a\u{7f}", "/a\u{2028}b", "/a\u{85}b",
            "/" + String(repeating: "a", count: 2000),
        ]
        for path in refused { #expect(ReaderWeb.safePath(path) == "/", "\(String(describing: path))") }
    }
}
