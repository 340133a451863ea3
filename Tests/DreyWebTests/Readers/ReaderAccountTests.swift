import DreyCore
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// `/account` and the readers admin, through the app, on SQLite and PostgreSQL.
@Suite struct ReaderAccountTests {
    static func cookie(_ token: String) -> HTTPFields { [.cookie: "\(ReaderWeb.cookie)=\(token)"] }

    static func csrf(_ html: String) -> String? {
        guard let r = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        return String(html[r.upperBound...].prefix { $0 != "\"" })
    }

    static func administrator(_ blog: TestBlog, _ client: any TestClientProtocol) async throws -> AdminSession {
        let (_, password) = try await blog.member(.administrator, "ada")
        var admin = AdminSession(client: client)
        let signedIn = try await admin.signIn("ada@blog.test", password)
        try #require(signedIn.status == .seeOther)
        return admin
    }

    @Test("the account page: sign-in methods, profile, JSON export, and deletion that keeps comments unlinked", arguments: TestDatabase.allCases)
    func account(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.wordPressRulesOnly(blog)
            let post = try await blog.post("Thread")
            let identity = ReaderIdentity(
                method: .email, issuer: "email", subject: "phil@example.org", provider: "email", email: "phil@example.org", emailVerified: true)
            let (session, token) = try await blog.drey.readers.signIn(siteID: blog.site.id, identity: identity)

            let anonymous = try await client.get("/account")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.location == "http://blog.test/signin?return_to=%2Faccount")

            let page = try await client.get("/account", headers: Self.cookie(token))
            #expect(page.status == .ok)
            #expect(page.headers[.cacheControl] == "private, no-store")
            #expect(page.text.contains("How you sign in"))
            #expect(page.text.contains("email: phil@example.org"))
            let csrf = try #require(Self.csrf(page.text))

