import Foundation
import Testing

@testable import DreyRender

private func comment(_ html: String) -> String {
    HTMLSanitizer.sanitize(html, policy: .comment)
}

private func content(_ html: String, trusting hosts: Set<String> = []) -> String {
    HTMLSanitizer.sanitize(html, policy: .content, trustedHosts: hosts)
}

@Suite struct SanitizerElementTests {
    @Test func keepsWhatTheCommentAllowlistAllows() {
        let html =
            #"<p><b>b</b> <i>i</i> <abbr title="t">a</abbr> <q cite="https://q.example">q</q></p>"#
        #expect(comment(html) == html)
    }

    @Test func removesDisallowedTagsButKeepsTheirText() {
        #expect(comment("<div>a <font color=red>b</font> <h1>c</h1></div>") == "a b c")
        #expect(content("<center><p>x</p></center>") == "<p>x</p>")
    }

    @Test(arguments: [
        "script", "style", "iframe", "object", "template", "noscript", "textarea", "title", "xmp",
        "noembed", "noframes", "math", "svg", "select", "option", "applet",
    ])
    func dropsTheWholeContentOf(element: String) {
        let html = "a<\(element) id=x><b>secret</b> more secret</\(element)>b"
        #expect(comment(html) == "ab")
        #expect(content(html) == "ab")
    }

    @Test func plaintextAndUnclosedRawTextDropTheRestOfTheInput() {
        #expect(content("a<plaintext><b>x</b>") == "a")
        #expect(content("a<script>b<p>c") == "a")
    }

    @Test func dropsCommentsDoctypesAndProcessingInstructions() {
        #expect(
            content("a<!-- c -->b<!DOCTYPE html>c<?php echo 1 ?>d<!--->e<![CDATA[x]]>f") == "abcdef"
        )
    }

    @Test func treatsALessThanThatStartsNoTagAsText() {
        #expect(comment("1 < 2, 3<4, <3 and </ x") == "1 &lt; 2, 3&lt;4, &lt;3 and ")
    }

    @Test func dropsATagCutOffByTheEndOfInput() {
        #expect(content(#"a<img src="x"#) == "a")
        #expect(content("a<b title=x") == "a")
    }

    @Test func closesEveryElementInProperNesting() {
        #expect(comment("<b><i>x</b>y</i>") == "<b><i>x</i></b>y")
        #expect(
            comment("<p>unclosed <strong>bold <em>both")
                == "<p>unclosed <strong>bold <em>both</em></strong></p>")
        #expect(comment("</b>stray</p>") == "stray")
    }

    @Test func closesImplicitlyWhereABrowserWould() {
        #expect(content("<p>a<div>b</div>c</p>") == "<p>a</p><div>b</div>c")
        #expect(content("<ul><li>1<li>2</ul>") == "<ul><li>1</li><li>2</li></ul>")
        #expect(content("<dl><dt>t<dd>d<dt>u</dl>") == "<dl><dt>t</dt><dd>d</dd><dt>u</dt></dl>")
        #expect(content("<h1>a<h2>b</h2>") == "<h1>a</h1><h2>b</h2>")
        #expect(
            content(#"<a href="/a">1<a href="/b">2</a></a>"#)
                == #"<a href="/a">1</a><a href="/b">2</a>"#)
    }

    @Test func keepsTablesInTheShapeABrowserBuilds() {
        #expect(
            content("<table><tr><td>1<td>2<tr><th>h</table>")
                == "<table><tr><td>1</td><td>2</td></tr><tr><th>h</th></tr></table>")
        #expect(content("<table><td>x</td></table>") == "<table><tr><td>x</td></tr></table>")
        #expect(content("<td>stray</td><table><p>out</p></table>") == "stray<table>out</table>")
        #expect(
            content("<table><tr><td><b>x</td></tr></table>y")
                == "<table><tr><td><b>x</b></td></tr></table>y")
    }

    @Test func writesVoidElementsSelfClosed() {
        #expect(comment("a<br>b<br/>c</br>") == "a<br />b<br />c")
        #expect(
            content(#"<hr><img src="/a.png" alt="x">"#) == #"<hr /><img src="/a.png" alt="x" />"#)
    }

    @Test func capsNestingDepthButKeepsTheText() {
        let output = comment(String(repeating: "<b>", count: 1_000) + "x")
        #expect(output.hasSuffix("x" + String(repeating: "</b>", count: SanitizerRun.maxKeptDepth)))
        #expect(output.components(separatedBy: "<b>").count - 1 == SanitizerRun.maxKeptDepth)
    }

    @Test func unwrapsWholeDocuments() {
        #expect(
            content("<html><head><title>t</title></head><body><p>x</p></body></html>") == "<p>x</p>"
        )
    }

    @Test func keepsTaskListCheckboxesOnlyDisabledAndOnlyInContent() {
        #expect(
            content("<input type=checkbox checked> done")
                == #"<input type="checkbox" checked="" disabled="" /> done"#)
        #expect(
            content("<input TYPE=&#67;HECKBOX onclick=x>")
                == #"<input type="checkbox" disabled="" />"#)
        #expect(content("<input type=text value=x><input>") == "")
        #expect(comment("<input type=checkbox>") == "")
    }
}

