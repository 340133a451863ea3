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
