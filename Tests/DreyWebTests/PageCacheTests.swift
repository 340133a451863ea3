import DreyCore
import DreyRender
import DreyTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import DreyApp
@testable import DreyStore
@testable import DreyWeb

@Suite struct PageCacheTests {
    func cacheStatus(_ r: TestResponse) -> String? { r.headers[.init("X-Drey-Cache")!] }

    @Test("a page's ETag fingerprint is the same for the same bytes and changes with any one byte")
    func fingerprint() {
        let page = String(repeating: "<p>Ωραίο άρθρο, a line of a page.</p>\n", count: 300) + "tail"
        let bytes = Array(page.utf8)
        let original = PageCache.fingerprint(ByteBuffer(bytes: bytes))
        #expect(PageCache.fingerprint(ByteBuffer(bytes: bytes)) == original)
        var seen: Set<String> = [original]
        // Every position of a 32-byte block, in the first and a middle block, and in the tail past the last block.
        for index in Array(0..<40) + [bytes.count / 2, bytes.count - 3, bytes.count - 1] {
            var changed = bytes
            changed[index] ^= 0x01
            seen.insert(PageCache.fingerprint(ByteBuffer(bytes: changed)))
            changed[index] ^= 0x81
            seen.insert(PageCache.fingerprint(ByteBuffer(bytes: changed)))
        }
        #expect(seen.count == 1 + 2 * 43, "every changed page has a fingerprint of its own")
        #expect(PageCache.fingerprint(ByteBuffer(bytes: bytes + [0])) != original, "a byte more")
        #expect(PageCache.fingerprint(ByteBuffer()) != PageCache.fingerprint(ByteBuffer(bytes: [0])))
    }

