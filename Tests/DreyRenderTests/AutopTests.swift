import Foundation
import Testing

@testable import DreyRender

@Suite struct AutopTests {
    @Test func leavesBlankTextEmpty() {
        #expect(Autop.apply("") == "")
        #expect(Autop.apply(" \n\t\n ") == "")
    }

    @Test func makesParagraphsOfBlankLineSeparatedText() {
        #expect(Autop.apply("one\n\ntwo\n \n\nthree") == "<p>one</p>\n<p>two</p>\n<p>three</p>\n")
    }

    @Test func turnsSingleNewlinesIntoBreaks() {
        #expect(Autop.apply("one  \ntwo\nthree") == "<p>one<br />\ntwo<br />\nthree</p>\n")
    }

    @Test func normalisesWindowsAndOldMacNewlines() {
        #expect(Autop.apply("a\r\n\r\nb\rc\r\rd") == "<p>a</p>\n<p>b<br />\nc</p>\n<p>d</p>\n")
    }

    @Test(arguments: [
        "table", "thead", "tfoot", "caption", "col", "colgroup", "tbody", "tr", "td", "th", "div",
        "dl", "dd", "dt", "ul", "ol", "li", "pre", "form", "map", "area", "address", "math",
        "style",
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "fieldset", "legend", "section", "article",
        "aside",
        "hgroup", "header", "footer", "nav", "figure", "details", "menu", "summary",
    ])
    func neverWrapsABlockElement(block: String) {
        let element = "<\(block) class='x'>foo</\(block)>"
        #expect(Autop.apply("\(element)\n\n\(element)") == "\(element)\n\(element)\n")
        #expect(Autop.apply(element + element) == "\(element)\n\(element)\n")
        #expect(Autop.apply("<\(block)/><\(block)/>") == "<\(block)/>\n<\(block)/>\n")
    }

    @Test(arguments: ["a", "em", "strong", "code", "span", "del", "abbr", "q", "sub", "noscript"])
    func wrapsInlineElements(inline: String) {
        #expect(Autop.apply("<\(inline)>foo</\(inline)>") == "<p><\(inline)>foo</\(inline)></p>\n")
    }

    @Test func separatesTextFromTheBlocksAroundIt() {
        #expect(Autop.apply("a<div>b</div>c") == "<p>a</p>\n<div>b</div>\n<p>c</p>\n")
        #expect(
            Autop.apply("first\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\nafter")
                == "<p>first</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<p>after</p>\n")
    }

    @Test func putsParagraphsInsideBlockquotes() {
        #expect(
            Autop.apply("<blockquote>foo</blockquote>") == "<blockquote><p>foo</p></blockquote>\n")
        #expect(
            Autop.apply("<blockquote>one\n\ntwo</blockquote>")
                == "<blockquote><p>one</p>\n<p>two</p></blockquote>\n")
    }

    @Test func treatsHorizontalRulesAsBlocks() {
        #expect(
            Autop.apply("paragraph1<hr>paragraph2")
                == "<p>paragraph1</p>\n<hr>\n<p>paragraph2</p>\n")
    }

    @Test func leavesPreformattedTextAlone() {
        let pre = "<pre>line 1\n\nline 2<br>\n  indented &amp; <b>bold</b>\n</pre>"
        #expect(Autop.apply("Look:\n\n\(pre)\n\nNice?") == "<p>Look:</p>\n\(pre)\n<p>Nice?</p>\n")
        #expect(Autop.apply(pre) == pre + "\n")
    }

    @Test func keepsNewlinesInScriptsAndSVG() {
        let script = "<script type=\"text/javascript\">\n\tvar a = 1;\n\n\tvar b = 2;\n</script>"
        #expect(Autop.apply(script) == "<p>\(script)</p>\n")
        let svg = "<svg viewBox=\"0 0 1 1\">\n<circle r=\"1\"/>\n</svg>"
        #expect(Autop.apply(svg) == "<p>\(svg)</p>\n")
    }

    @Test func keepsNewlinesInsideTagsAndComments() {
        #expect(Autop.apply("Hello <a\nhref='world'>") == "<p>Hello <a\nhref='world'></p>\n")
        #expect(Autop.apply("Hello <!-- a\n\nb -->") == "<p>Hello <!-- a\n\nb --></p>\n")
        #expect(Autop.apply("Hello <![CDATA[ a\nb ]]>") == "<p>Hello <![CDATA[ a\nb ]]></p>\n")
    }

    @Test func writesBreaksTheWordPressWayAndNeverDoubles() {
        #expect(
            Autop.apply("line 1<br>\nline 2<br/>\nline 3<BR />\nline 4\nline 5")
                == "<p>line 1<br />\nline 2<br />\nline 3<br />\nline 4<br />\nline 5</p>\n")
        #expect(Autop.apply(#"a<br class="x">b"#) == #"<p>a<br class="x">b</p>"# + "\n")
    }

    @Test func makesAParagraphBreakOfTwoBreaks() {
        #expect(
            Autop.apply("line 1<br>\n<br/>\nline 2<br/>\n<br />\n")
                == "<p>line 1</p>\n<p>line 2</p>\n")
    }

    @Test func addsNoBreakNextToBlockTags() {
        #expect(Autop.apply("<div>\ntext\n</div>") == "<div>\ntext\n</div>\n")
        #expect(Autop.apply("<ul>\n<li>a\nb</li>\n</ul>") == "<ul>\n<li>a<br />\nb</li>\n</ul>\n")
    }

    @Test func keepsFigureCaptionsWithTheirFigure() {
        let figure = "<figure><img src=\"a.jpg\" /><figcaption>Caption</figcaption></figure>"
        #expect(Autop.apply(figure) == figure + "\n")
        #expect(
            Autop.apply(
                "<figure>\n<img src=\"a.jpg\" />\n<figcaption>Caption</figcaption>\n</figure>")
                == "<figure>\n<img src=\"a.jpg\" /><figcaption>Caption</figcaption></figure>\n")
    }

    @Test func respectsParagraphsTheAuthorWrote() {
        #expect(Autop.apply("<p>a</p>\n\n<p>b</p>") == "<p>a</p>\n<p>b</p>\n")
        #expect(Autop.apply("text</p>") == "<p>text</p>\n")
    }

    @Test func staysLinearOnHostileInput() {
        // Each of these made an earlier, naive scan quadratic; they must simply finish.
        let inputs = [
            String(repeating: "<a", count: 50_000),
            String(repeating: "<pre>", count: 50_000),
            String(repeating: "<!", count: 50_000),
            String(repeating: "a\n", count: 50_000),
        ]
        for input in inputs { #expect(!Autop.apply(input).isEmpty) }
    }

    @Test func feedsTheCommentSanitizer() {
        let source = "Hi there\n\n<script>alert(1)</script>Nice <b>post</b>\nreally"
        #expect(
            HTMLSanitizer.sanitize(Autop.apply(source), policy: .comment)
                == "<p>Hi there</p>\n<p>Nice <b>post</b><br />\nreally</p>\n")
    }
}
