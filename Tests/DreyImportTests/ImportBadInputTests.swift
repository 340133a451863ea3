import DreyCore
import DreyStore
import DreyTestSupport
import Foundation
import Testing

@testable import DreyImport

/// Every kind of bad input the issue lists: each gets a message naming the item, and nothing is
/// half-imported.
@Suite struct ImportBadInputTests {
    typealias S = WXRSamples

    @Test("malformed and truncated files stop with nothing imported", arguments: TestDatabase.allCases)
    func failsCleanly(_ kind: TestDatabase) async throws {
        try await ImportFixture.with(kind) { f in
            let before = try await f.everything()
            let data = try Data(contentsOf: ThemeDataImportTests.themeData)
            let truncated = try WXRSamples.write(bytes: Array(data.prefix(data.count * 3 / 4)))
            defer { try? FileManager.default.removeItem(at: truncated) }
            let dir = SharedData.file(WXRReaderTests.importerData)
            for url in [truncated] + WXRReaderTests.malformed.sorted().map({ dir.appendingPathComponent($0) }) {
                await #expect(throws: WXRError.self, "\(url.lastPathComponent)") { try await f.importFile(url) }
                #expect(try await f.everything() == before, "\(url.lastPathComponent) left rows behind")
            }
        }
    }

    @Test("every importer test file imports with its counts, or fails cleanly", arguments: TestDatabase.allCases)
    func importerFiles(_ kind: TestDatabase) async throws {
        let dir = SharedData.file(WXRReaderTests.importerData)
        let expected: [String: (items: Int, authors: Int)] = [
            "wxr-simple.xml": (1, 1), "valid-wxr-1.0.xml": (6, 0), "valid-wxr-1.1.xml": (2, 1), "wxr-utf-8-challenges.xml": (1, 1),
            "a11y-unit-test-data.xml": (154, 1), "theme-unit-test-data.xml": (186, 2), "wxr-with-sub-data.xml": (1, 0),
            "crazy-cdata-escaped.xml": (1, 0),
        ]
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path).filter({ $0.hasSuffix(".xml") }).sorted()
        where !WXRReaderTests.malformed.contains(file) {
            try await ImportFixture.with(kind) { f in
                let s = try await f.importFile(dir.appendingPathComponent(file))
                let items = [ImportSummary.Kind.posts, .pages, .attachments, .otherItems].map { s[$0].inFile }.reduce(0, +)
                for k in ImportSummary.Kind.allCases {
                    let row = s[k]
                    if k != .creators { #expect(row.imported + row.existing + row.skippedCount == row.inFile, "\(file) \(k)") }
                }
                if let want = expected[file] {
                    #expect(items == want.items, "\(file)")
                    #expect(s[.authors].inFile == want.authors, "\(file)")
                }
                let stored = try await f.count("posts") + f.count("media")
                #expect(stored == s[.posts].imported + s[.pages].imported + s[.attachments].imported, "\(file)")
            }
        }
    }

    @Test("duplicate slugs are renamed and named in a warning", arguments: TestDatabase.allCases)
    func duplicateSlugs(_ kind: TestDatabase) async throws {
        try await ImportFixture.with(kind) { f in
            let s = try await f.importText(
                S.document(items: [
                    S.item(id: 10, title: "About", slug: "about", type: "page"),
                    S.item(id: 11, title: "Team about", slug: "about", type: "page", parent: 12),
                    S.item(id: 12, title: "Team", slug: "team", type: "page"),
                ]))
            #expect(s[.pages].imported == 3)
            #expect(s.warnings.contains { $0.contains("page 11 “Team about”") && $0.contains("imported as “about-2”") })
            let pages = try await f.posts(type: .page)
            #expect(Set(pages.map(\.slug)) == ["about", "about-2", "team"])
            #expect(pages.first { $0.slug == "about-2" }?.parentID == pages.first { $0.slug == "team" }?.id)
        }
    }

