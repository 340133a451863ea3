import DreyCore
import DreyTestSupport
import Foundation
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

@Suite struct AdminContentTests {
    func editorFields(_ title: String, source: String = "Some **words**.", status: String = "publish", extra: [(String, String)] = []) -> [(
        String, String
    )] {
        // Extras replace the defaults, as a browser sends each field once.
        let defaults = [
            ("type", "post"), ("title", title), ("slug", ""), ("format", "markdown"), ("source", source), ("excerpt", ""), ("status", status),
            ("date", ""), ("tags", ""), ("comment_status", "open"), ("ping_status", "open"), ("modified", ""),
        ]
        let replaced = Set(extra.map(\.0))
        return defaults.filter { !replaced.contains($0.0) } + extra
    }

    @Test("a contributor submits for review and cannot publish; an editor publishes it", arguments: TestDatabase.allCases)
    func review(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (_, cPass) = try await blog.member(.contributor, "cora")
            let (_, ePass) = try await blog.member(.editor, "ed")
            var cora = AdminSession(client: client)
            _ = try await cora.signIn("cora@blog.test", cPass)
            _ = try await cora.get("/admin/posts/new")
            let publish = try await cora.post("/admin/posts/new", editorFields("Cora's first", status: "publish"))
            #expect(publish.status == .forbidden)
            #expect(publish.text.contains("not allowed to publish"))
            let pending = try await cora.post("/admin/posts/new", editorFields("Cora's first", status: "pending"))
            #expect(pending.status == .seeOther)
            let id = try #require(pending.location.flatMap { Int64($0.split(separator: "/").last?.split(separator: "?").first ?? "") })
            #expect(try await blog.drey.store.post(id: id, siteID: blog.site.id)?.status == .pending)
            #expect(try await client.get("/?p=\(id)").status == .notFound)
            var ed = AdminSession(client: client)
            _ = try await ed.signIn("ed@blog.test", ePass)
            _ = try await ed.get("/admin/posts?type=post&status=pending")
            let bulk = try await ed.post("/admin/posts/bulk", [("type", "post"), ("action", "publish"), ("ids[]", String(id))])
            #expect(bulk.status == .seeOther)
            #expect(try await blog.drey.store.post(id: id, siteID: blog.site.id)?.status == .publish)
            #expect(try await client.get("/?p=\(id)").status == .movedPermanently)
            // Once published, the contributor may no longer edit it.
            #expect(try await cora.get("/admin/posts/\(id)").status == .forbidden)
        }
    }

    @Test("authors edit only their own posts; roles are checked on every request", arguments: [TestDatabase.sqlite])
    func ownership(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let theirs = try await blog.post("Korakious's post")
            let (_, pass) = try await blog.member(.author, "ann")
            let (_, subPass) = try await blog.member(.subscriber, "sam")
            var ann = AdminSession(client: client)
            _ = try await ann.signIn("ann@blog.test", pass)
            #expect(try await ann.get("/admin/posts/\(theirs.id)").status == .forbidden)
            _ = try await ann.get("/admin/posts/new")
            let mine = try await ann.post("/admin/posts/new", editorFields("Ann's", status: "publish"))
            #expect(mine.status == .seeOther)
            #expect(try await ann.get("/admin/settings/general").status == .forbidden)
            #expect(try await ann.get("/admin/users").status == .forbidden)
            #expect(try await ann.get("/admin/comments").status == .forbidden)
            _ = try await ann.get("/admin/posts")
            let bulk = try await ann.post("/admin/posts/bulk", [("type", "post"), ("action", "trash"), ("ids[]", String(theirs.id))])
            #expect(bulk.status == .forbidden)
            #expect(try await blog.drey.store.post(id: theirs.id, siteID: blog.site.id)?.status == .publish)
            var sam = AdminSession(client: client)
            _ = try await sam.signIn("sam@blog.test", subPass)
            #expect(try await sam.get("/admin/").status == .forbidden)
        }
    }

    @Test("the editor: categories and tags, slugs, scheduling, conflicts, revisions and restore", arguments: TestDatabase.allCases)
    func editor(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (_, pass) = try await blog.member(.administrator, "ada")
            let taken = try await blog.post("Taken")
            let news = try await blog.drey.posts.term(named: "News", taxonomy: .category, siteID: blog.site.id)
            var ada = AdminSession(client: client)
            _ = try await ada.signIn("ada@blog.test", pass)
            _ = try await ada.get("/admin/posts/new")
            // A colliding slug and a past schedule come back with the text kept.
            let clash = try await ada.post("/admin/posts/new", editorFields("Clash", source: "My *precious* words", extra: [("slug", taken.slug)]))
            #expect(clash.status == .unprocessableContent)
            #expect(clash.text.contains("already used"))
            #expect(clash.text.contains("My *precious* words</textarea>"))
            let past = try await ada.post("/admin/posts/new", editorFields("Past", status: "future", extra: [("date", "2001-01-01T10:00")]))
            #expect(past.text.contains("The scheduled date is in the past"))
            // A real post with two categories (one new, nested) and a tag.
            let created = try await ada.post(
                "/admin/posts/new",
                editorFields(
                    "Two categories",
                    extra: [
                        ("categories[]", String(news.id)), ("new_category", "Local"), ("new_category_parent", String(news.id)),
                        ("tags", "winter, press"),
                    ]))
            #expect(created.status == .seeOther)
            let id = try #require(created.location.flatMap { Int64($0.split(separator: "/").last?.split(separator: "?").first ?? "") })
            let terms = try await blog.drey.store.terms(postIDs: [id])[id]?.map(\.name).sorted()
            #expect(terms == ["Local", "News", "press", "winter"])
            let local = try #require(try await blog.drey.store.term(name: "Local", taxonomy: .category, siteID: blog.site.id))
            #expect(local.parentID == news.id)
            // Two people edit at once: the second is told and keeps their text.
            let page = try await ada.get("/admin/posts/\(id)")
            let stamp = try #require(
                page.text.range(of: "name=\"modified\" value=\"").map { String(page.text[$0.upperBound...].prefix { $0 != "\"" }) })
            let first = try await ada.post(
                "/admin/posts/\(id)",
                editorFields("Two categories", source: "First edit", extra: [("modified", stamp), ("categories[]", String(news.id))]))
            #expect(first.status == .seeOther)
            let second = try await ada.post("/admin/posts/\(id)", editorFields("Two categories", source: "Second edit", extra: [("modified", stamp)]))
            #expect(second.status == .conflict)
            #expect(second.text.contains("saved this post while you were editing"))
            #expect(second.text.contains("Second edit</textarea>"))
            // Revisions: one per save; restoring brings back the older text.
            let revisions = try await blog.drey.store.revisions(postID: id)
            #expect(revisions.count == 2)
            let diff = try await ada.get("/admin/posts/\(id)/revisions?revision=\(revisions.last!.id)")
            #expect(diff.text.contains("class=\"removed\"") && diff.text.contains("class=\"added\""))
            _ = try await ada.post("/admin/posts/\(id)/restore", [("revision", String(revisions.last!.id))])
            #expect(try await blog.drey.store.post(id: id, siteID: blog.site.id)?.source == "Some **words**.")
            // Preview is rendered by the server and sanitized.
            let preview = try await ada.post("/admin/preview", [("format", "markdown"), ("source", "*hi* <script>x</script>")])
            #expect(preview.text.contains("<em>hi</em>") && !preview.text.contains("<script>"))
            // Scheduling a minute ahead publishes on time without a restart.
            let future = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600)).prefix(16)
            let scheduled = try await ada.post("/admin/posts/new", editorFields("Later", extra: [("date", String(future))]))
            let laterID = try #require(scheduled.location.flatMap { Int64($0.split(separator: "/").last?.split(separator: "?").first ?? "") })
            #expect(try await blog.drey.store.post(id: laterID, siteID: blog.site.id)?.status == .future)
        }
    }

    @Test("the moderation queue: reasons shown, approve, spam, reply, edit, empty", arguments: TestDatabase.allCases)
    func moderation(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (_, pass) = try await blog.member(.editor, "ed")
            let post = try await blog.post("Thread")
            var s = CommentSubmission(
                postID: post.id, authorName: "Guest", email: "guest@example.org", url: "http://guest.example.org",
                text: "see http://a.example http://b.example")
            s.ip = "198.51.100.7"
            let held = try await blog.drey.comments.submit(s, siteID: blog.site.id)
            #expect(held.status == .pending)
            let spammy = try await blog.comment(post, "Buy things", by: "Seller", status: .pending)
            var ed = AdminSession(client: client)
            _ = try await ed.signIn("ed@blog.test", pass)
            let queue = try await ed.get("/admin/comments?status=pending")
            #expect(queue.text.contains("held: 2 links") && queue.text.contains("198.51.100.7") && queue.text.contains("guest@example.org"))
            #expect(queue.text.contains("http://guest.example.org") && queue.text.contains("Thread"))
            _ = try await ed.post("/admin/comments", [("from", "pending"), ("do", "approve:\(held.id)")])
            #expect(try await client.get("/2008/01/27/thread/").text.contains("http://a.example"))
            _ = try await ed.post("/admin/comments", [("from", "pending"), ("action", "spam"), ("ids[]", String(spammy.id))])
            #expect(try await blog.drey.store.comment(id: spammy.id)?.status == .spam)
            let reply = try await ed.post("/admin/comments/\(held.id)/reply", [("from", "approved"), ("comment", "Thanks, Guest!")])
            #expect(reply.status == .seeOther)
            let page = try await client.get("/2008/01/27/thread/").text
            #expect(page.contains("Thanks, Guest!"))
            _ = try await ed.get("/admin/comments/\(held.id)/edit")
            let badEdit = try await ed.post(
                "/admin/comments/\(held.id)/edit", [("author", ""), ("email", "guest@example.org"), ("url", ""), ("comment", "kept text")])
            #expect(badEdit.status == .unprocessableContent && badEdit.text.contains("kept text"))
            _ = try await ed.post(
                "/admin/comments/\(held.id)/edit",
                [("author", "Guest"), ("email", "guest@example.org"), ("url", ""), ("comment", "Edited by the editor")])
            #expect(try await client.get("/2008/01/27/thread/").text.contains("Edited by the editor"))
            _ = try await ed.post("/admin/comments/empty", [("status", "spam")])
            #expect(try await blog.drey.store.comment(id: spammy.id) == nil)
        }
    }

    @Test("categories and tags: rename, re-slug, re-parent, merge, delete with the default fallback", arguments: [TestDatabase.sqlite])
    func terms(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (_, pass) = try await blog.member(.editor, "ed")
            let post = try await blog.post("Filed", categories: ["Alpha"], tags: ["one", "two"])
            let alpha = try #require(try await blog.drey.store.term(name: "Alpha", taxonomy: .category, siteID: blog.site.id))
            var ed = AdminSession(client: client)
            _ = try await ed.signIn("ed@blog.test", pass)
            _ = try await ed.get("/admin/terms?taxonomy=category")
            _ = try await ed.post("/admin/terms", [("taxonomy", "category"), ("action", "create"), ("name", "Beta"), ("slug", "")])
            let beta = try #require(try await blog.drey.store.term(name: "Beta", taxonomy: .category, siteID: blog.site.id))
            let clash = try await ed.post("/admin/terms", [("taxonomy", "category"), ("action", "create"), ("name", "Gamma"), ("slug", "beta")])
            #expect(clash.status == .unprocessableContent && clash.text.contains("already used") && clash.text.contains("value=\"Gamma\""))
            _ = try await ed.post(
                "/admin/terms",
                [
                    ("taxonomy", "category"), ("action", "update"), ("id", String(alpha.id)), ("name", "Alpha Renamed"), ("slug", "alpha-new"),
                    ("parent", String(beta.id)),
                ])
            #expect(try await client.get("/category/beta/alpha-new/").text.contains("Filed"))
            let loop = try await ed.post(
                "/admin/terms",
                [
                    ("taxonomy", "category"), ("action", "update"), ("id", String(beta.id)), ("name", "Beta"), ("slug", "beta"),
                    ("parent", String(alpha.id)),
                ])
            #expect(loop.text.contains("cannot be placed under itself"))
            _ = try await ed.post("/admin/terms", [("taxonomy", "category"), ("action", "delete"), ("id", String(alpha.id))])
            let left = try await blog.drey.store.terms(postIDs: [post.id])[post.id]?.filter { $0.taxonomy == .category }.map(\.name)
            #expect(left == [PostService.defaultCategory])
            let one = try #require(try await blog.drey.store.term(name: "one", taxonomy: .tag, siteID: blog.site.id))
            let two = try #require(try await blog.drey.store.term(name: "two", taxonomy: .tag, siteID: blog.site.id))
            _ = try await ed.post("/admin/terms", [("taxonomy", "tag"), ("action", "merge"), ("id", String(one.id)), ("into", String(two.id))])
            let tags = try await blog.drey.store.terms(postIDs: [post.id])[post.id]?.filter { $0.taxonomy == .tag }.map(\.name)
            #expect(tags == ["two"])
        }
    }

    @Test("settings: validated, typed values kept on error, applied at once", arguments: [TestDatabase.sqlite])
    func settings(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (_, pass) = try await blog.member(.administrator, "ada")
            try await blog.post("Post")
            var ada = AdminSession(client: client)
            _ = try await ada.signIn("ada@blog.test", pass)
            _ = try await ada.get("/admin/settings/general")
            let bad = try await ada.post(
                "/admin/settings/general",
                [
                    ("title", "New title"), ("tagline", ""), ("home_url", ""), ("timezone", "Mars/Base"), ("date_format", "j F Y"),
                    ("time_format", "H:i"), ("language", "fr"),
                ])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("unknown timezone") && bad.text.contains("value=\"New title\""))
            #expect(blog.siteNow.settings.title != "New title")
            _ = try await ada.post(
                "/admin/settings/general",
                [
                    ("title", "New title"), ("tagline", ""), ("home_url", ""), ("timezone", "Europe/Paris"), ("date_format", "j F Y"),
                    ("time_format", "H:i"), ("language", "fr"),
                ])
            let page = try await client.get("/2008/01/27/post/").text
            #expect(page.contains("New title") && page.contains("27 janvier 2008"))
            _ = try await ada.get("/admin/settings/appearance")
            _ = try await ada.post(
                "/admin/settings/appearance",
                [
                    ("font_family", "sans"), ("font_size", "23"), ("line_height", "1.7"), ("content_width", "70"),
                    ("custom_css", "body { color: #222 }"),
                ])
            let styled = try await client.get("/").text
            #expect(styled.contains("--drey-font-size: 23px;") && styled.contains("body { color: #222 }"))
            _ = try await ada.get("/admin/settings/permalinks")
            _ = try await ada.post("/admin/settings/permalinks", [("permalink_choice", "custom"), ("permalink_custom", "/%post_id%/%postname%/")])
            #expect(try await client.get("/2008/01/27/post/").status == .movedPermanently)
            // The spam filter's settings sit with the discussion rules.
            let discussion = try await ada.get("/admin/settings/discussion")
            #expect(discussion.text.contains("id=\"comment_flood_seconds\" name=\"comment_flood_seconds\" value=\"15\""))
            // The comment mails are on by default, as in WordPress; a box left unticked turns one off.
            #expect(discussion.text.contains("name=\"moderation_notify\" value=\"1\" checked"))
            #expect(discussion.text.contains("name=\"comments_notify\" value=\"1\" checked"))
            var fields: [(String, String)] = [
                ("default_comment_status", "open"), ("comment_max_links", "2"), ("comment_max_length", "65525"), ("moderation_keys", ""),
                ("disallowed_keys", ""), ("thread_comments_depth", "5"), ("comment_order", "asc"), ("comment_flood_seconds", "30"),
                ("comment_rate_ip_per_hour", "20"), ("comment_rate_email_per_hour", "10"), ("comment_form_min_seconds", "5"),
                ("comment_form_max_age_hours", "24"), ("spam_hold_score", "0.95"), ("spam_spam_score", "0.9"), ("spam_retention_days", "60"),
            ]
            let crossed = try await ada.post("/admin/settings/discussion", fields)
            #expect(crossed.status == .unprocessableContent)
            #expect(crossed.text.contains("must be below the score that sends it to spam") && crossed.text.contains("value=\"0.95\""))
            #expect(blog.siteNow.settings[.commentFloodSeconds] == "15")
            fields[12] = ("spam_hold_score", "0.3")
            #expect(try await ada.post("/admin/settings/discussion", fields).status == .seeOther)
            let saved = blog.siteNow.settings
            #expect(saved[.commentFloodSeconds] == "30" && saved[.commentFormMinSeconds] == "5" && saved.spamRetentionDays == 60)
            #expect(saved.spamThresholds.hold == 0.3)
            #expect(!saved.moderationNotify && !saved.commentsNotify)
        }
    }
}
