import DreyCore
import DreyTestSupport
import Foundation
import Testing

@testable import DreyStore

/// The same contract, on SQLite and on a real PostgreSQL.
@Suite struct StoreContractTests {
    func withStore(_ kind: TestDatabase, _ body: (SQLStore, Site, User) async throws -> Void) async throws {
        try await kind.withMigrated { db, _ in
            let store = SQLStore(database: db)
            let site = try await store.createSite(host: "example.test", settings: ["title": "Test"])
            let user = try await store.createUser(User(email: "korakious@example.test", login: "korakious", displayName: "korakious"))
            try await store.setRole(.author, userID: user.id, siteID: site.id)
            try await body(store, site, user)
        }
    }

    func post(
        _ site: Site, _ user: User, _ slug: String, at seconds: TimeInterval, status: PostStatus = .publish, sticky: Bool = false,
        text: String = "Body"
    ) -> Post {
        Post(
            siteID: site.id, status: status, slug: slug, title: slug.capitalized, source: text, contentHTML: "<p>\(text)</p>",
            authorID: user.id, publishedAt: Date(timeIntervalSince1970: seconds), sticky: sticky)
    }

    @Test("migrations are numbered without gaps and apply once", arguments: TestDatabase.allCases)
    func migrations(_ kind: TestDatabase) async throws {
        let numbers = Migrator.knownVersions
        #expect(numbers == Array(1...numbers.count))
        let (db, location) = try await kind.openMigrated()
        let again = try await Migrator(database: db).migrate()
        #expect(again.isEmpty)
        #expect(try await Migrator(database: db).appliedVersions() == numbers)
        await db.close()
        await location.cleanup()
    }

