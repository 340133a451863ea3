import DreyCore
import DreyLinkbacks
import Foundation
import Testing

@Suite struct SourcePageTests {
    let target = "http://blog.test/2008/01/27/the-post/"

    @Test("the excerpt is WordPress's: the paragraph around the link, cut to 100 characters either side")
    func excerpt() throws {
        let long = String(repeating: "word ", count: 40)
        let html = """
            <html><head><title> A  reply </title></head><body><p>First paragraph.</p>
            <p>\(long)I read <a href="\(target)">this fine post</a> and agree. \(long)</p></body></html>
            """
        let page = SourcePage(body: html, url: "http://other.test/reply")
        #expect(page.title == "A reply")
        let excerpt = try #require(page.excerpt(around: target))
        #expect(excerpt.hasPrefix("[…] "))
        #expect(excerpt.hasSuffix(" […]"))
        #expect(excerpt.contains("I read this fine post and agree."))
        #expect(excerpt.count < 240)
        #expect(!excerpt.contains("First paragraph"))
    }

    @Test("a relative link counts; a link in a comment, in text or to another page does not")
    func linksOrNot() {
        #expect(SourcePage(body: "<a href='/2008/01/27/the-post'>x</a>", url: "http://blog.test/elsewhere").links(to: target))
        #expect(!SourcePage(body: "<!-- <a href='\(target)'>x</a> --> \(target)", url: "http://o.test/").links(to: target))
        #expect(!SourcePage(body: "<a href='\(target)other/'>x</a>", url: "http://o.test/").links(to: target))
        #expect(SourcePage(body: "see \(target)", url: "http://o.test/", isHTML: false).links(to: target))
    }
}