    @Test("authors without logins, and items naming nobody", arguments: TestDatabase.allCases)
    func authorsWithoutLogins(_ kind: TestDatabase) async throws {
        try await ImportFixture.with(kind) { f in
            let s = try await f.importText(
                S.document(
                    channel: S.author("", email: "jane@old.example.org", id: 3, name: "Jane Doe") + S.author("", id: 4),
                    items: [S.item(id: 1, creator: "jane-doe"), S.item(id: 2, creator: ""), S.item(id: 3, creator: "ghost")]))
            #expect(s[.authors].inFile == 2 && s[.authors].imported == 1 && s[.authors].skippedCount == 1)
            #expect(s.warnings.contains { $0.contains("“Jane Doe”") && $0.contains("no login") })
            #expect(s.warnings.contains { $0.contains("line") && $0.contains("no login, name or email") })
            #expect(s.warnings.contains { $0.contains("post 2") && $0.contains("names no author") })
            #expect(s[.creators].imported == 1)  // "ghost", named only by dc:creator
            let jane = try await f.store.user(email: "jane@old.example.org")
            #expect(jane?.login == "jane-doe" && jane?.passwordHash == "")
            #expect(try await f.store.user(login: "ghost")?.email == "ghost@imported.invalid")
            #expect(s.createdUsers.count == 2)
            let posts = try await f.posts()
            #expect(posts.first { $0.slug == "post-1" }?.authorID == jane?.id)
            #expect(posts.first { $0.slug == "post-2" }?.authorID == jane?.id)  // the file's first author
        }
    }

    @Test("authors are matched to existing users by email", arguments: TestDatabase.allCases)
    func matchesUsersByEmail(_ kind: TestDatabase) async throws {
        try await ImportFixture.with(kind) { f in
            let s = try await f.importText(
                S.document(channel: S.author("boss", email: "ADMIN@blog.test", id: 7), items: [S.item(id: 1, creator: "boss")]))
            #expect(s[.authors].existing == 1 && s[.authors].imported == 0 && s.createdUsers.isEmpty)
            #expect(try await f.posts().first?.authorID == f.admin.id)
            #expect(try await f.store.role(userID: f.admin.id, siteID: f.site.id) == .administrator)  // never lowered
            #expect(try await f.store.user(wordPressAuthorID: 7, siteID: f.site.id)?.id == f.admin.id)
        }
    }

    @Test("dates of 0000-00-00 fall back and are reported", arguments: TestDatabase.allCases)
    func zeroDates(_ kind: TestDatabase) async throws {
        try await ImportFixture.with(kind) { f in
            let s = try await f.importText(
                S.document(items: [
                    S.item(id: 1, title: "Draft", status: "draft", date: "2009-03-04 05:06:07", gmt: "0000-00-00 00:00:00"),
                    S.item(
                        id: 2, title: "Nothing", date: "0000-00-00 00:00:00", gmt: "0000-00-00 00:00:00",
                        comments: [S.comment(id: 5, date: "0000-00-00 00:00:00")]),
                ]))
            let posts = try await f.posts()
            #expect(posts.first { $0.slug == "post-1" }?.publishedAt == WXRDates.utc("2009-03-04 05:06:07"))
            #expect(posts.first { $0.slug == "post-2" }?.publishedAt == ImportFixture.fixedNow)
            #expect(s.warnings.contains { $0.contains("post 2 “Nothing”") && $0.contains("no valid date") })
            #expect(s.warnings.contains { $0.contains("comment 5") && $0.contains("no valid date") })
            #expect(!s.warnings.contains { $0.contains("post 1 ") })  // a draft without GMT date is normal
        }
    }