    @Test("sites keep settings; users are unique by email and login, case-insensitively", arguments: TestDatabase.allCases)
    func sitesAndUsers(_ kind: TestDatabase) async throws {
        try await withStore(kind) { store, site, user in
            try await store.setSettings(siteID: site.id, ["title": "New", "tagline": "T"])
            try await store.setSettings(siteID: site.id, ["title": "Newer"])
            let sites = try await store.sites()
            #expect(sites.first?.settings.title == "Newer")
            #expect(sites.first?.settings.tagline == "T")
            #expect(try await store.user(email: "KORAKIOUS@example.test")?.id == user.id)
            #expect(try await store.user(login: "Korakious")?.id == user.id)
            await #expect(throws: StoreError.self) {
                _ = try await store.createUser(User(email: "Korakious@Example.test", login: "other", displayName: "x"))
            }
            #expect(try await store.role(userID: user.id, siteID: site.id) == .author)
            try await store.setRole(.editor, userID: user.id, siteID: site.id)
            #expect(try await store.role(userID: user.id, siteID: site.id) == .editor)
        }
    }

    @Test("posts round-trip, slugs are unique per site and type, lists order sticky first", arguments: TestDatabase.allCases)
    func posts(_ kind: TestDatabase) async throws {
        try await withStore(kind) { store, site, user in
            var p = post(site, user, "first", at: 1_000_000)
            p.typography = Typography(fontSize: 22)
            p.password = "secret"
            let saved = try await store.insert(p, termIDs: [])
            let loaded = try #require(try await store.post(id: saved.id, siteID: site.id))
            #expect(loaded == saved)
            #expect(loaded.typography.fontSize == 22)
            await #expect(throws: (any Error).self) { _ = try await store.insert(post(site, user, "first", at: 5), termIDs: []) }
            var page = post(site, user, "first", at: 5)
            page.type = .page
            _ = try await store.insert(page, termIDs: [])  // same slug, other type: allowed
            _ = try await store.insert(post(site, user, "second", at: 2_000_000), termIDs: [])
            _ = try await store.insert(post(site, user, "old-sticky", at: 10, sticky: true), termIDs: [])
            _ = try await store.insert(post(site, user, "draft", at: 3_000_000, status: .draft), termIDs: [])
            var q = PostQuery(siteID: site.id)
            q.stickyFirst = true
            #expect(try await store.posts(q).map(\.slug) == ["old-sticky", "second", "first"])
            #expect(try await store.count(q) == 3)
            q.limit = 1
            q.offset = 1
            #expect(try await store.posts(q).map(\.slug) == ["second"])
            #expect(try await store.slugExists("draft", type: .post, siteID: site.id, excluding: nil))
            #expect(try await !store.slugExists("first", type: .post, siteID: site.id, excluding: saved.id))
        }
    }

    @Test(
        "a post read for a page leaves out its source, one read for a link its text too; the featured image comes with it",
        arguments: TestDatabase.allCases)
    func readingForDisplay(_ kind: TestDatabase) async throws {
        try await withStore(kind) { store, site, user in
            var p = post(site, user, "long", at: 1_000_000, text: String(repeating: "A long body, past one page. ", count: 800))
            p.excerpt = "Short"
            let saved = try await store.insert(p, termIDs: [])
            let other = try await store.insert(post(site, user, "other", at: 2_000_000), termIDs: [])
            let full = try #require(try await store.post(slug: "long", type: .post, siteID: site.id))
            #expect(full == saved && full.source.count > 20_000 && full.featuredMediaID == nil)

            let shown = try #require(try await store.post(slug: "long", type: .post, siteID: site.id, reading: .forDisplay))
            #expect(shown.source.isEmpty)
            #expect(shown.contentHTML == saved.contentHTML && shown.excerpt == "Short")
            var rest = shown
            rest.source = saved.source
            #expect(rest == saved, "everything else is read")
            #expect(try await store.post(id: saved.id, siteID: site.id, reading: .forDisplay)?.contentHTML == saved.contentHTML)

            var q = PostQuery(siteID: site.id)
            q.reading = .forLinks
            let links = try await store.posts(q)
            #expect(links.map(\.slug) == ["other", "long"])
            #expect(links.allSatisfy { $0.source.isEmpty && $0.contentHTML.isEmpty && $0.excerpt.isEmpty })
            #expect(links.map(\.publishedAt) == [other.publishedAt, saved.publishedAt] && links.map(\.title) == ["Other", "Long"])
            q.reading = .forDisplay
            #expect(try await store.posts(q).map(\.contentHTML) == [other.contentHTML, saved.contentHTML])

            // The featured image's ID is read with the post, so a page looks for the image only when there is one.
            let photo = try await store.insertMedia(
                Media(
                    siteID: site.id, postID: saved.id, slug: "photo", title: "Photo", mimeType: "image/jpeg", originalURL: "",
                    file: "2008/01/photo.jpg", publishedAt: saved.publishedAt))
            try await store.setFeaturedMedia(postID: saved.id, siteID: site.id, mediaID: photo.id)
            #expect(try await store.post(id: saved.id, siteID: site.id, reading: .forDisplay)?.featuredMediaID == photo.id)
            #expect(try await store.post(id: other.id, siteID: site.id)?.featuredMediaID == nil)
        }
    }

    @Test("terms filter lists and attach to posts", arguments: TestDatabase.allCases)
    func terms(_ kind: TestDatabase) async throws {
        try await withStore(kind) { store, site, user in
            let parent = try await store.insert(Term(siteID: site.id, taxonomy: .category, name: "USSR", slug: "ussr"))
            let child = try await store.insert(Term(siteID: site.id, taxonomy: .category, name: "Lenin", slug: "lenin", parentID: parent.id))
            let tag = try await store.insert(Term(siteID: site.id, taxonomy: .tag, name: "History", slug: "history"))
            let a = try await store.insert(post(site, user, "a", at: 100), termIDs: [child.id, tag.id])
            _ = try await store.insert(post(site, user, "b", at: 200), termIDs: [parent.id])
            var q = PostQuery(siteID: site.id)
            q.termIDs = [tag.id]
            #expect(try await store.posts(q).map(\.slug) == ["a"])
            q.termIDs = [parent.id, child.id]
            #expect(try await store.posts(q).map(\.slug) == ["b", "a"])
            let attached = try await store.terms(postIDs: [a.id])[a.id]?.map(\.slug).sorted()
            #expect(attached == ["history", "lenin"])
            #expect(try await store.term(name: "lenin", taxonomy: .category, siteID: site.id)?.id == child.id)
            #expect(try await store.term(slug: "lenin", taxonomy: .tag, siteID: site.id) == nil)
        }
    }

    @Test("comments count as WordPress counts and find duplicates", arguments: TestDatabase.allCases)
    func comments(_ kind: TestDatabase) async throws {
        try await withStore(kind) { store, site, user in
            let p = try await store.insert(post(site, user, "p", at: 100), termIDs: [])
            func comment(_ status: CommentStatus, _ type: CommentType = .comment, _ text: String) -> DreyCore.Comment {
                DreyCore.Comment(
                    siteID: site.id, postID: p.id, type: type, status: status, authorName: "Phil", authorEmail: "phil@example.test", source: text,
                    contentHTML: text, createdAt: Date(timeIntervalSince1970: 200))
            }
            let approved = try await store.insert(comment(.approved, .comment, "hello"))
            _ = try await store.insert(comment(.approved, .pingback, "[…] ping […]"))
            let held = try await store.insert(comment(.pending, .comment, "held"))
            _ = try await store.insert(comment(.spam, .comment, "buy"))
            #expect(try await store.post(id: p.id, siteID: site.id)?.commentCount == 2)
            try await store.setStatus(.approved, commentID: held.id)
            #expect(try await store.post(id: p.id, siteID: site.id)?.commentCount == 3)
            try await store.setStatus(.trash, commentID: approved.id)
            #expect(try await store.post(id: p.id, siteID: site.id)?.commentCount == 2)
            #expect(try await store.hasApproved(email: "phil@example.test", authorName: "Phil", siteID: site.id))
            #expect(try await !store.hasApproved(email: "other@example.test", authorName: "Phil", siteID: site.id))
            #expect(try await store.isDuplicate(postID: p.id, email: "phil@example.test", authorName: "Phil", source: "held"))
            #expect(try await !store.isDuplicate(postID: p.id, email: "phil@example.test", authorName: "Phil", source: "new"))
            #expect(try await store.comments(postID: p.id, statuses: [.approved]).count == 2)
            await #expect(throws: StoreError.self) { try await store.setStatus(.approved, commentID: 999_999) }
        }
    }

    @Test("search is full-text and ranked, titles first", arguments: TestDatabase.allCases)
    func search(_ kind: TestDatabase) async throws {
        try await withStore(kind) { store, site, user in
            var a = post(site, user, "printing-presses", at: 100, text: "A long winter of pamphlets.")
            a.title = "Printing presses"
            var b = post(site, user, "winter", at: 200, text: "The printing of pamphlets about presses and printing.")
            b.title = "Winter notes"
            _ = try await store.insert(a, termIDs: [])
            _ = try await store.insert(b, termIDs: [])
            _ = try await store.insert(post(site, user, "hidden", at: 300, status: .draft, text: "printing"), termIDs: [])
            let (found, total) = try await store.search(siteID: site.id, text: "printing", limit: 10, offset: 0)
            #expect(total == 2)
            #expect(found.first?.slug == "printing-presses")
            #expect(try await store.search(siteID: site.id, text: "pamphlets winter", limit: 10, offset: 0).total == 2)
            #expect(try await store.search(siteID: site.id, text: "\"* OR NEAR(", limit: 10, offset: 0).total == 0)
            #expect(try await store.search(siteID: site.id, text: "zebra", limit: 10, offset: 0).total == 0)
        }
    }

    @Test("scheduled posts publish when due; the change log is ordered", arguments: TestDatabase.allCases)
    func scheduleAndChanges(_ kind: TestDatabase) async throws {
        try await withStore(kind) { store, site, user in
            let future = try await store.insert(post(site, user, "later", at: 5_000, status: .future), termIDs: [])
            #expect(try await store.publishDue(now: Date(timeIntervalSince1970: 4_999)).isEmpty)
            let due = try await store.publishDue(now: Date(timeIntervalSince1970: 5_000))
            #expect(due.map(\.postID) == [future.id])
            #expect(try await store.post(id: future.id, siteID: site.id)?.status == .publish)
            let first = try await store.record(siteID: site.id, scopes: [.post(future.id), .lists])
            let second = try await store.record(siteID: site.id, scopes: [.site])
            #expect(second > first)
            let changes = try await store.changes(after: first)
            #expect(changes.count == 1 && changes[0].scopes == [.site])
            #expect(try await store.latestSequence() == second)
        }
    }
}