            // A form from elsewhere (no token) changes nothing; a bad website comes back with what was typed.
            let forged = try await client.postForm("/account/profile", [("name", "Mallory")], headers: Self.cookie(token))
            #expect(forged.status == .forbidden)
            let bad = try await client.postForm(
                "/account/profile", [("_csrf", csrf), ("name", "Phil P."), ("website", "javascript:alert(1)")], headers: Self.cookie(token))
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("The website must be an http or https address."))
            #expect(bad.text.contains("value=\"Phil P.\""))
            let saved = try await client.postForm(
                "/account/profile", [("_csrf", csrf), ("name", "Phil P."), ("website", "phil.example")], headers: Self.cookie(token))
            #expect(saved.status == .seeOther)
            let reader = try #require(try await blog.drey.store.reader(id: session.reader.id, siteID: blog.site.id))
            #expect(reader.name == "Phil P.")
            #expect(reader.website == "https://phil.example")

            let sent = try await client.postForm(
                "/wp-comments-post.php",
                [
                    ("comment_post_ID", String(post.id)), ("comment_parent", "0"), ("comment", "Mine."), ("hp_website", ""),
                    ("drey_token", SpamTest.token(blog, post, shownAt: Date().addingTimeInterval(-60))),
                ], headers: Self.cookie(token))
            let commentID = try #require(Int64(sent.location?.split(separator: "-").last ?? ""))

            let export = try await client.get("/account/export", headers: Self.cookie(token))
            #expect(export.status == .ok)
            #expect(export.headers[.contentDisposition]?.contains("attachment") == true)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(export.text.utf8)) as? [String: Any])
            #expect((json["reader"] as? [String: Any])?["name"] as? String == "Phil P.")
            #expect((json["signInMethods"] as? [[String: Any]])?.first?["subject"] as? String == "phil@example.org")
            #expect((json["comments"] as? [[String: Any]])?.first?["text"] as? String == "Mine.")
            #expect((json["sessions"] as? [[String: Any]])?.count == 1)
            #expect(!export.text.contains("token"))

            let unconfirmed = try await client.postForm("/account/delete", [("_csrf", csrf)], headers: Self.cookie(token))
            #expect(unconfirmed.status == .unprocessableContent)
            let deleted = try await client.postForm("/account/delete", [("_csrf", csrf), ("confirm", "yes")], headers: Self.cookie(token))
            #expect(deleted.status == .ok)
            #expect(deleted.text.contains("Your account was deleted"))
            #expect(deleted.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await blog.drey.store.reader(id: session.reader.id, siteID: blog.site.id) == nil)
            #expect(try await blog.drey.store.readerIdentity(siteID: blog.site.id, issuer: "email", subject: "phil@example.org") == nil)
            #expect(try await blog.drey.readers.session(siteID: blog.site.id, token: token) == nil)
            let kept = try #require(try await blog.drey.store.comment(id: commentID))
            #expect(kept.authorName == "Phil P.")
            #expect(try await blog.drey.store.readerComments(readerID: session.reader.id, siteID: blog.site.id).isEmpty)
            #expect(try await client.get("/account", headers: Self.cookie(token)).status == .seeOther)
        }
    }

    static func value(after anchor: String, name: String, in html: String) -> String? {
        guard let start = html.range(of: anchor) else { return nil }
        let rest = html[start.upperBound...]
        guard let r = rest.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(rest[r.upperBound...].prefix { $0 != "\"" })
    }

    @Test(
        "likes and follows on /account: listed, exported, a thread unfollowed; deleting the account ends them and pseudonymises consents",
        arguments: TestDatabase.allCases)
    func likesAndFollows(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let post = try await blog.post("Thread")
            let path = "/2008/01/27/thread/"
            let identity = ReaderIdentity(
                method: .email, issuer: "email", subject: "phil@example.org", provider: "email", email: "phil@example.org", emailVerified: true)
            let (session, token) = try await blog.drey.readers.signIn(siteID: blog.site.id, identity: identity)
            let cookie = Self.cookie(token)

            let postPage = try await client.get(path, headers: cookie)
            let likeToken = try #require(Self.value(after: "class=\"like-form\"", name: "_csrf", in: postPage.text), "\(postPage.text)")
            let liked = try await client.postForm("/like/\(post.id)", [("_csrf", likeToken), ("like", "1")], headers: cookie)
            #expect(liked.status == .seeOther)
            #expect(LikeTests.likeCount(try await client.get(path).text) == 1)
            let formToken = try #require(FollowMailTests.token(postPage.text))
            for scope in ["blog", "thread"] {
                let followed = try await client.postForm(
                    "/follow", [("email", ""), ("scope", scope), ("post_id", String(post.id)), ("drey_token", formToken)], headers: cookie)
                #expect(followed.status == .ok && followed.text.contains("phil@example.org now follows"), "\(followed.text)")
            }

            let page = try await client.get("/account", headers: cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("Posts you like") && page.text.contains(">Thread</a>"))
            #expect(page.text.contains("New posts on this blog") && page.text.contains("Comments on <a href=\"http://blog.test\(path)\">Thread</a>"))
            let csrf = try #require(Self.csrf(page.text))

            let export = try await client.get("/account/export", headers: cookie)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(export.text.utf8)) as? [String: Any])
            let more = try #require(json["more"] as? [String: [[String: String]]])
            #expect(more["likes"]?.map { $0["title"] } == ["Thread"])
            let follows = more["follows"] ?? []
            #expect(follows.contains { $0["kind"] == "address" && $0["email"] == "phil@example.org" && $0["followsBlog"] == "true" })
            #expect(follows.contains { $0["kind"] == "thread" && $0["postID"] == String(post.id) })
            #expect(follows.filter { $0["kind"] == "consent" && $0["action"] == "confirmed" }.count == 2)

            // Unfollowing the thread from /account: a form from elsewhere changes nothing; the account's form does.
            let forged = try await client.postForm("/account/unfollow", [("scope", "thread:\(post.id)")], headers: cookie)
            #expect(forged.status == .forbidden)
            let subscriber = try #require(try await blog.drey.store.subscriber(siteID: blog.site.id, email: "phil@example.org"))
            #expect(try await blog.drey.store.isFollowingThread(subscriberID: subscriber.id, postID: post.id))
            let unfollowed = try await client.postForm("/account/unfollow", [("_csrf", csrf), ("scope", "thread:\(post.id)")], headers: cookie)
            #expect(unfollowed.status == .seeOther)
            #expect(try await blog.drey.store.isFollowingThread(subscriberID: subscriber.id, postID: post.id) == false)
            let after = try await client.get("/account", headers: cookie)
            #expect(!after.text.contains("Comments on") && after.text.contains("New posts on this blog"))
            #expect(try await blog.drey.store.blogFollowers(siteID: blog.site.id).map(\.email) == ["phil@example.org"])

            // The in-process client has no peer address; a consent given from an address (as a mailed link's) stands for one.
            try await blog.drey.store.record(
                FollowConsent(
                    action: .confirmed, scope: "blog", page: "http://blog.test/", wording: "Confirm: follow by email", ip: "203.0.113.7",
                    createdAt: Date()),
                subscriberID: subscriber.id, siteID: blog.site.id)
            let deleted = try await client.postForm("/account/delete", [("_csrf", csrf), ("confirm", "yes")], headers: cookie)
            #expect(deleted.status == .ok)
            #expect(try await blog.drey.likes.count(postID: post.id) == 0)
            #expect(LikeTests.likeCount(try await client.get(path).text) == 0, "the post's page shows the like gone")
            // No more post mail: the address follows nothing, and is not held any more.
            #expect(try await blog.drey.store.blogFollowers(siteID: blog.site.id).isEmpty)
            #expect(try await blog.drey.store.threadFollowers(postID: post.id).isEmpty)
            #expect(try await blog.drey.store.subscriber(siteID: blog.site.id, email: "phil@example.org") == nil)
            let kept = try #require(try await blog.drey.store.subscriber(id: subscriber.id))
            #expect(kept.email == "deleted reader #\(session.reader.id)" && kept.status == .unsubscribed && !kept.followsBlog)
            let consents = try await blog.drey.store.consents(subscriberID: subscriber.id)
            #expect(consents.count == 5, "two follows, the unfollow, a confirmation, the deletion")
            #expect(consents.allSatisfy { $0.ip.isEmpty && !$0.page.contains("phil") && !$0.wording.contains("phil") })
            #expect(
                consents.prefix(2).map(\.wording)
                    == [FollowService.blogWording, FollowService.threadWording].map { $0 + " (signed in, address verified)" })
        }
    }

    @Test("the readers admin lists, blocks (signing out), unblocks and exports readers as CSV", arguments: TestDatabase.allCases)
    func admin(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let identity = ReaderIdentity(
                method: .oidc, issuer: "https://id.example", subject: "42", provider: "Example", name: "=cmd|' /C calc'!A0", email: nil)
            let (session, token) = try await blog.drey.readers.signIn(siteID: blog.site.id, identity: identity)
            var admin = try await Self.administrator(blog, client)
            let list = try await admin.get("/admin/readers")
            #expect(list.status == .ok)
            #expect(list.text.contains("Example"))
            #expect(list.text.contains("Active"))
            let blocked = try await admin.post("/admin/readers", [("id", String(session.reader.id)), ("action", "block")])
            #expect(blocked.status == .seeOther)
            #expect(try await blog.drey.readers.session(siteID: blog.site.id, token: token) == nil)
            await #expect(throws: ReaderService.Blocked.self) {
                _ = try await blog.drey.readers.signIn(siteID: blog.site.id, identity: identity)
            }
            #expect(try await admin.get("/admin/readers").text.contains("Unblock"))
            let csv = try await admin.get("/admin/readers/export")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = csv.text.split(separator: "\r\n")
            #expect(lines.first == "id,name,email,website,sign_in_methods,status,since,last_seen")
            #expect(lines.count == 2)
            #expect(lines[1].contains(",'=cmd|' /C calc'!A0,"))
            #expect(lines[1].contains(",Example,blocked,"))
            _ = try await admin.post("/admin/readers", [("id", String(session.reader.id)), ("action", "unblock")])
            _ = try await blog.drey.readers.signIn(siteID: blog.site.id, identity: identity)
            // Only administrators see readers' addresses.
            #expect(try await client.get("/admin/readers").status == .seeOther)
        }
    }

    @Test("the owner switches readers' sign-in in Settings → Discussion", arguments: TestDatabase.allCases)
    func settings(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            var admin = try await Self.administrator(blog, client)
            let page = try await admin.get("/admin/settings/discussion")
            #expect(page.text.contains("name=\"signin_email\" value=\"1\" checked"))
            var fields: [(String, String)] = []
            for key in SettingsAdmin.sections["discussion"]!.keys where ![.readersEnabled, .signinEmail, .commentModeration].contains(key) {
                fields.append((key.rawValue, blog.siteNow.settings[key]))
            }
            fields.append(("readers_enabled", "1"))
            let saved = try await admin.post("/admin/settings/discussion", fields)
            #expect(saved.status == .seeOther)
            #expect(blog.siteNow.settings.signinEmail == false)
            let signin = try await client.get("/signin")
            #expect(!signin.text.contains("name=\"email\""))
            let refused = try await client.postForm("/signin/email", [("email", "phil@example.org")])
            #expect(refused.status == .notFound)
        }
    }
}
