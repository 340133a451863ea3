import DreyCore
import DreyTestSupport
import Foundation
import SQLKit
import Testing

@testable import DreyStore

/// The copy behind `drey move`, on a real SQLite file and a real PostgreSQL database.
@Suite struct DatabaseMoverTests {
    @Test(
        "a row pointing at a later row of its own table, in a later batch, keeps its parent after the move; a cycle of foreign keys is copied whole")
    func forwardParents() async throws {
        let (sqlite, source) = try await TestDatabase.sqlite.openMigrated()
        let (postgres, target) = try await TestDatabase.postgres.openMigrated()
        do {
            let store = SQLStore(database: sqlite)
            let site = try await store.createSite(host: "blog.test", settings: [:])
            let user = try await store.createUser(User(email: "a@blog.test", login: "a", displayName: "A"))
            let at = Date(timeIntervalSince1970: 1_200_000_000)
            var pages: [Post] = []
            for n in 1...3 {
                pages.append(
                    try await store.insert(
                        Post(
                            siteID: site.id, type: .page, status: .publish, slug: "p\(n)", title: "P\(n)", source: "x", authorID: user.id,
                            publishedAt: at),
                        termIDs: []))
            }
            var comments: [DreyCore.Comment] = []
            for n in 1...3 {
                comments.append(
                    try await store.insert(
                        DreyCore.Comment(siteID: site.id, postID: pages[0].id, status: .approved, authorName: "C\(n)", source: "c\(n)", createdAt: at)
                    ))
            }
            // The first page under the last; the first comment a reply to the last.
            let (firstPage, lastPage, firstComment, lastComment) = (pages[0].id, pages[2].id, comments[0].id, comments[2].id)
            try await sqlite.withSQL { db in
                try await db.raw("UPDATE posts SET parent_id = \(bind: lastPage) WHERE id = \(bind: firstPage)").run()
                try await db.raw("UPDATE comments SET parent_id = \(bind: lastComment) WHERE id = \(bind: firstComment)").run()
            }
            // An upload belongs to a page and is another page's featured image: foreign keys in a cycle (posts → media →
            // posts), which the move breaks by setting the featured image once both tables are in.
            let photo = try await store.insertMedia(
                Media(
                    siteID: site.id, postID: pages[0].id, slug: "photo", title: "Photo", mimeType: "image/jpeg", originalURL: "",
                    file: "2008/01/photo.jpg", publishedAt: at))
            try await store.setFeaturedMedia(postID: pages[1].id, siteID: site.id, mediaID: photo.id)
            var mover = DatabaseMover(source: sqlite, target: postgres)
            mover.rowsPerBatch = 1
            try await mover.move()
            let moved = SQLStore(database: postgres)
            #expect(try await moved.featuredMedia(postID: pages[1].id, siteID: site.id)?.id == photo.id)
            #expect(try await moved.media(id: photo.id, siteID: site.id)?.postID == pages[0].id)
            #expect(try await moved.post(id: pages[0].id, siteID: site.id)?.parentID == pages[2].id)
            #expect(try await moved.comment(id: comments[0].id)?.parentID == comments[2].id)
            #expect(try await moved.comment(id: comments[2].id)?.parentID == nil)
            // The ids go on after the copied ones.
            let next = try await moved.insert(DreyCore.Comment(siteID: site.id, postID: pages[0].id, authorName: "New", source: "n", createdAt: at))
            #expect(next.id == comments[2].id + 1)
        } catch {
            await sqlite.close()
            await postgres.close()
            await source.cleanup()
            await target.cleanup()
            throw error
        }
        await sqlite.close()
        await postgres.close()
        await source.cleanup()
        await target.cleanup()
    }
}