    @Test("comments and terms whose parent is missing go to the top level, named", arguments: TestDatabase.allCases)
    func missingParents(_ kind: TestDatabase) async throws {
        try await ImportFixture.with(kind) { f in
            let s = try await f.importText(
                S.document(
                    channel:
                        "<wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>child</wp:category_nicename><wp:category_parent>nowhere</wp:category_parent><wp:cat_name><![CDATA[Child]]></wp:cat_name></wp:category>",
                    items: [
                        S.item(
                            id: 1,
                            comments: [
                                S.comment(id: 21, parent: 20, text: "Reply to a lost one"),
                                S.comment(id: 22, parent: 23, text: "Reply before its parent"),
                                S.comment(id: 23, text: "Parent after its reply"), S.comment(id: 24, parent: 25, text: "Cycle A"),
                                S.comment(id: 25, parent: 24, text: "Cycle B"),
                            ])
                    ]))
            #expect(s[.comments].imported == 5)
            #expect(s.warnings.contains { $0.contains("comment 21") && $0.contains("parent comment 20 is not in the file") })
            #expect(s.warnings.contains { $0.contains("category “Child”") && $0.contains("“nowhere” is not in the file") })
            #expect(s.warnings.contains { $0.contains("own replies") })
            let post = try #require(try await f.posts().first)
            let comments = try await f.store.comments(postID: post.id, statuses: CommentStatus.allCases)
            let byText = Dictionary(uniqueKeysWithValues: comments.map { ($0.source, $0) })
            #expect(byText["Reply to a lost one"]?.parentID == nil)
            #expect(byText["Reply before its parent"]?.parentID == byText["Parent after its reply"]?.id)
            #expect(try await f.store.term(slug: "child", taxonomy: .category, siteID: f.site.id)?.parentID == nil)
        }
    }

    @Test("odd comment values: unknown types skipped, bad URLs dropped, approval kept", arguments: [TestDatabase.sqlite])
    func oddComments(_ kind: TestDatabase) async throws {
        try await ImportFixture.with(kind) { f in
            let s = try await f.importText(
                S.document(items: [
                    S.item(
                        id: 1,
                        comments: [
                            S.comment(id: 1, approved: "spam"), S.comment(id: 2, approved: "trash"),
                            S.comment(id: 3, approved: "0", type: "pingback"),
                            S.comment(id: 4, type: "note"), S.comment(id: 5, approved: "maybe"),
                            S.comment(id: 6).replacingOccurrences(of: "http://reader.example.org/", with: "javascript:alert(1)"),
                        ])
                ]))
            #expect(s[.comments].inFile == 6 && s[.comments].imported == 5 && s[.comments].skipped.keys.contains { $0.contains("note") })
            let post = try #require(try await f.posts().first)
            let comments = try await f.store.comments(postID: post.id, statuses: CommentStatus.allCases)
            #expect(comments.map(\.status).sorted { $0.rawValue < $1.rawValue } == [.approved, .pending, .pending, .spam, .trash])
            #expect(comments.allSatisfy { !$0.authorURL.hasPrefix("javascript") })
            #expect(s.warnings.contains { $0.contains("comment 5") && $0.contains("“maybe”") })
            #expect(s.warnings.contains { $0.contains("comment 6") && $0.contains("not an http(s) address") })
            #expect(post.commentCount == 1)
        }
    }

    @Test("invalid UTF-8 stops the import and names the line", arguments: TestDatabase.allCases)
    func invalidUTF8(_ kind: TestDatabase) async throws {
        try await ImportFixture.with(kind) { f in
            var bytes = Array(S.document(items: (1...5).map { S.item(id: $0, title: "Post \($0)") }).utf8)
            let marker = Array("Post 4".utf8)
            let at = (0..<bytes.count).first { Array(bytes[$0..<min($0 + marker.count, bytes.count)]) == marker }!
            bytes.insert(contentsOf: [0xC3, 0x28], at: at)
            let url = try WXRSamples.write(bytes: bytes)
            defer { try? FileManager.default.removeItem(at: url) }
            let before = try await f.everything()
            do {
                try await f.importFile(url)
                Issue.record("imported invalid UTF-8")
            } catch let error as WXRError {
                #expect(error.kind == .invalidUTF8)
                #expect(error.line > 0 && error.description.contains("<title>"))
            }
            #expect(try await f.everything() == before)
        }
    }
}
