import DreyTestSupport
import Foundation
import Testing

@testable import DreyRender

/// cmark-gfm against the CommonMark and GFM specs in `../shared/data/commonmark`.
@Suite struct CommonMarkSpecTests {
    struct Example: Decodable {
        let markdown: String
        let html: String
        let example: Int
        let section: String
    }

    func examples(_ relative: String) throws -> [Example] {
        let url = SharedData.file(relative)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Issue.record("spec file missing: \(url.path) (set DREY_SHARED_DIR or keep ../shared beside the project)")
            return []
        }
        return try JSONDecoder().decode([Example].self, from: data)
    }

    @Test("CommonMark 0.31.2 spec examples")
    func commonMark() throws {
        let all = try examples("commonmark/commonmark-spec/spec.json")
        #expect(all.count == 655)
        let failed = all.filter { Markdown.html($0.markdown, options: [.unsafe], extensions: false) != $0.html }
        print("CommonMark spec: \(all.count - failed.count)/\(all.count) examples pass; failing: \(failed.map(\.example))")
        // cmark-gfm 0.29 predates spec 0.31; the rest differ in details the newer spec changed.
        #expect(all.count - failed.count >= 620)
    }

    @Test("GFM spec examples, with the table, strikethrough, autolink and tasklist extensions")
    func gfm() throws {
        let all = try examples("commonmark/gfm/gfm-spec.json")
        #expect(all.count == 671)
        let failed = all.filter { Markdown.html($0.markdown, options: [.unsafe], extensions: true) != $0.html }
        print("GFM spec: \(all.count - failed.count)/\(all.count) examples pass; failing: \(failed.map(\.example))")
        #expect(all.count - failed.count >= 640)
        #expect(Markdown.html("| a | b |\n|---|---|\n| 1 | 2 |").contains("<table>"))
        #expect(Markdown.html("~~gone~~").contains("<del>gone</del>"))
        #expect(Markdown.html("see https://example.org").contains("<a href=\"https://example.org\">"))
        #expect(Markdown.html("- [x] done").contains("checked=\"\""))
    }

    @Test("post content keeps its formatting and loses its scripts")
    func postContent() {
        let html = ContentRenderer.post("# Title\n\n*em* <script>alert(1)</script>\n\n[x](javascript:alert(1))", format: .markdown)
        #expect(html.contains("<h1>Title</h1>") && html.contains("<em>em</em>"))
        #expect(!html.contains("<script") && !html.contains("javascript:"))
        #expect(ContentRenderer.post("Para one\n\nPara two\nline", format: .html) == "<p>Para one</p>\n<p>Para two<br />\nline</p>\n")
    }
}
