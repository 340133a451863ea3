import DreyCore
import DreyTestSupport
import Foundation
import HummingbirdTesting
import SQLKit
import Testing

@testable import DreyApp
@testable import DreyWeb

/// WordPress's capabilities, checked where a person of each role meets them in the admin.
@Suite struct AdminCapabilityTests {
    func fields(_ title: String, status: String, extra: [(String, String)] = []) -> [(String, String)] {
        AdminContentTests().editorFields(title, status: status, extra: extra)
    }

    @Test("a subscriber, who may not use the admin, can still sign out", arguments: TestDatabase.allCases)
    func subscriberSignsOut(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (_, password) = try await blog.member(.subscriber, "sam")
            var sam = AdminSession(client: client)
            #expect(try await sam.signIn("sam@blog.test", password).status == .seeOther)
            let refused = try await sam.get("/admin/")
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("/admin/logout\" class=\"inline\""))
            let forged = try await sam.post("/admin/logout", [("_csrf", "forged")], csrf: false)
            #expect(forged.status == .forbidden)
            let out = try await sam.post("/admin/logout", [])
            #expect(out.status == .seeOther)
            #expect(out.location?.hasSuffix("/admin/login") == true)
            #expect(sam.cookies[WebApp.sessionCookie] == nil)
            // The session is gone on the server too, not only in the browser.
            let sessions = try await blog.drey.database.withSQL { db in
                try await db.raw("SELECT count(*) AS n FROM sessions").first(decodingColumn: "n", as: Int.self)
            }
            #expect(sessions == 0)
            // Signing out everywhere works for them as well.
            var again = AdminSession(client: client)
            _ = try await again.signIn("sam@blog.test", password)
            _ = try await again.get("/admin/")
            #expect(try await again.post("/admin/logout-everywhere", []).status == .seeOther)
            #expect(try await again.get("/admin/").status == .seeOther)
        }
    }

    @Test("only editors and above make posts sticky; authors' sticky flag is ignored and not offered", arguments: TestDatabase.allCases)
    func sticky(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (_, annPass) = try await blog.member(.author, "ann")
            let (_, edPass) = try await blog.member(.editor, "ed")
            var ann = AdminSession(client: client)
            _ = try await ann.signIn("ann@blog.test", annPass)
            let form = try await ann.get("/admin/posts/new")
            #expect(!form.text.contains("name=\"sticky\""))
            let saved = try await ann.post("/admin/posts/new", fields("Ann's news", status: "publish", extra: [("sticky", "1")]))
            #expect(saved.status == .seeOther)
            let id = try #require(saved.location.flatMap { Int64($0.split(separator: "/").last?.split(separator: "?").first ?? "") })
            #expect(try await blog.drey.store.post(id: id, siteID: blog.site.id)?.sticky == false)
            // An editor sticks it; the author's next save keeps it as the editor left it.
            var ed = AdminSession(client: client)
            _ = try await ed.signIn("ed@blog.test", edPass)
            #expect(try await ed.get("/admin/posts/\(id)").text.contains("name=\"sticky\""))
            let stamp = { (text: String) in
                text.range(of: "name=\"modified\" value=\"").map { String(text[$0.upperBound...].prefix { $0 != "\"" }) } ?? ""
            }
            let edPage = try await ed.get("/admin/posts/\(id)")
            #expect(
                try await ed.post(
                    "/admin/posts/\(id)", fields("Ann's news", status: "publish", extra: [("sticky", "1"), ("modified", stamp(edPage.text))])
                ).status == .seeOther)
            #expect(try await blog.drey.store.post(id: id, siteID: blog.site.id)?.sticky == true)
            let annPage = try await ann.get("/admin/posts/\(id)")
            #expect(
                try await ann.post("/admin/posts/\(id)", fields("Ann's news, edited", status: "publish", extra: [("modified", stamp(annPage.text))]))
                    .status == .seeOther)
            let after = try await blog.drey.store.post(id: id, siteID: blog.site.id)
            #expect(after?.title == "Ann's news, edited" && after?.sticky == true)
        }
    }

    @Test("contributors and authors cannot create categories, from the editor or the terms page; editors can", arguments: TestDatabase.allCases)
    func categories(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (_, coraPass) = try await blog.member(.contributor, "cora")
            let (_, annPass) = try await blog.member(.author, "ann")
            let (_, edPass) = try await blog.member(.editor, "ed")
            for (email, password, status) in [("cora@blog.test", coraPass, "pending"), ("ann@blog.test", annPass, "publish")] {
                var person = AdminSession(client: client)
                _ = try await person.signIn(email, password)
                let form = try await person.get("/admin/posts/new")
                #expect(!form.text.contains("name=\"new_category\""))
                let refused = try await person.post(
                    "/admin/posts/new", fields("My words", status: status, extra: [("new_category", "Made up"), ("source", "Kept *text*")]))
                #expect(refused.status == .forbidden)
                #expect(refused.text.contains("You are not allowed to create categories"))
                #expect(refused.text.contains("Kept *text*</textarea>"))
                #expect(try await person.get("/admin/terms?taxonomy=category").status == .forbidden)
                _ = try await person.post("/admin/terms", [("action", "add"), ("taxonomy", "category"), ("name", "Made up")])
            }
            #expect(try await blog.drey.store.term(name: "Made up", taxonomy: .category, siteID: blog.site.id) == nil)
            var ed = AdminSession(client: client)
            _ = try await ed.signIn("ed@blog.test", edPass)
            #expect(try await ed.get("/admin/posts/new").text.contains("name=\"new_category\""))
            #expect(
                try await ed.post("/admin/posts/new", fields("Ed's", status: "publish", extra: [("new_category", "Made up")])).status == .seeOther)
            #expect(try await blog.drey.store.term(name: "Made up", taxonomy: .category, siteID: blog.site.id) != nil)
        }
    }
}
