import DreyCore
import DreyLinkbacks
import Foundation
import Testing

@Suite struct MicroformatsTests {
    @Test("explicit properties, nested h-card author, e-content html, dt-published, u-url resolved")
    func entry() throws {
        let html = """
            <article class="h-entry">
              <h1 class="p-name">Hello</h1>
              <a class="p-author h-card" href="/me"><img src="/me.jpg" alt="">Ann Author</a>
              <time class="dt-published" datetime="2024-05-01T10:00:00Z">May 1</time>
              <div class="e-content"><p>Some <b>bold</b> text</p></div>
              <a class="u-url" href="/post/1">link</a>
              <a class="u-in-reply-to" href="https://blog.test/target/">re</a>
            </article>
            """
        let items = Microformats.parse(html: html, url: "https://other.test/post/1")
        let entry = try #require(items.first)
        #expect(entry.types == ["h-entry"])
        #expect(entry.text("name") == "Hello")
        #expect(entry.text("published") == "2024-05-01T10:00:00Z")
        #expect(entry.text("url") == "https://other.test/post/1")
        #expect(entry.text("in-reply-to") == "https://blog.test/target/")
        guard case .html(let markup, let text) = entry.first("content") else {
            Issue.record("no e-content")
            return
        }
        #expect(markup == "<p>Some <b>bold</b> text</p>")
        #expect(text == "Some bold text")
        let author = try #require(entry.first("author")?.item)
        #expect(author.types == ["h-card"])
        #expect(author.text("name") == "Ann Author")
        #expect(author.text("url") == "https://other.test/me")
        #expect(author.text("photo") == "https://other.test/me.jpg")
    }

    @Test("implied name, photo and url; children without property classes; value-class pattern")
    func implied() throws {
        let items = Microformats.parse(
            html: """
                <div class="h-card"><a href="http://x.test/"><img src="a.png" alt="Bo"></a></div>
                <div class="h-feed"><div class="h-entry"><span class="p-name"><span class="value">A</span>-<span class="value">B</span></span></div></div>
                <img class="h-card" src="c.png" alt="Cy">
                """, url: "http://page.test/dir/")
        #expect(items.count == 3)
        #expect(items[0].text("name") == "Bo")
        #expect(items[0].text("photo") == "http://page.test/dir/a.png")
        #expect(items[0].text("url") == "http://x.test/")
        #expect(items[1].children.first?.text("name") == "AB")
        #expect(items[2].text("name") == "Cy")
        #expect(items[2].text("photo") == "http://page.test/dir/c.png")
    }

    @Test("class names must be well formed to count")
    func badClassNames() {
        let items = Microformats.parse(html: "<div class='h- H-entry h-entry- x-h-entry'>x</div>", url: "http://a.test/")
        #expect(items.isEmpty)
    }

    @Test("a mention is read as a reply, like, repost or bookmark of the target, with its author")
    func mentionKinds() {
        let target = "http://blog.test/2008/01/27/post/"
        func page(_ property: String) -> SourcePage {
            SourcePage(
                body: """
                    <div class="h-entry"><a class="u-\(property)" href="\(target)">t</a>
                    <span class="p-author h-card"><img class="u-photo" src="https://other.test/p.jpg" alt=""><span class="p-name">Dee</span></span>
                    <div class="e-content">Nice <script>alert(1)</script><a href="javascript:x()">post</a></div></div>
                    """, url: "https://other.test/n/1")
        }
        #expect(MentionReader.read(page("in-reply-to"), target: target).kind == .reply)
        #expect(MentionReader.read(page("like-of"), target: target).kind == .like)
        #expect(MentionReader.read(page("repost-of"), target: target).kind == .repost)
        #expect(MentionReader.read(page("bookmark-of"), target: target).kind == .bookmark)
        #expect(MentionReader.read(page("url"), target: target).kind == .mention)
        let reply = MentionReader.read(page("in-reply-to"), target: target)
        #expect(reply.authorName == "Dee")
        #expect(reply.authorPhoto == "https://other.test/p.jpg")
        #expect(reply.contentHTML.contains("Nice"))
        #expect(!reply.contentHTML.contains("script"))
        #expect(!reply.contentHTML.contains("javascript"))
        #expect(MentionReader.read(page("like-of"), target: target).contentHTML == "<p>liked this</p>")
    }

    @Test("without microformats the page title names the mention; without an author the page's h-card does")
    func fallbacks() {
        let target = "http://blog.test/p/"
        let plain = MentionReader.read(
            SourcePage(body: "<title>Plain page</title><p>See <a href='\(target)'>this</a>.</p>", url: "http://o.test/x"),
            target: target)
        #expect(plain.kind == .mention)
        #expect(plain.authorName == "Plain page")
        #expect(plain.contentHTML.contains("See this."))
        let card = MentionReader.read(
            SourcePage(
                body:
                    "<div class='h-card'><a class='p-name u-url' href='/'>Eve</a></div><div class='h-entry'><p class='e-content'>Re <a href='\(target)'>x</a></p></div>",
                url: "http://o.test/x"), target: target)
        #expect(card.authorName == "Eve")
        #expect(card.authorURL == "http://o.test/")
    }
}
