import DreyCore
import DreyTestSupport
import Foundation
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Likes through the real path: a `drey serve`, a reader signed in by email (the real SMTP sink), the like form.
@Suite(.serialized) struct LikeTests {
    static func likeCount(_ page: String) -> Int {
        if page.contains("One blogger likes this.") { return 1 }
        guard let r = page.range(of: " bloggers like this.") else { return 0 }
        return Int(page[..<r.lowerBound].split(separator: ">").last ?? "") ?? -1
    }

    @Test(
        "likes: a guest is sent to sign in and back; 0 → 1 → 0, a second like changes nothing, the state is the reader's own",
        arguments: TestDatabase.allCases)
    func likeAndUndo(_ kind: TestDatabase) async throws {
        let sink = try await MailSink.start()
        defer { sink.stop() }
        let server = try await DreyServer.start(kind, environment: ["DREY_SMTP_URL": sink.url]) { data, env, _ in try FollowMailTests.setup(data, env)
        }
        defer { server.stopSoon() }
        let post = FollowMailTests.postPath
        func anonymousPage() async throws -> String { String(decoding: try await server.get(post).body, as: UTF8.self) }
        var guest = LoopbackBrowser(server)
        let anonymous = try await guest.get(post)
        #expect(anonymous.text.contains("class=\"like-form\"") && anonymous.text.contains(">Like</button>"))
        #expect(Self.likeCount(anonymous.text) == 0)
        let sent = try await guest.post("/like/1", [("like", "1")])
        #expect(sent.status == 303)
        #expect(sent.location?.contains("/signin?return_to=") == true && sent.location?.contains("hello") == true, "\(sent.location ?? "")")

        // Signs in by email, coming back to the post.
        var reader = LoopbackBrowser(server)
        #expect(try await reader.post("/signin/email", [("email", "phil@example.org"), ("return_to", post)]).status == 200)
        let (token, _) = try await ReaderEmailSignInTests.waitForMessage(1, to: "phil@example.org", sink, server)
        let signedIn = try await reader.post("/signin/email/confirm", [("token", token)])
        #expect(signedIn.status == 303 && signedIn.location == server.base + post)
        let mine = try await reader.get(post)
        #expect(mine.text.contains(">Like</button>") && !reader.csrf.isEmpty, "\(reader.cookies) \(server.logText.suffix(2000))")

        let liked = try await reader.post("/like/1", [("like", "1")])
        #expect(liked.status == 303 && liked.location == server.base + post + "#likes")
        let after = try await reader.get(post)
        #expect(Self.likeCount(after.text) == 1)
        #expect(after.text.contains(">Liked</button>") && after.text.contains("aria-pressed=\"true\""))
        #expect(after.text.contains("/avatar/"), "the reader's face is the blog's own")
        // Everyone sees the count and the face; nobody else sees the button pressed.
        let others = try await anonymousPage()
        #expect(Self.likeCount(others) == 1 && others.contains(">Like</button>") && !others.contains(">Liked</button>"))
        // A second like changes nothing.
        #expect(try await reader.post("/like/1", [("like", "1")]).status == 303)
        #expect(Self.likeCount(try await reader.get(post).text) == 1)
        // A form from elsewhere (no token, or another's) is refused.
        var forger = reader
        forger.csrf = "forged"
        #expect(try await forger.post("/like/1", [("like", "0")]).status == 403)
        #expect(Self.likeCount(try await anonymousPage()) == 1)
        // Taking it back.
        #expect(try await reader.post("/like/1", [("like", "0")]).status == 303)
        let undone = try await reader.get(post)
        #expect(Self.likeCount(undone.text) == 0 && undone.text.contains(">Like</button>"))
        #expect(Self.likeCount(try await anonymousPage()) == 0)
        // The owner sees who likes a post.
        #expect(try await reader.post("/like/1", [("like", "1")]).status == 303)
        var owner = LoopbackBrowser(server)
        #expect(try await owner.signIn("owner@blog.test", "password-123").status == 303)
        let likers = try await owner.get("/admin/subscribers?post=1")
        #expect(likers.text.contains("Liked by") && likers.text.contains("<li>phil</li>"), "\(likers.text)")
        #expect(try await reader.post("/like/1", [("like", "0")]).status == 303)
        // At most 60 a minute.
        var statuses: [Int] = []
        // The bucket refills one a second, so on a loaded machine a few more than 60 may pass before the first refusal.
        for n in 0..<200 where !statuses.contains(429) {
            statuses.append(try await reader.post("/like/1", [("like", n.isMultiple(of: 2) ? "1" : "0")]).status)
        }
        #expect(statuses.last == 429, "\(statuses)")
        #expect(statuses.prefix(50).allSatisfy { $0 == 303 })

        // A signed-in reader with a verified address follows at once, without a confirmation message.
        let before = sink.messages.count
        let page = try await reader.get(post)
        let formToken = try #require(FollowMailTests.token(page.text))
        let followed = try await reader.post("/follow", [("email", ""), ("scope", "blog"), ("post_id", "1"), ("drey_token", formToken)])
        #expect(followed.status == 200 && followed.text.contains("phil@example.org now follows"))
        try await Task.sleep(for: .seconds(2))
        #expect(sink.messages.count == before)
    }
}
