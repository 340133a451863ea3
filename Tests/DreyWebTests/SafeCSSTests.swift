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
