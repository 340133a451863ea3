import DreyCore
import DreyRender
import DreyTestSupport
import Foundation
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

@Suite struct HeadAndThemeTests {
    @Test("every page has a title, canonical URL and OpenGraph tags", arguments: [TestDatabase.sqlite])
    func head(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.set(.title, "Lair")
            try await blog.post("On pamphlets", "The first words of the post.")
            let html = try await client.get("/2008/01/27/on-pamphlets/").text
            #expect(html.contains("<title>On pamphlets – Lair</title>"))
            #expect(html.contains("<link rel=\"canonical\" href=\"http://blog.test/2008/01/27/on-pamphlets/\">"))
            #expect(html.contains("<meta property=\"og:title\" content=\"On pamphlets\">"))
            #expect(html.contains("<meta property=\"og:url\" content=\"http://blog.test/2008/01/27/on-pamphlets/\">"))
            #expect(html.contains("<meta property=\"og:description\" content=\"The first words of the post.\">"))
            #expect(html.contains("<meta property=\"og:type\" content=\"article\">"))
            #expect(html.contains("rel=\"alternate\" type=\"application/atom+xml\""))
            let home = try await client.get("/").text
            #expect(home.contains("<title>Lair – Just another Drey blog</title>"))
        }
    }

    @Test("no template placeholder or empty label reaches a reader, whatever the data")
    func placeholders() throws {
        let theme = try Theme(directory: SharedData.packageRoot.appendingPathComponent("Themes/default"))
        let empty = Chrome(
            siteTitle: "", tagline: "", homeURL: "", documentTitle: "", canonicalURL: "", description: "", ogTitle: "", typographyCSS: "")
        let emptyPost = PostView(
            id: 0, title: "", url: "", dateText: "", timeText: "", isoPublished: "", isoModified: "", authorName: "", authorURL: "",
            contentHTML: "", excerptText: "", categories: [], tags: [], commentCountText: "", commentsURL: "", sticky: false,
            isPage: false, typographyStyle: "")
        let emptyForm = CommentForm(actionURL: "", postID: 0, token: "", isOpen: true, maxLength: 0)
        let emptyComment = CommentView(
            id: 0, authorName: "", authorURL: "", avatarURL: "", dateText: "", isoDate: "", contentHTML: "", byPostAuthor: false,
            awaitingModeration: false, replyURL: "", canReply: true, depth: 1, replies: [])
        let pagination = Pagination(newerURL: "", olderURL: "", current: 1, total: 1)
        let views: [(String, Any)] = [
            ("home", ListPage(chrome: empty, heading: "", headingKind: "", descriptionHTML: "", posts: [], pagination: pagination, emptyMessage: "")),
            (
                "home",
                ListPage(
                    chrome: empty, heading: "", headingKind: "", descriptionHTML: "", posts: [emptyPost], pagination: pagination, emptyMessage: "")
            ),
            (
                "archive",
                ListPage(
                    chrome: empty, heading: "", headingKind: "", descriptionHTML: "", posts: [emptyPost], pagination: pagination, emptyMessage: "")
            ),
            (
                "search",
                ListPage(
                    chrome: empty, heading: "", headingKind: "", descriptionHTML: "", posts: [], pagination: pagination, emptyMessage: "",
                    isSearch: true)
            ),
            ("404", NotFoundPage(chrome: empty, message: "")),
            (
                "post",
                PostPage(
                    chrome: empty, post: emptyPost, commentsHeading: "", comments: [emptyComment],
                    linkbacks: [LinkbackView(id: 0, kindLabel: "", title: "", url: "", excerptHTML: "", dateText: "")], form: emptyForm,
                    likesText: "", showDiscussion: true)
            ),
            (
                "post",
                PostPage(
                    chrome: empty, post: emptyPost, commentsHeading: "", comments: [], linkbacks: [],
                    form: CommentForm(actionURL: "", postID: 0, token: "", isOpen: false, maxLength: 0), likesText: "", showDiscussion: true)
            ),
            // Missing data entirely: a view that answers nothing.
            ("post", [String: String]()), ("home", [String: String]()), ("archive", [String: String]()), ("search", [String: String]()),
            ("404", [String: String]()),
        ]
        for (template, view) in views {
            let html = try #require(theme.render(view, template: template), "\(template) did not render")
            #expect(!html.contains("{{") && !html.contains("}}"), "\(template) leaks a Mustache tag")
            #expect(!html.contains("%s") && !html.contains("%d"), "\(template) leaks a printf placeholder")
            for label in [
                "Tags: </span>", "Tags:</span>", "Filed under: </span>", "Filed under:</span>", "by <a class=\"p-author h-card\" href=\"\"></a>",
            ] {
                #expect(!html.contains(label), "\(template) prints an empty label: \(label)")
            }
            #expect(html.contains("</html>"), "\(template) is cut short")
        }
    }

    @Test("typography is a site setting with a per-post override", arguments: [TestDatabase.sqlite])
    func typography(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.set(.fontSize, "21")
            try await blog.set(.fontFamily, "sans")
            try await blog.set(.lineHeight, "1.8")
            try await blog.set(.contentWidth, "72")
            try await blog.post("Big letters", typography: Typography(fontSize: 26))
            let html = try await client.get("/2008/01/27/big-letters/").text
            #expect(html.contains("--drey-font-size: 21px;"))
            #expect(html.contains("--drey-line-height: 1.8;"))
            #expect(html.contains("--drey-measure: 72ch;"))
            #expect(html.contains("--drey-font: system-ui"))
            #expect(html.contains("style=\"--drey-font-size: 26px;\""))
            let css = try await client.get("/assets/default/style.css")
            #expect(css.status == .ok)
            #expect(css.text.contains("font-size: var(--drey-font-size)"))
            await #expect(throws: SettingError.self) { try await blog.set(.fontSize, "200") }
            await #expect(throws: SettingError.self) { try await blog.set(.timezone, "Mars/Olympus") }
            await #expect(throws: SettingError.self) { try await blog.set(.permalinkStructure, "/%nonsense%/") }
            #expect(blog.siteNow.settings.fontSize == "21")
        }
    }
}

extension SiteSettings {
    var fontSize: String { self[.fontSize] }
}
