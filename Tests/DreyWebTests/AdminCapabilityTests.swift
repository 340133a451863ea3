import DreyCore
import DreyTestSupport
import Foundation
import HummingbirdTesting
import SQLKit
import Testing

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

}
