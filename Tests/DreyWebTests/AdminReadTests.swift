import DreyCore
import DreyTestSupport
import Foundation
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// WordPress's read capabilities in the post lists: others' unpublished posts are for editors and above.
@Suite struct AdminReadTests {
    /// The number in a status tab of the list, e.g. "Draft".
    static func tab(_ label: String, in html: String) -> String? {
        guard let r = html.range(of: ">\(label) <span class=\"badge\">") else { return nil }
        return String(html[r.upperBound...].prefix { $0.isNumber })
    }

    @Test("contributors and authors see others' published posts only, in tabs, counts, search and filters", arguments: TestDatabase.allCases)
    func othersUnpublished(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.post("Secret published", status: .publish)
            for status in [PostStatus.draft, .pending, .private, .trash] {
                try await blog.post("Secret \(status.rawValue)", status: status)
            }
            try await blog.post("Secret future", date: "2099-01-01T10:00:00Z", status: .future)
            let (_, coraPass) = try await blog.member(.contributor, "cora")
            let (_, annPass) = try await blog.member(.author, "ann")
            let (_, edPass) = try await blog.member(.editor, "ed")
            var cora = AdminSession(client: client)
            _ = try await cora.signIn("cora@blog.test", coraPass)
            _ = try await cora.get("/admin/posts/new")
            #expect(
                try await cora.post("/admin/posts/new", AdminContentTests().editorFields("Cora's own draft", status: "draft")).status == .seeOther)
            for (email, password) in [("cora@blog.test", coraPass), ("ann@blog.test", annPass)] {
                var person = AdminSession(client: client)
                _ = try await person.signIn(email, password)
                var pages: [String] = []
                for query in [
                    "", "&status=draft", "&status=pending", "&status=private", "&status=future", "&status=trash", "&s=secret",
                    "&author=\(blog.author.id)", "&author=\(blog.author.id)&status=draft", "&s=secret&status=private",
                ] {
                    let page = try await person.get("/admin/posts?type=post" + query)
                    #expect(page.status == .ok)
                    pages.append(page.text)
                }
                let all = pages.joined()
                #expect(all.contains("Secret published"))
                for hidden in ["Secret draft", "Secret pending", "Secret private", "Secret trash", "Secret future"] {
                    #expect(!all.contains(hidden), "\(email) saw \(hidden)")
                }
                let list = pages[0]
                for label in ["Scheduled", "Pending review", "Private", "Trash"] { #expect(Self.tab(label, in: list) == "0", "\(email): \(label)") }
                #expect(Self.tab("Draft", in: list) == (email.hasPrefix("cora") ? "1" : "0"))
                #expect(Self.tab("All", in: list) == (email.hasPrefix("cora") ? "2" : "1"))
                #expect(Self.tab("Published", in: list) == "1")
                if email.hasPrefix("cora") { #expect(list.contains("Cora&#39;s own draft") || list.contains("Cora's own draft")) }
                // The dashboard counts the same way.
                let dashboard = try await person.get("/admin/")
                #expect(dashboard.text.contains("<b>\(email.hasPrefix("cora") ? 1 : 0)</b> drafts"))
                #expect(dashboard.text.contains("<b>0</b> pending review") && dashboard.text.contains("<b>0</b> scheduled"))
            }
            // An editor sees them all.
            var ed = AdminSession(client: client)
            _ = try await ed.signIn("ed@blog.test", edPass)
            let edAll = try await ed.get("/admin/posts?type=post")
            for shown in ["Secret published", "Secret draft", "Secret pending", "Secret private", "Secret future", "Cora"] {
                #expect(edAll.text.contains(shown), "the editor did not see \(shown)")
            }
            #expect(Self.tab("Draft", in: edAll.text) == "2" && Self.tab("Trash", in: edAll.text) == "1")
            #expect(try await ed.get("/admin/posts?type=post&status=trash").text.contains("Secret trash"))
        }
    }
}