    @Test("each kind of write refreshes exactly the pages it changes", arguments: TestDatabase.allCases)
    func writesInvalidate(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let post = try await blog.post("Cached", categories: ["News"])
            let other = try await blog.post("Other", date: "2008-01-20T00:00:00Z")
            let path = "/2008/01/27/cached/"
            #expect(cacheStatus(try await client.get(path)) == "MISS")
            #expect(cacheStatus(try await client.get(path)) == "HIT")
            _ = try await client.get("/2008/01/20/other/")
            _ = try await client.get("/")
            _ = try await client.get("/comments/feed/")

            // A new approved comment: its post, the comment feeds and the lists; not other posts.
            try await blog.comment(post, "Fresh words", by: "Charlie")
            let page = try await client.get(path)
            #expect(page.text.contains("Fresh words"))
            #expect(cacheStatus(try await client.get("/2008/01/20/other/")) == "HIT")
            #expect(try await client.get("/").text.contains("1 Comment"))
            #expect(try await client.get("/comments/feed/").text.contains("Fresh words"))

            // Moderation: a comment marked spam disappears at once.
            let spam = try await blog.comment(post, "Buy now", by: "Bot")
            #expect(try await client.get(path).text.contains("Buy now"))
            _ = try await blog.drey.comments.setStatus(.spam, commentID: spam.id)
            #expect(!(try await client.get(path).text.contains("Buy now")))

            // An edit to the post.
            var input = PostInput(title: "Cached", source: "Edited body", authorID: blog.author.id)
            input.categories = ["News"]
            _ = try await blog.drey.posts.update(post.id, with: input, siteID: blog.site.id)
            #expect(try await client.get(path).text.contains("Edited body"))

            // A settings change: every page of the site.
            _ = try await client.get("/2008/01/20/other/")
            try await blog.set(.title, "Renamed Blog")
            #expect(try await client.get("/2008/01/20/other/").text.contains("Renamed Blog"))
            #expect(try await client.get("/feed/").text.contains("Renamed Blog"))

            // A new post appears on the home page and its address stops being a 404.
            #expect(try await client.get("/2008/03/01/brand-new/").status == .notFound)
            try await blog.post("Brand new", date: "2008-03-01T00:00:00Z")
            #expect(try await client.get("/").text.contains("Brand new"))
            #expect(try await client.get("/2008/03/01/brand-new/").status == .ok)
            _ = other
        }
    }

    @Test("a render that began before an approval is served once and not cached", arguments: TestDatabase.allCases)
    func renderRacingAnInvalidation(_ kind: TestDatabase) async throws {
        let blog = try await TestBlog.open(kind)
        do {
            let post = try await blog.post("Raced")
            let held = try await blog.comment(post, "Words awaiting approval", by: "Hana", status: .pending)
            let path = "/2008/01/27/raced/"
            let built = try await buildApplication(blog.drey, logger: TestBlog.quietLogger)
            let web = built.web
            try await built.server(background: false).test(.router) { client in
                // The first render reads the post without the comment, then waits while the comment is approved.
                let (reached, reachedSignal) = AsyncStream.makeStream(of: Void.self)
                let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
                let once = Locked(false)
                web.cache.beforeStore.withLock {
                    $0 = {
                        guard
                            once.withLock({
                                let first = !$0
                                $0 = true
                                return first
                            })
                        else { return }
                        reachedSignal.yield()
                        for await _ in release { break }
                    }
                }
                async let first = client.get(path)
                for await _ in reached { break }
                _ = try await blog.drey.comments.setStatus(.approved, commentID: held.id)
                releaseSignal.yield()
                let stale = try await first
                #expect(!stale.text.contains("Words awaiting approval"))  // it began before the approval
                let next = try await client.get(path)
                #expect(next.text.contains("Words awaiting approval"), "the page rendered before the approval was cached")
                #expect(cacheStatus(next) == "MISS")
                #expect(cacheStatus(try await client.get(path)) == "HIT")
            }
        } catch {
            await blog.close()
            throw error
        }
        await blog.close()
    }

    @Test("a backlog of more than a page of changes from another process is read to the end", arguments: TestDatabase.allCases)
    func longBacklog(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let post = try await blog.post("Backlog")
            let path = "/2008/01/27/backlog/"
            _ = try await client.get(path)
            #expect(cacheStatus(try await client.get(path)) == "HIT")
            let other = try await Drey.open(blog.config, logger: TestBlog.quietLogger)
            for _ in 0..<(SQLStore.changePage + 200) { try await other.store.record(siteID: blog.site.id, scopes: [.post(999_999)]) }
            var s = CommentSubmission(postID: post.id, authorName: "Late", email: "late@example.org", text: "After the backlog")
            s.forcedStatus = .approved
            _ = try await other.comments.submit(s, siteID: blog.site.id)
            await other.close()
            #expect(try await client.get(path).text.contains("After the backlog"))
        }
    }

    @Test("the change log is pruned below what every live instance has read; one left behind drops its cache", arguments: TestDatabase.allCases)
    func pruning(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let post = try await blog.post("Pruned")
            let path = "/2008/01/27/pruned/"
            _ = try await client.get(path)
            #expect(cacheStatus(try await client.get(path)) == "HIT")
            let store = blog.drey.store
            let later = Date().addingTimeInterval(3600)
            // Another instance reads up to the newest change; this one has not said how far it read.
            let other = try await Drey.open(blog.config, logger: TestBlog.quietLogger)
            for _ in 0..<5 { try await other.store.record(siteID: blog.site.id, scopes: [.post(999_999)]) }
            let newest = try await store.latestSequence()
            try await store.reportRead(instance: "a-reader-behind", sequence: newest - 3, at: Date())
            try await store.reportRead(instance: "a-reader-ahead", sequence: newest, at: Date())
            #expect(try await store.pruneChanges(before: later, readersSince: Date().addingTimeInterval(-60)) > 0)
            #expect(try await store.prunedThrough() == newest - 3)
            #expect(try await store.changes(after: 0).first?.sequence == newest - 2)
            // Readers not seen for a while are forgotten; the newest change always stays, so sequences keep growing.
            _ = try await store.pruneChanges(before: later, readersSince: later)
            #expect(try await store.changes(after: 0).map(\.sequence) == [newest])
            // This process never read those changes; the comment's own change is after the pruned ones, but the
            // pruned ones could have staled anything: it must drop its pages rather than trust them.
            var s = CommentSubmission(postID: post.id, authorName: "Pruner", email: "p@example.org", text: "Seen after a prune")
            s.forcedStatus = .approved
            _ = try await other.comments.submit(s, siteID: blog.site.id)
            try await other.store.record(siteID: blog.site.id, scopes: [.post(999_999)])
            _ = try await other.store.pruneChanges(before: later, readersSince: later)
            try await other.changes.record(siteID: blog.site.id, .comments(onPosts: [999_998]))
            await other.close()
            #expect(try await client.get(path).text.contains("Seen after a prune"))
        }
    }

    @Test("the cache holds at most its size in bytes, and the least recently used pages go first", arguments: TestDatabase.allCases)
    func boundedByBytes(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind, cacheBytes: 96 << 10) { blog, client in
            var paths: [String] = []
            for n in 1...30 {
                try await blog.post("Bounded \(n)", String(repeating: "A paragraph of words that fills the page. ", count: 60))
                paths.append("/2008/01/27/bounded-\(n)/")
            }
            // The first page is asked for after every other one, so it stays the most recently used.
            _ = try await client.get(paths[0])
            for path in paths.dropFirst() {
                #expect(cacheStatus(try await client.get(path)) == "MISS")
                #expect(cacheStatus(try await client.get(paths[0])) == "HIT", "the page read between the others was dropped at \(path)")
            }
            // Thirty pages of this size do not fit in 96 KB: the early ones went, the latest and the one kept warm stayed.
            #expect(cacheStatus(try await client.get(paths[1])) == "MISS")
            #expect(cacheStatus(try await client.get(paths[29])) == "HIT")
            #expect(cacheStatus(try await client.get(paths[0])) == "HIT")
        }
    }

    @Test("a write by another process (the CLI, another instance) is seen at once", arguments: TestDatabase.allCases)
    func otherProcess(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let post = try await blog.post("Shared")
            let path = "/2008/01/27/shared/"
            _ = try await client.get(path)
            #expect(cacheStatus(try await client.get(path)) == "HIT")
            // A second, independent opening of the same blog, as `drey comment add` would make.
            let other = try await Drey.open(blog.config, logger: TestBlog.quietLogger)
            var s = CommentSubmission(postID: post.id, authorName: "Operator", email: "op@example.org", text: "From the CLI")
            s.forcedStatus = .approved
            _ = try await other.comments.submit(s, siteID: blog.site.id)
            try await other.siteService.set([.tagline: "Changed elsewhere"], siteID: blog.site.id)
            await other.close()
            let page = try await client.get(path)
            #expect(page.text.contains("From the CLI"))
            #expect(page.text.contains("Changed elsewhere"))
        }
    }

    @Test("requests arriving together after a write elsewhere all see it, not only the first", arguments: [TestDatabase.sqlite])
    func concurrentCatchUp(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.post("Shared")
            let path = "/2008/01/27/shared/"
            for round in 1...5 {
                _ = try await client.get(path)
                let other = try await Drey.open(blog.config, logger: TestBlog.quietLogger)
                try await other.siteService.set([.tagline: "Round \(round) elsewhere"], siteID: blog.site.id)
                await other.close()
                let pages = try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<12 { group.addTask { try await client.get(path).text } }
                    return try await group.reduce(into: [String]()) { $0.append($1) }
                }
                #expect(pages.allSatisfy { $0.contains("Round \(round) elsewhere") }, "round \(round)")
            }
        }
    }

    @Test("on PostgreSQL, an instance with its own data folder hears of changes by LISTEN/NOTIFY", arguments: [TestDatabase.postgres])
    func notify(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let post = try await blog.post("Elsewhere")
            let path = "/2008/01/27/elsewhere/"
            _ = try await client.get(path)
            #expect(cacheStatus(try await client.get(path)) == "HIT")
            let listener = Task { [changes = blog.drey.changes, database = blog.drey.database] in
                try await database.listen(channel: SQLStore.changeChannel) { try? await changes.catchUp() }
            }
            defer { listener.cancel() }
            try await Task.sleep(for: .milliseconds(300))
            // Another machine: same database, a different data folder (no shared stamp file).
            var config = blog.config
            config.dataDirectory = blog.config.dataDirectory + "-other"
            let other = try await Drey.open(config, logger: TestBlog.quietLogger)
            var s = CommentSubmission(postID: post.id, authorName: "Far", email: "far@example.org", text: "From another machine")
            s.forcedStatus = .approved
            _ = try await other.comments.submit(s, siteID: blog.site.id)
            await other.close()
            var seen = false
            for _ in 0..<40 where !seen {
                seen = try await client.get(path).text.contains("From another machine")
                if !seen { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(seen)
        }
    }

    @Test("staff, commenters with held comments and --no-cache bypass the cache", arguments: [TestDatabase.sqlite])
    func bypass(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.post("Post")
            _ = try await client.get("/")
            #expect(cacheStatus(try await client.get("/")) == "HIT")
            #expect(cacheStatus(try await client.get("/", headers: [.cookie: "drey_session=abc"])) == "BYPASS")
            #expect(cacheStatus(try await client.get("/", headers: [.cookie: "drey_pending=1.x"])) == "BYPASS")
        }
        try await TestBlog.with(.sqlite, pageCache: false) { blog, client in
            try await blog.post("Post")
            _ = try await client.get("/")
            #expect(cacheStatus(try await client.get("/")) == "BYPASS")
            // Rendered for each response, a page has its holes filled there and then: the form's token where its marker
            // was, and the rest of the page byte for byte, underscores and marker-like text from the post included.
            let text = "`drey_hole_ d_ _drey_ under_scores_ \(PageHole.prefix.dropLast())x_1_`"
            try await blog.post("Underscores", text)
            let page = try await client.get("/2008/01/27/underscores/")
            #expect(page.status == .ok && cacheStatus(page) == "BYPASS")
            #expect(!page.text.contains(PageHole.prefix))
            #expect(page.text.contains("drey_hole_ d_ _drey_ under_scores_"))
            let token = try #require(page.text.firstMatch(of: #/name="drey_token" value="([^"]+)"/#)?.1)
            #expect(token.hasPrefix("comment:"))
            let again = try await client.get("/2008/01/27/underscores/")
            let second = try #require(again.text.firstMatch(of: #/name="drey_token" value="([^"]+)"/#)?.1)
            #expect(second != token, "minted per response")
            let unmarked = { (html: String) in html.replacing(#/name="drey_token" value="[^"]*"/#, with: "") }
            #expect(unmarked(page.text) == unmarked(again.text))
        }
        try await TestBlog.with(.sqlite) { blog, client in
            try await blog.set(.pageCache, "off")
            _ = try await client.get("/")
            #expect(cacheStatus(try await client.get("/")) == "BYPASS")
        }
    }

    @Test("cached pages come gzipped on request, with an ETag that answers 304, and HEAD has no body", arguments: [TestDatabase.sqlite])
    func conditional(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.post("Post", String(repeating: "Long text. ", count: 200))
            let first = try await client.get("/", headers: [.acceptEncoding: "gzip, br"])
            #expect(first.headers[.contentEncoding] == "gzip")
            let etag = try #require(first.headers[.eTag])
            let again = try await client.get("/", headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            let head = try await client.get("/", method: .head)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
        }
    }
}
