import DreyCore
import Foundation
import Testing

@testable import DreyRender

/// Themes escape `{{value}}` with Drey's byte-level escaper; it must escape exactly what Mustache's own does, and more
/// safely where a combining mark follows a `<`.
@Suite struct ThemeEscapingTests {
    @Test("the five characters are escaped, everything else (any script, emoji) passes unchanged")
    func escapes() {
        #expect(
            ByteHTMLEscaping.escape(#"<a href="x" title='y'>Tom & Jerry</a>"#)
                == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;")
        let plain = "Ωραίο άρθρο 🌷 日本語 zero\u{200B}width"
        #expect(ByteHTMLEscaping.escape(plain) == plain)
        #expect(ByteHTMLEscaping.escape("") == "")
        // One Character to Swift ("<" with a combining long solidus overlay), still a "<" to a browser's tokenizer.
        #expect(ByteHTMLEscaping.escape("<\u{0338}script>") == "&lt;\u{0338}script&gt;")
    }

    @Test("a theme's templates and partials render through it, and a theme's own pragma still wins")
    func themeUsesIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drey-theme-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        for folder in ["templates", "partials"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try "<p>{{name}}</p>{{> part}}".write(to: dir.appendingPathComponent("templates/page.mustache"), atomically: true, encoding: .utf8)
        try "<i>{{name}}</i>".write(to: dir.appendingPathComponent("partials/part.mustache"), atomically: true, encoding: .utf8)
        try "{{% CONTENT_TYPE: TEXT}}{{name}}".write(to: dir.appendingPathComponent("templates/text.mustache"), atomically: true, encoding: .utf8)
        let theme = try Theme(directory: dir, required: ["page"])
        #expect(
            theme.render(["name": "<\u{0338}b> & 'q'"], template: "page")
                == "<p>&lt;\u{0338}b&gt; &amp; &#39;q&#39;</p><i>&lt;\u{0338}b&gt; &amp; &#39;q&#39;</i>")
        #expect(theme.render(["name": "<b>"], template: "text") == "<b>")
        // A parse error names the line of the author's file, not of the source with our pragma in front.
        try "<p>one</p>\n<p>{{#open}}two{{/close}}</p>\n<p>three</p>\n".write(
            to: dir.appendingPathComponent("templates/broken.mustache"), atomically: true, encoding: .utf8)
        #expect {
            try Theme(directory: dir, required: ["page"])
        } throws: { error in
            let text = String(describing: error)
            return text.contains("templates/broken.mustache") && text.contains("line 2,")
        }
    }
}

@Suite struct AvatarTests {
    @Test("Gravatar's own example: the address trimmed and lowercased, then MD5 in lowercase hex")
    func gravatarExample() {
        let expected = "https://www.gravatar.com/avatar/0bc83cb571cd1c50ba6f3e8a78ef1346?s=48&d=identicon&r=g"
        #expect(Avatar.url(email: " MyEmailAddress@example.com ") == expected)
        #expect(Avatar.url(email: "\tmyemailaddress@example.com\n") == expected)
        #expect(Avatar.url(email: "   ").hasPrefix("https://www.gravatar.com/avatar/d41d8cd98f00b204e9800998ecf8427e"))
        #expect(Digits.padded(7, width: 2) == "07" && Digits.padded(2008, width: 4) == "2008" && Digits.padded(-3, width: 3) == "-003")
    }
}
