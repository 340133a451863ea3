import DreyCore
import DreyStore
import DreyTestSupport
import Foundation
import Testing

@testable import DreyImport

/// Export, import the export into an empty site, export again: the two files are the same, so
/// nothing was lost on the way.
@Suite struct RoundTripTests {
    /// Every readable export in the shared data: the Theme Unit Test files and each of the
    /// WordPress importer's test and end-to-end files, the malformed ones aside.
    static var files: [String] {
        let fm = FileManager.default
        var files: [String] = []
        for folder in ["theme-test-data", "wordpress-importer/phpunit/data", "wordpress-importer/e2e/fixtures"] {
            let names = (try? fm.contentsOfDirectory(atPath: SharedData.file("wxr/" + folder).path)) ?? []
            files += names.filter { $0.hasSuffix(".xml") && !WXRReaderTests.malformed.contains($0) }.sorted().map { folder + "/" + $0 }
        }
        return files
    }

    @Test("WXR → Drey → WXR → Drey → WXR is lossless", arguments: TestDatabase.allCases)
    func lossless(_ kind: TestDatabase) async throws {
        #expect(Self.files.count >= 35)
        for file in Self.files {
            var first = ""
            var counts = ExportCounts()
            var imported = ImportSummary()
            try await ImportFixture.with(kind) { f in
                imported = try await f.importFile(SharedData.file("wxr/" + file))
                (first, counts) = try await f.export()
            }
            #expect(counts.posts == imported[.posts].imported, "\(file)")
            #expect(counts.pages == imported[.pages].imported, "\(file)")
            #expect(counts.attachments == imported[.attachments].imported, "\(file)")
            #expect(counts.comments == imported[.comments].imported, "\(file)")
            #expect(counts.categories >= imported[.categories].imported && counts.tags >= imported[.tags].imported, "\(file)")
            try await ImportFixture.with(kind) { f in
                let url = try WXRSamples.write(first)
                defer { try? FileManager.default.removeItem(at: url) }
                let again = try await f.importFile(url)
                #expect(again.warnings.isEmpty, "\(file): \(again.warnings.prefix(3))")
                #expect(again[.posts].imported == counts.posts && again[.comments].imported == counts.comments, "\(file)")
                let (second, secondCounts) = try await f.export()
                #expect(secondCounts == counts, "\(file)")
                if second != first {
                    let a = first.split(separator: "\n")
                    let b = second.split(separator: "\n")
                    let at = Array(zip(a, b)).firstIndex { $0 != $1 } ?? min(a.count, b.count)
                    Issue.record("\(file): exports differ at line \(at + 1):\n- \(at < a.count ? a[at] : "")\n+ \(at < b.count ? b[at] : "")")
                }
            }
        }
    }

    @Test("Drey's own posts survive a round trip too: Markdown source, typography, IDs", arguments: [TestDatabase.sqlite])
    func nativeContent(_ kind: TestDatabase) async throws {
        var exported = ""
        try await ImportFixture.with(kind) { f in
            let post = Post(
                siteID: f.site.id, status: .publish, slug: "native", title: "Native & <proud>", format: .markdown,
                source: "Some *Markdown* with ]]> inside", contentHTML: "<p>Some <em>Markdown</em> with ]]&gt; inside</p>",
                authorID: f.admin.id, publishedAt: Date(timeIntervalSince1970: 1_200_000_000),
                typography: Typography(fontSize: 20))
            let saved = try await f.store.insert(post, termIDs: [])
            _ = try await f.store.insert(
                Comment(
                    siteID: f.site.id, postID: saved.id, status: .approved, authorName: "Phil", authorEmail: "phil@example.org",
                    userAgent: "Mozilla/5.0", source: "First!", contentHTML: "<p>First!</p>", createdAt: Date(timeIntervalSince1970: 1_200_000_100)))
            (exported, _) = try await f.export()
            #expect(exported.contains("<wp:post_id>\(saved.id)</wp:post_id>"))
            #expect(exported.contains("<guid isPermaLink=\"false\">http://blog.test/?p=\(saved.id)</guid>"))
        }
        try await ImportFixture.with(kind) { f in
            let url = try WXRSamples.write(exported)
            defer { try? FileManager.default.removeItem(at: url) }
            try await f.importFile(url)
            let post = try #require(try await f.posts().first)
            #expect(post.format == .markdown && post.source == "Some *Markdown* with ]]> inside")
            #expect(post.title == "Native & <proud>" && post.typography.fontSize == 20)
            let comment = try #require(try await f.store.comments(postID: post.id, statuses: [.approved]).first)
            #expect(comment.userAgent == "Mozilla/5.0" && comment.source == "First!")
        }
    }

    /// WordPress's importer, as its SimpleXML parser reads a file: our export must give it the
    /// same counts. Checked by an outside reader (Python's ElementTree), not by our own.
    @Test("WordPress's parser reads the export with the same counts", arguments: [TestDatabase.sqlite])
    func wordPressReadsTheExport(_ kind: TestDatabase) async throws {
        try await ImportFixture.with(kind) { f in
            let s = try await f.importFile(ThemeDataImportTests.themeData)
            let (text, counts) = try await f.export()
            let url = try WXRSamples.write(text)
            defer { try? FileManager.default.removeItem(at: url) }
            let (status, output) = try await PythonCheck.run("wxr_counts.py", arguments: [url.path])
            #expect(status == 0, "\(output)")
            let found = Dictionary(
                uniqueKeysWithValues: output.split(separator: "\n").compactMap { line -> (String, Int)? in
                    let parts = line.split(separator: " ")
                    guard parts.count == 2, let n = Int(parts[1]) else { return nil }
                    return (String(parts[0]), n)
                })
            #expect(found["version"] == 12)
            #expect(found["authors"] == counts.authors && counts.authors == 3)  // two from the file and the site's admin
            #expect(found["categories"] == 68 && found["tags"] == 114 && counts.tags == 114)
            #expect(found["posts"] == counts.items && counts.items == 58 + 21 + 37)
            #expect(found["comments"] == 33)
            #expect(found["attachments"] == 37)
            #expect(found["unresolved_parents"] == 0 && found["unresolved_comment_parents"] == 0)
            #expect(s[.comments].imported == 33)
        }
    }
}
