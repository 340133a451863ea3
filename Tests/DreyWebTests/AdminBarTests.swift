import DreyCore
import DreyTestSupport
import Foundation
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Public pages lead into the admin: a sign-in link for readers, and for signed-in staff an admin bar with "Edit",
/// made for them alone while readers keep getting the cached page.
@Suite struct AdminBarTests {
    func cacheStatus(_ r: TestResponse) -> String? { r.headers[.init("X-Drey-Cache")!] }

    @Test("staff see an admin bar with Edit on posts they may edit; readers get the cached page without it", arguments: TestDatabase.allCases)
    func adminBar(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let post = try await blog.post("Barred", categories: ["News"])
            let path = "/2008/01/27/barred/"
            let first = try await client.get(path)
            #expect(cacheStatus(first) == "MISS")
            #expect(!first.text.contains("admin-bar"))
            #expect(first.text.contains("/admin/\" rel=\"nofollow\">Sign in</a>"))

            let (_, password) = try await blog.member(.editor, "edna")
            var editor = AdminSession(client: client)
            #expect(try await editor.signIn("edna@blog.test", password).status == .seeOther)
            let staffPage = try await editor.get(path)
            #expect(cacheStatus(staffPage) == "BYPASS")
            #expect(staffPage.text.contains("<nav class=\"admin-bar\" aria-label=\"Admin\">"))
            #expect(staffPage.text.contains("Signed in as Edna"))
            #expect(staffPage.text.contains("href=\"http://\(TestBlog.host)/admin/posts/\(post.id)\">Edit post</a>"))
            #expect(!staffPage.text.contains(">Sign in</a>"))
            // Lists get the bar without an Edit link.
            let home = try await editor.get("/")
            #expect(home.text.contains("admin-bar") && !home.text.contains("Edit post"))

            // The reader still gets the cached page, without the bar.
            let again = try await client.get(path)
            #expect(cacheStatus(again) == "HIT")
            #expect(!again.text.contains("admin-bar") && !again.text.contains("Edit post"))

            // A contributor may not edit someone else's published post: the bar, no Edit.
            let (_, cpass) = try await blog.member(.contributor, "cory")
            var contributor = AdminSession(client: client)
            #expect(try await contributor.signIn("cory@blog.test", cpass).status == .seeOther)
            let theirs = try await contributor.get(path)
            #expect(theirs.text.contains("Signed in as Cory") && !theirs.text.contains("Edit post"))

            // A subscriber is not staff; a stale session cookie is nobody.
            let (_, spass) = try await blog.member(.subscriber, "sue")
            var subscriber = AdminSession(client: client)
            _ = try await subscriber.signIn("sue@blog.test", spass)
            #expect(!(try await subscriber.get(path)).text.contains("admin-bar"))
            var stale = AdminSession(client: client)
            stale.cookies["drey_session"] = "not-a-session-token-at-all"
            #expect(!(try await stale.get(path)).text.contains("admin-bar"))
        }
    }
}