@Suite struct SanitizerTextTests {
    @Test func escapesTextAgain() {
        #expect(comment(#"a > b & c "q" 'r'"#) == #"a &gt; b &amp; c "q" 'r'"#)
    }

    @Test func decodesCharacterReferencesThenEncodesThemAgain() {
        #expect(comment("&amp; &lt;b&gt; &amp;lt;") == "&amp; &lt;b&gt; &amp;lt;")
        #expect(
            comment("caf&eacute; &#150; &#x1F600; &NotEqualTilde; &copy 2024 &bogus;")
                == "café – 😀 \u{2242}\u{338} © 2024 &amp;bogus;")
    }

    @Test func decodesLegacyReferencesInAttributesOnlyWhereBrowsersDo() {
        #expect(
            content(#"<a href="/?a=1&copy=2&amp;b">x</a>"#)
                == #"<a href="/?a=1&amp;copy=2&amp;b">x</a>"#)
        #expect(
            content(#"<abbr title="&copy 1 &copy;">x</abbr>"#)
                == #"<abbr title="© 1 ©">x</abbr>"#)
    }

    @Test func escapesQuotesAndMarkupInAttributes() {
        #expect(
            comment(#"<abbr title='say "hi" & <bye>'>x</abbr>"#)
                == #"<abbr title="say &quot;hi&quot; &amp; &lt;bye&gt;">x</abbr>"#)
    }

    @Test func readsQuotedUnquotedAndValuelessAttributes() {
        #expect(
            content(#"<ol start=3 reversed type='a'><li value="2">x</ol>"#)
                == #"<ol start="3" reversed="" type="a"><li value="2">x</li></ol>"#)
    }

    @Test func removesNulAndControlCharacters() {
        #expect(
            comment("a\u{0}b\u{1}c\u{7F}d\u{85}e\u{C}f\r\ng\rh&#1;i&#0;") == "abcdef\ng\nhi\u{FFFD}"
        )
        #expect(comment("tab\tand\nnewline") == "tab\tand\nnewline")
    }

    @Test func leavesBareNewlinesToAutop() {
        #expect(comment("one\n\ntwo\nthree") == "one\n\ntwo\nthree")
    }
}

@Suite struct SanitizerAttributeTests {
    @Test func lowercasesNamesAndKeepsTheFirstOfDuplicates() {
        #expect(content(#"<ABBR TITLE="a" title="b">x</ABBR>"#) == #"<abbr title="a">x</abbr>"#)
        #expect(content(#"<a href="javascript:x" href="/ok">x</a>"#) == "<a>x</a>")
    }

    @Test func neverKeepsEventHandlersOrStyle() {
        #expect(
            content(#"<p onclick="x" ONMOUSEOVER=y style="color:red" class="c">x</p>"#)
                == #"<p class="c">x</p>"#)
        var reckless = SanitizerPolicy.content
        reckless.elements["p"] = ["style", "onclick"]
        reckless.globalAttributes = ["onload", "style"]
        #expect(
            HTMLSanitizer.sanitize(#"<p style="x" onclick="y" onload="z">x</p>"#, policy: reckless)
                == "<p>x</p>")
    }

    @Test func neverKeepsForbiddenElementsWhateverThePolicySays() {
        var reckless = SanitizerPolicy.content
        reckless.elements["iframe"] = ["src"]
        reckless.elements["form"] = ["action"]
        reckless.contentDroppingElements = []
        let output = HTMLSanitizer.sanitize(
            #"<form action="/x"><iframe src="/y">a</iframe>b</form>"#, policy: reckless)
        #expect(output == "b")
    }

    @Test func refusesOddNamesEvenWhenAHandMadePolicyListsThem() {
        var reckless = SanitizerPolicy.content
        reckless.elements[#"x"y"#] = []
        reckless.elements["p"] = [#"a"b"#]
        let output = HTMLSanitizer.sanitize(#"<x"y>t</x"y><p a"b=1>u</p>"#, policy: reckless)
        #expect(output == "t<p>u</p>")
    }

    @Test func dropsAttributesOutsideTheAllowlist() {
        #expect(
            comment(#"<a href="https://x.example" target="_blank" class="c" id="i">x</a>"#)
                == #"<a href="https://x.example" rel="nofollow ugc">x</a>"#)
        #expect(
            content(#"<img src="/a.png" srcset="/b.png 2x" loading="lazy">"#)
                == #"<img src="/a.png" loading="lazy" />"#)
    }
}

@Suite struct SanitizerURLTests {
    @Test(arguments: [
        "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "java\nscript:x",
        "&#106;avascript:alert(1)", "&#x6A;avascript:x", "&#0000106avascript:x",
        "jav&#x09;ascript:x",
        "java&Tab;script:x", " \u{1}javascript:x", "vbscript:msgbox(1)",
        "data:text/html,<script>x</script>",
        "DATA:image/png;base64,AAAA", "javascript&colon;alert(1)", "feed:javascript:x",
        "\u{0}javascript:x",
    ])
    func rejectsDangerousSchemes(url: String) {
        let escaped = url.replacingOccurrences(of: "\"", with: "&quot;")
        #expect(comment("<a href=\"\(escaped)\">x</a>") == "<a>x</a>")
        #expect(content("<a href=\"\(escaped)\">x</a>") == "<a>x</a>")
        #expect(content("<img src=\"\(escaped)\" alt=y>") == #"<img alt="y" />"#)
    }

    @Test func keepsHttpHttpsAndMailtoWithNofollow() {
        for url in ["http://a.example/x", "HTTPS://a.example", "mailto:me@a.example"] {
            #expect(
                comment(#"<a href="\#(url)">x</a>"#)
                    == #"<a href="\#(url)" rel="nofollow ugc">x</a>"#)
        }
        #expect(
            comment(#"<a href="  https://a.example  ">x</a>"#)
                == #"<a href="https://a.example" rel="nofollow ugc">x</a>"#)
    }

    @Test func refusesRelativeURLsInCommentsOnly() {
        for url in [
            "/path", "page.html", "#top", "?q=1", "//evil.example/x", #"\\evil.example"#, "",
        ] {
            #expect(comment(#"<a href="\#(url)">x</a>"#) == "<a>x</a>")
        }
        let relative = ##"<a href="/path">x</a><a href="#top">y</a><a href="?q">z</a>"##
        #expect(content(relative) == relative)
        #expect(
            content(#"<a href="//evil.example">x</a>"#)
                == #"<a href="//evil.example" rel="nofollow ugc">x</a>"#)
    }

    @Test func neverAllowsScriptSchemesWhateverThePolicySays() {
        var reckless = SanitizerPolicy.content
        reckless.allowedSchemes = ["javascript", "data", "vbscript", "https"]
        let html = #"<a href="javascript:x">1</a><a href="data:,x">2</a><a href="vbscript:x">3</a>"#
        #expect(HTMLSanitizer.sanitize(html, policy: reckless) == "<a>1</a><a>2</a><a>3</a>")
    }

    @Test func checksTheCiteURLToo() {
        #expect(
            comment(#"<blockquote cite="javascript:x">q</blockquote>"#)
                == "<blockquote>q</blockquote>")
    }

    @Test func trustedHostsGetNoNofollow() {
        let hosts: Set<String> = ["Blog.Example"]
        #expect(
            content(#"<a href="https://blog.example/p">x</a>"#, trusting: hosts)
                == #"<a href="https://blog.example/p">x</a>"#)
        #expect(
            content(#"<a href="//BLOG.example:8080/p">x</a>"#, trusting: hosts)
                == #"<a href="//BLOG.example:8080/p">x</a>"#)
        #expect(
            content(#"<a href="https://blog.example@evil.example/">x</a>"#, trusting: hosts)
                == #"<a href="https://blog.example@evil.example/" rel="nofollow ugc">x</a>"#)
        #expect(
            content(#"<a href="mailto:a@blog.example">x</a>"#, trusting: hosts)
                == #"<a href="mailto:a@blog.example" rel="nofollow ugc">x</a>"#)
    }

    @Test func mergesAnAuthorsRelInContentButNotInComments() {
        #expect(
            content(#"<a href="https://x.example" rel="noopener UGC">x</a>"#)
                == #"<a href="https://x.example" rel="noopener ugc nofollow">x</a>"#)
        #expect(
            comment(#"<a href="https://x.example" rel="sponsored">x</a>"#)
                == #"<a href="https://x.example" rel="nofollow ugc">x</a>"#)
        #expect(comment("<a>anchor</a>") == "<a>anchor</a>")
    }
}
