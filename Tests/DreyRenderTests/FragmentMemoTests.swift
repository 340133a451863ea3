import DreyCore
import Foundation
import Mustache
import Testing

@testable import DreyRender

/// Threads and post summaries are rendered through the theme's partials once per way they are shown
/// (`FragmentMemo`, decision 0025): the result must be what the theme's own loop makes, and change whenever
/// anything shown changes.
@Suite struct FragmentMemoTests {
    static let loaded = Result {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try Theme(directory: root.appendingPathComponent("Themes/default"))
    }

    static func theme() throws -> Theme { try loaded.get() }

    static func comment(_ id: Int64, _ text: String, replies: [CommentView] = [], depth: Int = 1) -> CommentView {
        CommentView(
            id: id, authorName: "Reader \(id)", authorURL: id % 2 == 0 ? "https://example.org/\(id)" : "", avatarURL: "/avatar/\(id).svg",
            dateText: "May 1, 2024", isoDate: "2024-05-01T10:00:00Z", contentHTML: "<p>\(text)</p>", byPostAuthor: id == 3,
            awaitingModeration: false, replyURL: "/post/?replytocom=\(id)#respond", canReply: true, depth: depth, replies: replies)
    }

    /// A template escaping as the theme's do. The theme is loaded first: loading it registers that escaping, which
    /// the template's pragma names (tests run in any order).
    static func escaping(_ source: String) throws -> MustacheTemplate {
        _ = try theme()
        return try MustacheTemplate(string: "{{% CONTENT_TYPE: \(ByteHTMLEscaping.name)}}\n" + source)
    }

    /// The theme's partials by name, for a library of the tests' own.
    static func partials(_ names: [String]) throws -> [String: MustacheTemplate] {
        var found: [String: MustacheTemplate] = [:]
        for name in names { found[name] = try #require(try theme().library.getTemplate(named: name)) }
        return found
    }

    /// What the theme's loop makes of the same views, rendered the way the post template used to.
    static func looped(_ comments: [CommentView]) throws -> String {
        var templates = try partials(["comment"])
        templates["loop"] = try escaping("{{#comments}}{{> comment}}{{/comments}}")
        return MustacheLibrary(templates: templates).render(["comments": comments], withTemplate: "loop") ?? ""
    }

    @Test("a thread rendered piece by piece equals the theme's loop, and shows an edited reply at once")
    func threads() throws {
        let thread = [
            Self.comment(1, "First", replies: [Self.comment(2, "A reply", depth: 2)]),
            Self.comment(3, "Second & <last>"),
        ]
        let once = try Self.theme().renderComments(thread)
        #expect(try once == Self.looped(thread))
        #expect(once.contains("A reply") && once.contains("id=\"comment-3\""))
        // Remembered: the same views give the same bytes.
        #expect(try Self.theme().renderComments(thread) == once)
        // A reply edited deep in the thread changes its top-level piece, nothing else is reused stale.
        var edited = thread
        edited[0].replies[0].contentHTML = "<p>An edited reply</p>"
        let again = try Self.theme().renderComments(edited)
        #expect(try again == Self.looped(edited))
        #expect(again.contains("An edited reply") && !again.contains("A reply<"))
        // Views hash by a few fields (the text's length, not the text): an edit of the same length is still seen.
        var sameLength = thread
        sameLength[0].replies[0].contentHTML = "<p>A rePly</p>"
        #expect(sameLength.hashValue == thread.hashValue)
        let third = try Self.theme().renderComments(sameLength)
        #expect(try third == Self.looped(sameLength))
        #expect(third.contains("A rePly") && !third.contains("A reply<"))
        // Held for moderation shows the note to its author; the same comment approved does not.
        var held = thread
        held[1].awaitingModeration = true
        #expect(try Self.theme().renderComments(held).contains("awaiting moderation"))
        #expect(try !Self.theme().renderComments(thread).contains("awaiting moderation"))
    }

    @Test("post summaries equal the theme's loop, a line each")
    func summaries() throws {
        let post = PostView(
            id: 7, title: "Notes <on> the engine", url: "/2024/05/01/notes/", dateText: "May 1, 2024", timeText: "",
            isoPublished: "2024-05-01T10:00:00Z", isoModified: "2024-05-02T10:00:00Z", authorName: "Ada", authorURL: "/author/ada/",
            contentHTML: "<p>Body</p>", excerptText: "Body", categories: TermLink.list([TermLink(name: "Engines", url: "/category/engines/")]),
            tags: [], commentCountText: "2 comments", commentsURL: "/2024/05/01/notes/#comments", sticky: false, isPage: false,
            typographyStyle: "", passwordRequired: false)
        var other = post
        other.id = 8
        other.title = "Another"
        var templates = try Self.partials(["post-summary", "post-meta", "post-terms"])
        templates["loop"] = try Self.escaping("{{#posts}}{{> post-summary}}\n{{/posts}}\n")
        let library = MustacheLibrary(templates: templates)
        let expected = library.render(["posts": [post, other]], withTemplate: "loop") ?? ""
        #expect(try Self.theme().renderSummaries([post, other]) == expected)
        #expect(expected.contains("Notes &lt;on&gt; the engine") && expected.contains("Another"))
        var retitled = post
        retitled.title = "Retitled"
        #expect(try Self.theme().renderSummaries([retitled]).contains("Retitled"))
        var rewritten = post
        rewritten.contentHTML = "<p>Bode</p>"
        rewritten.excerptText = "Bode"
        #expect(rewritten.hashValue == post.hashValue)
        #expect(try Self.theme().renderSummaries([rewritten]).contains("Bode"))
    }

    @Test("the memo stays within its bytes")
    func bounded() {
        let memo = FragmentMemo(limit: 10_000)
        var renders = 0
        for n in 0..<200 {
            let html = memo.fragment(n, template: "t", size: { _ in 0 }) { n in
                renders += 1
                return String(repeating: "x", count: 100) + String(n)
            }
            #expect(html.hasSuffix(String(n)))
        }
        #expect(renders == 200)
        // The last few are still known; far more than fit were never all kept.
        _ = memo.fragment(199, template: "t", size: { _ in 0 }) { _ in
            renders += 1
            return ""
        }
        #expect(renders == 200)
        #expect(memo.bytesHeld <= 10_000)
    }
}
