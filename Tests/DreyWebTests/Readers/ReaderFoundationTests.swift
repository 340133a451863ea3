import DreyCore
import DreyTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// The readers' model: identities, sessions and the cookie, on SQLite and PostgreSQL, through the app.
@Suite struct ReaderFoundationTests {
    static func cookie(_ token: String) -> HTTPFields { [.cookie: "\(ReaderWeb.cookie)=\(token)"] }

    static func oidc(_ subject: String, email: String? = nil, verified: Bool = false, name: String? = "Phil") -> ReaderIdentity {
        ReaderIdentity(
            method: .oidc, issuer: "https://id.example", subject: subject, provider: "Example", name: name, email: email,
            emailVerified: verified)
    }

    @Test("a sign-in makes one reader per (issuer, subject) and a session the cookie opens; sign-out ends it", arguments: TestDatabase.allCases)
    func signInAndOut(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (first, token) = try await blog.drey.readers.signIn(siteID: blog.site.id, identity: Self.oidc("sub-1"))
            #expect(first.provider == "Example")
            #expect(first.reader.name == "Phil")
            let (again, token2) = try await blog.drey.readers.signIn(siteID: blog.site.id, identity: Self.oidc("sub-1"))
            #expect(again.reader.id == first.reader.id)
            #expect(token != token2)
            #expect(try await blog.drey.store.readerCount(siteID: blog.site.id) == 1)

            let page = try await client.get("/signin", headers: Self.cookie(token))
            #expect(page.status == .ok)
            #expect(page.text.contains("You are signed in as Phil with your Example account"))
            #expect(page.headers[.cacheControl] == "private, no-store")
            let stranger = try await client.get("/signin", headers: Self.cookie((token.hasPrefix("x") ? "y" : "x") + token.dropFirst()))
            #expect(!stranger.text.contains("You are signed in"))

            // A GET of /signout changes nothing; the POST ends that session only and clears the cookie.
            _ = try await client.get("/signout", headers: Self.cookie(token))
            #expect(try await blog.drey.readers.session(siteID: blog.site.id, token: token) != nil)
            var headers = Self.cookie(token)
            headers[.origin] = "http://\(TestBlog.host)"
            let out = try await client.postForm("/signout?return_to=/about/", [], headers: headers)
            #expect(out.status == .seeOther)
            #expect(out.location?.hasSuffix("/about/") == true)
            #expect(out.headers[.setCookie]?.contains("\(ReaderWeb.cookie)=;") == true)
            #expect(try await blog.drey.readers.session(siteID: blog.site.id, token: token) == nil)
            #expect(try await blog.drey.readers.session(siteID: blog.site.id, token: token2) != nil)
        }
    }

    @Test("an email is taken only when verified and never joins an identity to another reader or staff", arguments: TestDatabase.allCases)
    func emailsNeverLink(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let staffEmail = blog.author.email
            let (unverified, token) = try await blog.drey.readers.signIn(
                siteID: blog.site.id, identity: Self.oidc("sub-a", email: staffEmail, verified: false))
            #expect(unverified.reader.email == nil)
            let (verified, _) = try await blog.drey.readers.signIn(
                siteID: blog.site.id, identity: Self.oidc("sub-b", email: "Phil@Example.org", verified: true))
            #expect(verified.reader.email == "phil@example.org")
            #expect(verified.reader.emailVerifiedAt != nil)
            // The same verified address from another issuer is another reader.
            var other = Self.oidc("sub-b", email: "phil@example.org", verified: true)
            other.issuer = "https://other.example"
            let (third, _) = try await blog.drey.readers.signIn(siteID: blog.site.id, identity: other)
            #expect(third.reader.id != verified.reader.id)
            #expect(try await blog.drey.store.readerCount(siteID: blog.site.id) == 3)
            // A reader's cookie is not a staff session: the admin asks for its own sign-in.
            let admin = try await client.get("/admin/", headers: Self.cookie(token))
            #expect(admin.status == .seeOther)
            #expect(admin.location?.contains("/admin/login") == true)
        }
    }

    @Test("a blocked reader cannot sign in and loses their sessions; an expired session is no session", arguments: TestDatabase.allCases)
    func blockedAndExpired(_ kind: TestDatabase) async throws {
        let now = Locked(Date())
        let clock = Clock { now.withLock { $0 } }
        try await TestBlog.with(kind, clock: clock) { blog, client in
            let readers = blog.drey.readers
            let (session, token) = try await readers.signIn(siteID: blog.site.id, identity: Self.oidc("sub-1"))
            try await blog.drey.store.setReaderStatus(.blocked, readerID: session.reader.id, siteID: blog.site.id)
            #expect(try await readers.session(siteID: blog.site.id, token: token) == nil)
            await #expect(throws: ReaderService.Blocked.self) {
                _ = try await readers.signIn(siteID: blog.site.id, identity: Self.oidc("sub-1"))
            }
            try await blog.drey.store.setReaderStatus(.active, readerID: session.reader.id, siteID: blog.site.id)
            let (_, fresh) = try await readers.signIn(siteID: blog.site.id, identity: Self.oidc("sub-1"))
            let opened = try #require(try await readers.session(siteID: blog.site.id, token: fresh))
            // Last seen is written at most once a minute: most requests only read the session.
            now.withLock { $0 = $0.addingTimeInterval(30) }
            #expect(try await readers.session(siteID: blog.site.id, token: fresh)?.lastSeenAt == opened.lastSeenAt)
            now.withLock { $0 = $0.addingTimeInterval(31) }
            let touched = try #require(try await readers.session(siteID: blog.site.id, token: fresh))
            #expect(touched.lastSeenAt > opened.lastSeenAt)
            let seen = try #require(try await blog.drey.store.reader(id: session.reader.id, siteID: blog.site.id)?.lastSeenAt)
            #expect(abs(seen.timeIntervalSince(touched.lastSeenAt)) < 0.001)
            now.withLock { $0 = $0.addingTimeInterval(ReaderService.sessionLifetime + 1) }
            #expect(try await readers.session(siteID: blog.site.id, token: fresh) == nil)
            let page = try await client.get("/signin", headers: Self.cookie(fresh))
            #expect(!page.text.contains("You are signed in"))
        }
    }

    @Test("sign-in only ever returns to a path on this site")
    func safeReturn() {
        #expect(ReaderWeb.safePath("/2008/01/27/tanks/#respond") == "/2008/01/27/tanks/#respond")
        for bad in ["//evil.example/", "https://evil.example/", "/\\evil.example", "evil", "", "/a\r\nLocation: x"] {
            #expect(ReaderWeb.safePath(bad) == "/", "\(bad)")
        }
        #expect(ReaderWeb.safePath(nil) == "/")
    }
}
