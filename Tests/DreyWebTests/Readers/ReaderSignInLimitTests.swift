import DreyCore
import DreyStore
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Sign-in messages through a proxy on this machine: the limits per address and per client, the same answer for
/// every address, and mail jobs that carry no secret.
@Suite struct ReaderSignInLimitTests {
    static func ask(_ client: any TestClientProtocol, _ email: String, from ip: String) async throws -> TestResponse {
        try await client.postForm("/signin/email", [("email", email), ("return_to", "/")], headers: [.xForwardedFor: ip])
    }

    static func mailPayloads(_ blog: TestBlog) async throws -> [String] {
        try await blog.drey.database.withSQL { db in
            try await db.raw("SELECT payload FROM jobs WHERE kind = 'mail' ORDER BY id").all().map {
                try $0.decode(column: "payload", as: String.self)
            }
        }
    }

    @Test("at most 3 messages an hour per address and 10 per client; each is a mail job holding no link nor code", arguments: TestDatabase.allCases)
    func limits(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind, live: true) { blog, client in
            for n in 1...3 {
                let asked = try await Self.ask(client, "phil@example.org", from: "198.51.100.\(n)")
                #expect(asked.status == .ok)
                #expect(asked.text.contains("We sent a message to phil@example.org"))
            }
            let fourth = try await Self.ask(client, "Phil@Example.org", from: "198.51.100.9")
            #expect(fourth.status == .tooManyRequests)
            #expect(fourth.text.contains("Too many sign-in messages"))

            for n in 1...10 {
                #expect(try await Self.ask(client, "reader\(n)@example.org", from: "203.0.113.5").status == .ok)
            }
            let eleventh = try await Self.ask(client, "reader11@example.org", from: "203.0.113.5")
            #expect(eleventh.status == .tooManyRequests)
            #expect(try await Self.ask(client, "reader11@example.org", from: "203.0.113.6").status == .ok)

            // A bad address comes back with what was typed.
            let bad = try await Self.ask(client, "not an address", from: "203.0.113.7")
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("Please enter a valid email address."))
            #expect(bad.text.contains("value=\"not an address\""))

            // 3 + 10 + 1 messages queued; the link and code are made only as each is sent.
            let payloads = try await Self.mailPayloads(blog)
            #expect(payloads.count == 14)
            #expect(payloads.allSatisfy { $0.contains("readerSignIn") && !$0.contains("token") && !$0.contains("code") })
            #expect(try await blog.drey.store.latestSignInCode(siteID: blog.site.id, email: "phil@example.org") == nil)
            _ = await blog.drey.jobs.drain()
            let code = try #require(try await blog.drey.store.latestSignInCode(siteID: blog.site.id, email: "phil@example.org"))
            #expect(code.codeHash.count == 64)
            #expect(code.expiresAt.timeIntervalSince(code.createdAt) == ReaderService.emailCodeLifetime)
        }
    }

    @Test("with email sign-in switched off, a link already sent no longer signs in", arguments: [TestDatabase.sqlite])
    func switchedOff(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.drey.readers.requestEmailSignIn(
                siteID: blog.site.id, email: "phil@example.org", returnTo: "/", base: "http://blog.test", ip: "")
            let job = try #require(try await Self.mailPayloads(blog).first)
            let mail = try JSONDecoder().decode(MailQueue.Payload.self, from: Data(job.utf8))
            let account = try #require(mail.account)
            let composed = try #require(try await blog.drey.readers.compose(account))
            let token = try #require(ReaderEmailSignInTests.linkAndCode(composed.message.body)?.token)
            try await blog.set(.signinEmail, "off")
            let page = try await client.get("/signin/email/confirm?token=\(token)")
            #expect(page.status == .notFound)
            let post = try await client.postForm("/signin/email/confirm", [("token", token)])
            #expect(post.status == .notFound)
            #expect(post.headers[.setCookie] == nil)
            try await blog.set(.signinEmail, "on")
            #expect(try await client.postForm("/signin/email/confirm", [("token", token)]).status == .seeOther)
        }
    }
}
