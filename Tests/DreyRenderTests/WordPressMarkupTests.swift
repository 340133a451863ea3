import DreyCore
import Foundation
import Testing

@testable import DreyRender

@Suite struct WordPressMarkupTests {
    func render(_ source: String, media: ShortcodeMedia = .unresolved) -> String {
        ContentRenderer.post(source, format: .html, media: media)
    }

    @Test func captionBecomesAFigureWithItsCaption() {
        let html = render(
            "Before\n\n[caption id=\"attachment_6\" align=\"alignright\" width=\"300\"]<a href=\"http://example.org/a.jpg\"><img src=\"http://example.org/a-300x200.jpg\" alt=\"A boat\" /></a> A boat at sea[/caption]\n\nAfter"
        )
        #expect(html.contains("<figure class=\"wp-caption alignright\"><a href=\"http://example.org/a.jpg\""))
        #expect(html.contains("<img src=\"http://example.org/a-300x200.jpg\" alt=\"A boat\" />"))
        #expect(html.contains("<figcaption class=\"wp-caption-text\">A boat at sea</figcaption></figure>"))
        #expect(html.contains("<p>Before</p>") && html.contains("<p>After</p>"))
        #expect(!html.contains("[caption") && !html.contains("<p><figure"))
    }

    @Test func captionAttributeWinsOverTrailingText() {
        let html = render("[caption caption=\"From the attribute\"]<img src=\"/x.png\" alt=\"\">[/caption]")
        #expect(html.contains("<figcaption class=\"wp-caption-text\">From the attribute</figcaption>"))
    }

    @Test func galleryShowsTheImagesItNames() {
        let media = ShortcodeMedia(
            byID: [7: .init(url: "/wp-content/uploads/a.jpg", alt: "A", caption: "First"), 9: .init(url: "/wp-content/uploads/b.jpg")],
            ofPost: [.init(url: "/wp-content/uploads/own.jpg")])
        let named = render("[gallery ids=\"9,7\" columns=\"2\"]", media: media)
        #expect(named.contains("<div class=\"gallery gallery-columns-2\">"))
        let b = named.range(of: "b.jpg")!.lowerBound
        let a = named.range(of: "a.jpg")!.lowerBound
        #expect(b < a)
        #expect(named.contains("<figcaption class=\"wp-caption-text gallery-caption\">First</figcaption>"))
        #expect(render("[gallery]", media: media).contains("own.jpg"))
        // Without the media lookup the shortcode stays as written; with a complete one and no images it goes.
        #expect(render("[gallery]").contains("[gallery]"))
        #expect(!render("[gallery]", media: ShortcodeMedia()).contains("[gallery"))
    }

    @Test func videoURLOnItsOwnLineBecomesALinkedFigure() {
        let html = render("Watch this:\n\nhttps://www.youtube.com/watch?v=nwe-H6l4beM\n\nand this https://vimeo.com/1 inline.")
        #expect(
            html.contains(
                "<figure class=\"wp-block-embed is-type-video is-provider-youtube\"><a href=\"https://www.youtube.com/watch?v=nwe-H6l4beM\""))
        #expect(html.contains("Watch the video on YouTube"))
        #expect(html.contains("and this https://vimeo.com/1 inline."))
        // A URL that is not a video stays plain text, as WordPress leaves it without an oEmbed.
        #expect(render("https://example.org/page\n").contains("<p>https://example.org/page</p>"))
    }

    @Test func embedShortcodeAndVideoFilesBecomeLinks() {
        #expect(render("[embed]https://vimeo.com/22439234[/embed]").contains("Watch the video on Vimeo"))
        #expect(
            render("[embed]https://example.org/page[/embed]").contains(
                "<a href=\"https://example.org/page\" rel=\"nofollow ugc\">https://example.org/page</a>"))
        #expect(render("[video src=\"http://example.org/clip.mp4\"]").contains("Watch the video (clip.mp4)"))
        #expect(render("<video controls src=\"https://example.org/m.mov\"></video>").contains("Watch the video (m.mov)"))
    }

    @Test func blockMarkupLosesItsDelimitersAndIsNotAutopd() {
        let source = """
            <!-- wp:paragraph -->
            <p>Two roads diverged,<br>and sorry
            I could not travel both</p>
            <!-- /wp:paragraph -->

            <!-- wp:core-embed/youtube {"url":"https://youtu.be/ex8fMxXJDJw","type":"video"} -->
            <figure class="wp-block-embed-youtube wp-block-embed"><div class="wp-block-embed__wrapper">
            https://youtu.be/ex8fMxXJDJw
            </div></figure>
            <!-- /wp:core-embed/youtube -->

            <!-- wp:embed {"url":"https://twitter.com/WordPress/status/1"} -->
            <figure class="wp-block-embed"><div class="wp-block-embed__wrapper">
            https://twitter.com/WordPress/status/1
            </div></figure>
            <!-- /wp:embed -->
            <!-- wp:latest-posts /-->
            """
        let html = render(source)
        #expect(!html.contains("wp:"))
        #expect(html.contains("<p>Two roads diverged,<br />and sorry\nI could not travel both</p>"))
        #expect(html.contains("Watch the video on YouTube"))
        #expect(html.contains("<a href=\"https://twitter.com/WordPress/status/1\" rel=\"nofollow ugc\">https://twitter.com/WordPress/status/1</a>"))
        #expect(WordPressMarkup.unhandled(in: source) == ["wp:latest-posts": 1])
    }

    @Test func otherShortcodesStayVisibleAndAreListed() {
        let source = "[contact-form to=\"me\"] and [[caption]] and [1] and [audio mp3=\"x\"]"
        let html = render(source)
        #expect(html.contains("[contact-form to=\"me\"]"))
        #expect(html.contains("[caption]"))  // [[caption]] is WordPress's escape for a literal one
        #expect(html.contains("[1]"))
        #expect(WordPressMarkup.unhandled(in: source) == ["[contact-form]": 1])
    }

    @Test func shortcodeAttributesParseAsWordPressDoes() {
        let (named, positional) = ShortcodeScanner.parseAttributes(" a=\"x y\" B='z' c=3 640 \"quoted\"")
        #expect(named == ["a": "x y", "b": "z", "c": "3"])
        #expect(positional == ["640", "quoted"])
    }
}
