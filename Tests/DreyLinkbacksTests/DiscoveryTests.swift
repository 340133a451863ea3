import DreyCore
import DreyLinkbacks
import Foundation
import Testing

@Suite struct DiscoveryTests {
    func response(_ url: String, headers: [(String, String)] = [], body: String = "") -> FetchResponse {
        FetchResponse(url: url, status: 200, headers: [("Content-Type", "text/html")] + headers, body: Array(body.utf8))
    }

    @Test("Link headers: quoted and unquoted rel, several values, several links in one header")
    func linkHeaders() {
        #expect(EndpointDiscovery.linkTargets("</a>; rel=webmention", rel: "webmention") == ["/a"])
        #expect(EndpointDiscovery.linkTargets("<https://x/a>; rel=\"webmention other\"", rel: "webmention") == ["https://x/a"])
        #expect(
            EndpointDiscovery.linkTargets("<https://x/e>; rel=\"other\", <https://x/a>; rel=\"webmention\"", rel: "webmention") == ["https://x/a"])
        #expect(EndpointDiscovery.linkTargets("<https://x/a,b>; rel=webmention", rel: "webmention") == ["https://x/a,b"])
        #expect(EndpointDiscovery.linkTargets("<https://x/a>; rel=\"not-webmention\"", rel: "webmention").isEmpty)
    }

    @Test("HTML discovery skips comments, escaped text and links without href; resolves relative URLs")
    func htmlDiscovery() {
        let page = """
            <!-- <link rel="webmention" href="/wrong"> --><p>&lt;link rel="webmention" href="/wrong2"&gt;</p>
            <link rel="webmention"><a rel="nofollow webmention" href="endpoint?x=1">e</a>
            """
        #expect(EndpointDiscovery.webmention(in: response("http://h.example/post/1", body: page)) == "http://h.example/post/endpoint?x=1")
        #expect(EndpointDiscovery.webmention(in: response("http://h.example/p", body: "<link rel=webmention href=\"\">")) == "http://h.example/p")
        #expect(EndpointDiscovery.webmention(in: response("http://h.example/p", body: "<p>nothing</p>")) == nil)
    }

    @Test("Pingback discovery: X-Pingback first, then <link rel=pingback>")
    func pingback() {
        #expect(EndpointDiscovery.pingback(in: response("http://h/p", headers: [("X-Pingback", "http://h/xmlrpc.php")])) == "http://h/xmlrpc.php")
        #expect(EndpointDiscovery.pingback(in: response("http://h/p", body: "<link rel=\"pingback\" href=\"/x.php\">")) == "http://h/x.php")
        #expect(EndpointDiscovery.pingback(in: response("http://h/p", body: "<a rel=pingback href=/x>")) == nil)
    }

    @Test("outbound links: absolute http(s) once each, relative resolved, the site's own left out")
    func outbound() {
        let html = """
            <a href="https://other.example/a#frag">a</a> <a href="https://other.example/a">again</a>
            <a href="/local">own</a> <a href="http://me.example:8080/x">own too</a> <a href="mailto:x@y">m</a>
            <a href="javascript:alert(1)">j</a> <a href="http://me.example:9090/x">other port</a>
            """
        #expect(
            OutboundLinks.extract(html: html, base: "http://me.example:8080/2020/01/01/post/")
                == ["https://other.example/a#frag", "http://me.example:9090/x"])
    }

    @Test("URLs match as the same resource despite case, default ports, fragments and a trailing slash")
    func urlMatch() {
        #expect(URLMatch.same("HTTP://Example.com:80/a/#x", "http://example.com/a"))
        #expect(URLMatch.same("https://example.com", "https://example.com/"))
        #expect(!URLMatch.same("https://example.com/a", "https://example.com/b"))
        #expect(!URLMatch.same("https://example.com/a", "http://example.com:8080/a"))
        #expect(!URLMatch.same("javascript:alert(1)", "javascript:alert(1)"))
    }
}
