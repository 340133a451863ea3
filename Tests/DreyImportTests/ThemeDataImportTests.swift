import DreyCore
import DreyStore
import DreyTestSupport
import Foundation
import Testing

@testable import DreyImport

/// The WordPress Theme Unit Test export (WPTT/theme-test-data) imported with the exact counts
/// its README gives, on SQLite and PostgreSQL.
@Suite struct ThemeDataImportTests {
    static let themeData = SharedData.file("wxr/theme-test-data/themeunittestdata.wordpress.xml")

    @Test("imports the Theme Unit Test data with exactly its counts", arguments: TestDatabase.allCases)
    func exactCounts(_ kind: TestDatabase) async throws {
        try await ImportFixture.with(kind) { f in
            let s = try await f.importFile(Self.themeData)
            #expect(s[.authors].inFile == 2 && s[.authors].imported == 2)
            #expect(s[.categories].inFile == 68 && s[.categories].imported == 68)
            #expect(s[.tags].inFile == 110 && s[.tags].imported == 110)
            #expect(s[.otherTerms].inFile == 7 && s[.otherTerms].skippedCount == 7)
            #expect(s[.posts].inFile == 58 && s[.posts].imported == 58)
            #expect(s[.pages].inFile == 21 && s[.pages].imported == 21)
            #expect(s[.attachments].inFile == 37 && s[.attachments].imported == 37)
            #expect(s[.otherItems].inFile == 70 && s[.otherItems].skippedCount == 70)
            #expect(s[.comments].inFile == 33 && s[.comments].imported == 33)
            #expect(s.statuses == ["post/publish": 56, "post/draft": 1, "post/future": 1, "page/publish": 21])
            #expect(s.commentStatuses == ["approved": 30, "pending": 3])
            #expect(s.commentTypes["pingback"] == 2 && s.commentTypes["trackback"] == 2)
            #expect(s.threadedReplies == 10)
            #expect(s.sticky == 1 && s.passwordProtected == 1)
            #expect(s.permalinkAdopted && s.permalinkStructure == "/%year%/%monthnum%/%day%/%postname%/")

            // And the database agrees.
            let posts = try await f.posts()
            #expect(posts.count == 58)
            #expect(posts.filter { $0.status == .publish }.count == 56)
            #expect(posts.filter { $0.status == .draft }.count == 1 && posts.filter { $0.status == .future }.count == 1)
            #expect(posts.filter(\.sticky).count == 1)
            #expect(posts.filter { !$0.password.isEmpty }.count == 1)
            let pages = try await f.posts(type: .page)
            #expect(pages.count == 21)
            #expect(pages.filter { $0.parentID != nil }.count == 13)
            let categories = try await f.store.terms(siteID: f.site.id, taxonomy: .category)
            #expect(categories.count == 68)
            #expect(categories.filter { $0.parentID != nil }.count == 10)
            // Four tags are named by posts without being declared; WordPress's importer creates them too.
            #expect(s.termsFromItems == 4)
            #expect(try await f.store.terms(siteID: f.site.id, taxonomy: .tag).count == 114)
            #expect(try await f.count("media") == 37)
            #expect(try await f.count("comments") == 33)
            var replies = 0
            var pingbacks = 0
            var trackbacks = 0
            var pending = 0
            for post in posts + pages {
                let comments = try await f.store.comments(postID: post.id, statuses: CommentStatus.allCases)
                replies += comments.filter { $0.parentID != nil }.count
                pingbacks += comments.filter { $0.type == .pingback }.count
                trackbacks += comments.filter { $0.type == .trackback }.count
                pending += comments.filter { $0.status == .pending }.count
                #expect(post.commentCount == comments.filter { $0.status == .approved }.count)
            }
            #expect(replies == 10 && pingbacks == 2 && trackbacks == 2 && pending == 3)
            #expect(s.warnings.isEmpty, "\(s.warnings)")
        }
    }

    @Test("a second run of the same import adds nothing", arguments: TestDatabase.allCases)
    func idempotent(_ kind: TestDatabase) async throws {
        try await ImportFixture.with(kind) { f in
            try await f.importFile(Self.themeData)
            let before = try await f.everything()
            let again = try await f.importFile(Self.themeData)
            #expect(try await f.everything() == before)
            for kind in ImportSummary.Kind.allCases { #expect(again[kind].imported == 0, "\(kind)") }
            #expect(again[.posts].existing == 58 && again[.pages].existing == 21 && again[.attachments].existing == 37)
            #expect(again[.comments].existing == 33 && again[.categories].existing == 68 && again[.authors].existing == 2)
        }
    }

    @Test("shortcodes and blocks become HTML; the rest is listed", arguments: [TestDatabase.sqlite])
    func markup(_ kind: TestDatabase) async throws {
        try await ImportFixture.with(kind) { f in
            let s = try await f.importFile(Self.themeData)
            let posts = try await f.posts() + f.posts(type: .page)
            let all = posts.map(\.contentHTML).joined()
            #expect(!all.contains("[caption"))
            #expect(!all.contains("<!-- wp:"))
            #expect(all.contains("<figcaption class=\"wp-caption-text\">"))
            #expect(all.contains("Watch the video on YouTube"))
            #expect(all.contains("<div class=\"gallery gallery-columns-"))
            #expect(s.unhandledMarkup["wp:latest-posts"]?.count == 4 && s.unhandledMarkup["[simple]"]?.count == 1)
            // Sources stay as WordPress wrote them, so an export gives WordPress its own markup back.
            #expect(posts.contains { $0.source.contains("[caption") })
        }
    }
}
