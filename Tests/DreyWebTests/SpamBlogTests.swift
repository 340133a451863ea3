import DreyCore
import DreySpam
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Issue 11: a filter that knows blog comments. Measured on the project's blog corpus by the real `drey spam eval`,
/// tried on a new demo blog as a first-time commenter would, taught by a WordPress import, and never silent.
@Suite struct SpamBlogTests {
    func drey(_ args: [String], data: String? = nil, env: [String: String] = [:], stdin: String? = nil) async throws -> DreyBinary.Output {
        // Waited for on a GCD thread, so in-process servers of other tests keep Swift concurrency's threads.
        try await offThread { try DreyBinary.run(args, data: data, env: env, stdin: stdin) }
    }

    func file(_ text: String, _ ext: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spam-blog-\(UUID()).\(ext)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("eval with no file measures both built-in corpora, and the figures meet the issue's targets")
    func evalBothCorpora() async throws {
        let r = try await drey(["spam", "eval", "--json"])
        #expect(r.status == 0, "\(r.err)")
        let all = try object(r.out)
        let blog = try #require(all["blog"] as? [String: Any])
        let youtube = try #require(all["youtube"] as? [String: Any])
        #expect(blog["comments"] as? Int == 732 && blog["spam"] as? Int == 264)
        #expect(youtube["comments"] as? Int == 1956 && youtube["spam"] as? Int == 1005)
        // Blog comments, the whole filter on a new blog: no real comment lost, spam kept off, most of it straight to spam.
        let bp = try #require(blog["pipeline"] as? [String: Any])
        #expect((bp["real_to_spam"] as? Double ?? 1) <= 0.005, "\(bp)")
        #expect((bp["spam_kept_off"] as? Double ?? 0) >= 0.95, "\(bp)")
        #expect((bp["spam_to_spam_rate"] as? Double ?? 0) >= 0.6, "\(bp)")
        // YouTube: the classifier alone and the whole filter as before.
        let yc = try #require(youtube["classifier"] as? [String: Any])
        let yp = try #require(youtube["pipeline"] as? [String: Any])
        #expect((yc["f1"] as? Double ?? 0) >= 0.97, "\(yc)")
        #expect((yc["real_to_spam"] as? Double ?? 1) < 0.02, "\(yc)")
        #expect((yp["spam_kept_off"] as? Double ?? 0) >= 0.98, "\(yp)")
        #expect((yp["real_to_spam"] as? Double ?? 1) <= 0.005, "\(yp)")
        #expect((all["training_seconds"] as? Double ?? -1) > 0)
    }

    @Test("the issue's three first comments are not sent to spam on a fresh demo blog", arguments: TestDatabase.allCases)
    func issueCommentsOnDemo(_ kind: TestDatabase) async throws {
        let location = try await kind.makeLocation()
        defer { Task { await location.cleanup() } }
        let data = location.dataDirectory
        let env = location.databaseURL.map { ["DATABASE_URL": $0] } ?? [:]
        let demo = try await drey(["demo"], data: data, env: env)
        #expect(demo.status == 0, "\(demo.err)")
        let lines = [
            #"{"author":"Maria Keller","email":"maria.k@example.org","text":"A first visit, and a fair question about the font size."}"#,
            #"{"author":"Tom Aldridge","email":"tom@example.net","text":"Check out the new edition of the book, it has a better translation."}"#,
            #"{"author":"Ahmed Rahman","email":"ahmed@example.com","url":"https://www.example.com/~ahmed/","text":"I will cross-post my piece here next week; please have a look at my blog for the draft."}"#,
            // The same kinds of comment in words the seed corpora do not hold.
            #"{"author":"Ines","email":"ines@example.org","text":"Check out the second printing of the atlas, the maps are much clearer and the index finally works."}"#,
            #"{"author":"Paul Brandt","email":"paul@example.net","url":"https://paulbrandt.example.net/","text":"Please visit my blog for the whole recipe; I cross-posted only the first half here, with the photos."}"#,
        ]
        let checked = try await drey(["spam", "check"], data: data, env: env, stdin: lines.joined(separator: "\n") + "\n")
        #expect(checked.status == 0, "\(checked.err)")
        let out = checked.out.split(separator: "\n").map(String.init)
        #expect(out.count == 5)
        for (line, verdict) in zip(lines, out) {
            let v = try object(verdict)
            #expect(v["verdict"] as? String != "spam", "\(line) → \(verdict)")
            #expect(v["verdict"] as? String == "hold" || v["verdict"] as? String == "approve", "\(verdict)")
        }
    }

    static func wxr(_ comments: [(author: String, email: String, url: String, text: String, approved: String)]) -> String {
        var id = 0
        let items = comments.map { c -> String in
            id += 1
            return """
                <wp:comment><wp:comment_id>\(id)</wp:comment_id><wp:comment_author><![CDATA[\(c.author)]]></wp:comment_author>
                <wp:comment_author_email>\(c.email)</wp:comment_author_email><wp:comment_author_url>\(c.url)</wp:comment_author_url>
                <wp:comment_author_IP>192.0.2.\(id)</wp:comment_author_IP><wp:comment_date>2020-03-0\(1 + id % 9) 10:00:00</wp:comment_date>
                <wp:comment_date_gmt>2020-03-0\(1 + id % 9) 10:00:00</wp:comment_date_gmt>
                <wp:comment_content><![CDATA[\(c.text)]]></wp:comment_content><wp:comment_approved>\(c.approved)</wp:comment_approved>
                <wp:comment_type></wp:comment_type><wp:comment_parent>0</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id>
                </wp:comment>
                """
        }
        return """
            <?xml version="1.0" encoding="UTF-8" ?>
            <rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
                xmlns:content="http://purl.org/rss/1.0/modules/content/"
                xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
            <channel><title>Old blog</title><link>http://old.example.org</link><wp:wxr_version>1.2</wp:wxr_version>
            <wp:base_site_url>http://old.example.org</wp:base_site_url><wp:base_blog_url>http://old.example.org</wp:base_blog_url>
            <item><title>Allotment diary</title><link>http://old.example.org/?p=5</link><dc:creator>admin</dc:creator>
            <guid isPermaLink="false">http://old.example.org/?p=5</guid>
            <content:encoded><![CDATA[Leeks and parsnips.]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
            <wp:post_id>5</wp:post_id><wp:post_date>2020-03-01 09:00:00</wp:post_date><wp:post_date_gmt>2020-03-01 09:00:00</wp:post_date_gmt>
            <wp:comment_status>open</wp:comment_status><wp:ping_status>open</wp:ping_status>
            <wp:post_name>allotment-diary</wp:post_name><wp:status>publish</wp:status><wp:post_parent>0</wp:post_parent>
            <wp:menu_order>0</wp:menu_order><wp:post_type>post</wp:post_type><wp:post_password></wp:post_password><wp:is_sticky>0</wp:is_sticky>
            \(items.joined(separator: "\n"))
            </item>
            </channel>
            </rss>
            """
    }

    @Test("a WordPress import teaches the site's filter its approved and spam comments, once", arguments: TestDatabase.allCases)
    func importTeaches(_ kind: TestDatabase) async throws {
        let location = try await kind.makeLocation()
        defer { Task { await location.cleanup() } }
        let data = location.dataDirectory
        let env = location.databaseURL.map { ["DATABASE_URL": $0] } ?? [:]
        // This blog's own spam: no link, words the seed corpora never saw.
        let spamTexts = (1...6).map { "Zorblax herbal leek tonic wholesale lot \($0), zorblax tonic for allotment growers, order zorblax today" }
        let hamTexts = (1...6).map { "My leeks bolted again in week \($0); the parsnips did fine under fleece though." }
        var comments = spamTexts.enumerated().map {
            (author: "Zorblax \($0.offset)", email: "z\($0.offset)@example.net", url: "", text: $0.element, approved: "spam")
        }
        comments += hamTexts.enumerated().map {
            (author: "Grower \($0.offset)", email: "g\($0.offset)@example.org", url: "", text: $0.element, approved: "1")
        }
        let export = try file(Self.wxr(comments), "xml")
        let probe =
            #"{"author":"Someone","email":"someone@example.org","text":"Zorblax herbal leek tonic wholesale, order zorblax today for growers"}"#
            + "\n"
        func score() async throws -> Double {
            let r = try await drey(["spam", "check"], data: data, env: env, stdin: probe)
            #expect(r.status == 0, "\(r.err)")
            return try object(r.out.trimmingCharacters(in: .whitespacesAndNewlines))["score"] as? Double ?? -1
        }
        _ = try await drey(["migrate"], data: data, env: env)
        let before = try await score()
        let imported = try await drey(["import", "wordpress", export], data: data, env: env)
        #expect(imported.status == 0, "\(imported.err)")
        #expect(imported.out.contains("The spam filter learned from the imported comments: 6 approved and 6 spam"), "\(imported.out)")
        let after = try await score()
        #expect(after > before + 0.2, "before \(before), after \(after)")
        // Importing the same file again adds nothing, so teaches nothing.
        let again = try await drey(["import", "wordpress", export], data: data, env: env)
        #expect(again.status == 0, "\(again.err)")
        #expect(!again.out.contains("The spam filter learned"), "\(again.out)")
    }

    @Test("spam train reads JSON lines as well as CSV, and says which line is wrong", arguments: [TestDatabase.sqlite])
    func trainJSONLines(_ kind: TestDatabase) async throws {
        let location = try await kind.makeLocation()
        defer { Task { await location.cleanup() } }
        let data = location.dataDirectory
        let lines = [
            #"{"text":"Cheap zorblax tonic, order now","author":"Zorblax","label":"spam"}"#,
            #"{"text":"The leeks bolted again.","author":"Grower","email":"g@example.org","label":"ham"}"#,
            #"{"text":"Zorblax wholesale","label":1}"#,
            "",
            #"{"content":"Parsnips under fleece did fine.","class":0}"#,
        ]
        let trained = try await drey(["spam", "train", try file(lines.joined(separator: "\n") + "\n", "jsonl")], data: data)
        #expect(trained.status == 0, "\(trained.err)")
        #expect(trained.out.contains("added 4 comments (2 spam, 2 real) to the classifier of localhost"), "\(trained.out)")
        let bad = try await drey(["spam", "train", try file(lines[0] + "\n" + #"{"text":"x","label":"maybe"}"# + "\n", "jsonl")], data: data)
        #expect(bad.status != 0)
        #expect(bad.err.contains("line 2: unknown label 'maybe'"), "\(bad.err)")
        let noText = try await drey(["spam", "train", try file(#"{"label":"spam"}"# + "\n", "jsonl")], data: data)
        #expect(noText.status != 0 && noText.err.contains("line 1: no text"), "\(noText.err)")
    }

    @Test("a comment sent to spam shows to its author as awaiting moderation, to nobody else", arguments: TestDatabase.allCases)
    func spamIsNotSilent(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.quiet(blog)
            let post = try await blog.post("Thread")
            let token = SpamTest.token(blog, post, shownAt: blog.drey.config.clock.now().addingTimeInterval(-60))
            let sent = try await client.postForm(
                "/wp-comments-post.php",
                SpamTest.fields(token, post, name: "Best Cheap Views", email: "promo@example.net", text: SpamTest.spamText))
            let stored = try await SpamTest.stored(blog, sent)
            #expect(stored.status == .spam, "\(stored.moderationNote)")
            #expect(stored.moderationNote.contains("backed by"), "\(stored.moderationNote)")
            let cookie = try #require(sent.headers[.setCookie])
            let mine = try await client.get("/2008/01/27/thread/", headers: [.cookie: String(cookie.split(separator: ";")[0])])
            #expect(mine.text.contains("Your comment is awaiting moderation"))
            #expect(mine.text.contains("CHECK OUT MY NEW CHANNEL"))
            let theirs = try await client.get("/2008/01/27/thread/")
            #expect(!theirs.text.contains("CHECK OUT MY NEW CHANNEL"))
            // A discarded comment (filled honeypot) stores nothing and sets nothing.
            let bot = try await client.postForm(
                "/wp-comments-post.php",
                SpamTest.fields(
                    SpamTest.token(blog, post, shownAt: blog.drey.config.clock.now().addingTimeInterval(-60)), post,
                    name: "Bot", email: "bot@example.net", text: "bot text", honeypot: "x"))
            #expect(bot.headers[.setCookie] == nil)
        }
    }

    @Test("the spam queue shows each comment's score and reasons; 'not spam' publishes it and teaches the filter", arguments: TestDatabase.allCases)
    func spamQueue(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await SpamTest.quiet(blog)
            let (_, pass) = try await blog.member(.editor, "ed")
            let post = try await blog.post("Thread")
            var s = CommentSubmission(postID: post.id, authorName: "Best Cheap Views", email: "promo@example.net", url: "", text: SpamTest.spamText)
            s.ip = "198.51.100.9"
            let caught = try await blog.drey.comments.submit(s, siteID: blog.site.id)
            #expect(caught.status == .spam, "\(caught.moderationNote)")
            // A real comment a moderator had marked spam by mistake.
            let text = "Fresh zucchini bargains at the Tuesday market stall, ask for Benedetta"
            let mistaken = try await blog.comment(post, text, by: "Benedetta", email: "b@example.org", status: .pending)
            _ = try await blog.drey.comments.setStatus(.spam, commentID: mistaken.id)
            let sample = SpamSample(text: text, author: "Benedetta", email: "b@example.org", url: "")
            let before = try #require(try await blog.drey.spam.models.model(siteID: blog.site.id)).score(sample)
            var ed = AdminSession(client: client)
            _ = try await ed.signIn("ed@blog.test", pass)
            let queue = try await ed.get("/admin/comments?status=spam")
            let score = String(format: "%.2f", try #require(caught.spamScore))
            #expect(queue.text.contains("<small class=\"score\">score \(score)</small>"), "\(queue.text)")
            #expect(queue.text.contains("backed by 2 links"))
            _ = try await ed.post("/admin/comments", [("from", "spam"), ("do", "notspam:\(mistaken.id)")])
            #expect(try await blog.drey.store.comment(id: mistaken.id)?.status == .approved)
            let after = try #require(try await blog.drey.spam.models.model(siteID: blog.site.id)).score(sample)
            #expect(after < before && after < 0.5, "before \(before), after \(after)")
            #expect(try await client.get("/2008/01/27/thread/").text.contains("zucchini bargains"))
        }
    }

    @Test("the seed folder ships the blog corpus unchanged from its master in the tests' data")
    func shippedCorpusIsTheMaster() async throws {
        let root = SharedData.packageRoot
        let master = try Data(contentsOf: root.appendingPathComponent("Tests/data/blog-comments/comments.jsonl"))
        let shipped = try Data(contentsOf: root.appendingPathComponent("Resources/spam-seed/blog-comments.jsonl"))
        #expect(master == shipped, "copy Tests/data/blog-comments/comments.jsonl to Resources/spam-seed/blog-comments.jsonl")
    }
}
