import DreyCore
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import DreyApp
@testable import DreyWeb

@Suite struct BadInputTests {
    @Test("malformed, oversized and non-UTF-8 bodies get a clear 4xx and the server keeps serving", arguments: [TestDatabase.sqlite])
    func bodies(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.post("Post")
            let form: HTTPFields = [.xForwardedHost: TestBlog.host, .contentType: "application/x-www-form-urlencoded"]
            let broken = try await client.execute(
                uri: "/wp-comments-post.php", method: .post, headers: form, body: ByteBuffer(string: "comment=%ZZ&author=%"))
            #expect(broken.status == .badRequest)
            let invalid = try await client.execute(
                uri: "/wp-comments-post.php", method: .post, headers: form, body: ByteBuffer(bytes: Array("comment=".utf8) + [0xff, 0xfe]))
            #expect(invalid.status == .badRequest)
            #expect(String(buffer: invalid.body).contains("UTF-8"))
            let huge = try await client.execute(
                uri: "/wp-comments-post.php", method: .post, headers: form,
                body: ByteBuffer(string: "comment=" + String(repeating: "a", count: 2 << 20)))
            #expect(huge.status == .contentTooLarge)
            let put = try await client.execute(uri: "/", method: .put, headers: [.xForwardedHost: TestBlog.host], body: nil)
            #expect(put.status == .methodNotAllowed)
            #expect(try await client.get("/").status == .ok)
            let badPath = try await client.get("/%E0%A4%A").status
            #expect(badPath == .badRequest || badPath == .notFound)
            #expect(try await client.get("/?s=" + String(repeating: "x", count: 5000)).status == .ok)
        }
    }

    @Test("one site answers any host until a second site exists", arguments: [TestDatabase.sqlite])
    func hosts(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            #expect(try await client.get("/", headers: [.xForwardedHost: "anything.example"]).status == .ok)
            _ = try await blog.drey.siteService.createSite(host: "second.test", title: "Second")
            #expect(try await client.get("/", headers: [.xForwardedHost: "anything.example"]).status == .notFound)
            #expect(try await client.get("/", headers: [.xForwardedHost: "second.test:8080"]).text.contains("Second"))
            #expect(try await client.get("/", headers: [.xForwardedHost: "localhost"]).status == .ok)
        }
    }
}
