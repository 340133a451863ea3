import DreyCore
import DreyTestSupport
import Foundation
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Settings → Sign-in: the owner adds and removes OpenID Connect providers and switches methods; the secret is
/// never shown back, and a refused form comes back with what was typed.
@Suite struct SignInAdminTests {
    @Test("the owner adds a provider (secret never shown), is told what is wrong, removes it, switches IndieAuth", arguments: TestDatabase.allCases)
    func settings(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (_, pass) = try await blog.member(.administrator, "ada")
            let (_, editorPass) = try await blog.member(.editor, "ed")
            var ada = AdminSession(client: client)
            _ = try await ada.signIn("ada@blog.test", pass)
            let screen = try await ada.get("/admin/settings/signin")
            #expect(screen.status == .ok)
            #expect(screen.text.contains("No provider yet"))
            #expect(try await ada.get("/admin/settings/general").text.contains("/admin/settings/signin"))

            let bad = try await ada.post(
                "/admin/settings/signin",
                [("action", "add"), ("name", "Work"), ("issuer", "not a url"), ("client_id", "blog-1"), ("client_secret", "top-secret-9")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("The issuer must be an https URL"))
            #expect(bad.text.contains("value=\"not a url\"") && bad.text.contains("value=\"blog-1\""))
            #expect(!bad.text.contains("top-secret-9"))

            let added = try await ada.post(
                "/admin/settings/signin",
                [
                    ("action", "add"), ("name", "Work"), ("issuer", "https://id.example.com"), ("client_id", "blog-1"),
                    ("client_secret", "top-secret-9"),
                ])
            #expect(added.status == .seeOther)
            let listed = try await ada.get(try #require(added.location))
            #expect(listed.text.contains("Provider work added."))
            #expect(listed.text.contains("https://id.example.com") && listed.text.contains("/signin/oidc/work/callback</code>"))
            #expect(!listed.text.contains("top-secret-9"))
            let stored = try #require(try await blog.drey.signin.provider(siteID: blog.site.id, name: "work"))
            #expect(stored.clientSecret == "top-secret-9" && stored.clientID == "blog-1")
            // The public sign-in page offers it.
            #expect(try await client.get("/signin").text.contains("Sign in with work"))

            #expect(try await ada.post("/admin/settings/signin", [("action", "methods")]).status == .seeOther)
            #expect(blog.drey.sites.site(id: blog.site.id)?.settings.signinIndieAuth == false)
            #expect(blog.drey.sites.site(id: blog.site.id)?.settings.signinEmail == false)
            #expect(!(try await client.get("/signin").text.contains("name=\"website\"")))
            #expect(
                try await ada.post("/admin/settings/signin", [("action", "methods"), ("signin_indieauth", "1"), ("signin_email", "1")]).status
                    == .seeOther)
            #expect(blog.drey.sites.site(id: blog.site.id)?.settings.signinIndieAuth == true)

            #expect(try await ada.post("/admin/settings/signin", [("action", "remove"), ("name", "work")]).status == .seeOther)
            #expect(try await blog.drey.signin.providers(siteID: blog.site.id).isEmpty)
            #expect(!(try await client.get("/signin").text.contains("Sign in with work")))

            // Only those who manage options.
            var ed = AdminSession(client: client)
            _ = try await ed.signIn("ed@blog.test", editorPass)
            #expect(try await ed.get("/admin/settings/signin").status == .forbidden)
        }
    }
}
