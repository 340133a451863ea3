import DreyTestSupport
import Foundation
import Testing

@testable import DreyImport

/// The reader on the WordPress importer's own test files and on broken input written here.
@Suite struct WXRReaderTests {
    static let importerData = "wxr/wordpress-importer/phpunit/data"

    struct Read {
        var channel: WXRChannel?
        var authors: [WXRAuthor] = []
        var terms: [WXRTerm] = []
        var items: [WXRItem] = []
    }

    static func read(_ url: URL) async throws -> Read {
        var read = Read()
        for try await event in WXRReader(url: url).events() {
            switch event {
            case .channel(let c): read.channel = c
            case .author(let a): read.authors.append(a)
            case .term(let t): read.terms.append(t)
            case .item(let i): read.items.append(i)
            }
        }
        return read
    }

    static func error(_ url: URL) async -> WXRError? {
        do {
            _ = try await read(url)
            return nil
        } catch {
            return error as? WXRError
        }
    }

    /// The post and author counts WordPress's importer expects its parser to find (data/README.md).
    @Test(arguments: [
        ("wxr-simple.xml", 1, 1), ("valid-wxr-1.0.xml", 6, 0), ("valid-wxr-1.1.xml", 2, 1), ("wxr-utf-8-challenges.xml", 1, 1),
        ("a11y-unit-test-data.xml", 154, 1), ("theme-unit-test-data.xml", 186, 2), ("wxr-with-sub-data.xml", 1, 0),
        ("crazy-cdata-escaped.xml", 1, 0),
    ])
    func readsTheImportersExpectedCounts(_ file: String, _ items: Int, _ authors: Int) async throws {
        let read = try await Self.read(SharedData.file("\(Self.importerData)/\(file)"))
        #expect(read.items.count == items)
        #expect(read.authors.count == authors)
    }

    static let malformed: Set<String> = [
        "malformed.xml", "malformed-simple.xml", "crazy-cdata.xml", "missing-version-tag.xml", "invalid-version-tag.xml",
    ]

    @Test func everyImporterFileReadsOrFailsCleanly() async throws {
        let dir = SharedData.file(Self.importerData)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".xml") }.sorted()
        #expect(files.count >= 30)
        for file in files {
            let error = await Self.error(dir.appendingPathComponent(file))
            if Self.malformed.contains(file) {
                #expect(error != nil, "\(file) should fail")
                #expect((error?.line ?? 0) > 0, "\(file): \(String(describing: error))")
            } else {
                #expect(error == nil, "\(file): \(String(describing: error))")
            }
        }
    }

    @Test func malformedFilesSayWhereAndWhatWasExpected() async throws {
        let dir = SharedData.file(Self.importerData)
        let simple = await Self.error(dir.appendingPathComponent("malformed-simple.xml"))
        #expect(simple?.kind == .truncated)
        #expect(simple?.line == 13)
        #expect(simple?.message.contains("expected </item>") == true)
        let cdata = await Self.error(dir.appendingPathComponent("crazy-cdata.xml"))
        #expect(cdata?.kind == .malformed)
        #expect(cdata?.line == 18)
        #expect(cdata?.message.contains("]]>") == true)
        let mismatched = await Self.error(dir.appendingPathComponent("malformed.xml"))
        #expect(mismatched?.line == 90)
        #expect(mismatched?.message.contains("expected </") == true)
        let invalid = await Self.error(dir.appendingPathComponent("invalid-version-tag.xml"))
        #expect(invalid?.kind == .unsupportedVersion)
        #expect(invalid?.message.contains("“abc”") == true)
        let missing = await Self.error(dir.appendingPathComponent("missing-version-tag.xml"))
        #expect(missing?.kind == .notWXR)
        #expect(missing?.message.contains("wp:wxr_version") == true)
    }

    @Test func cdataSplitAsWordPressEscapesItReadsWhole() async throws {
        let read = try await Self.read(SharedData.file("\(Self.importerData)/crazy-cdata-escaped.xml"))
        let item = try #require(read.items.first)
        #expect(item.content == "Content with nested <![CDATA[ tags ]]> :)")
        #expect(item.meta("Closing CDATA") == "]]>")
        #expect(item.meta("Alot of CDATA") == "This has <![CDATA[ opening and ]]> closing <![CDATA[ tags like this: ]]>")
    }

    @Test func blankLinesInContentSurvive() async throws {
        let read = try await Self.read(SharedData.file("\(Self.importerData)/post-content-blank-lines.xml"))
        #expect(read.items.first?.content.filter { $0 == "\n" }.count == 3)
    }

    @Test func onlyTheDocumentsExportNamespaceCounts() async throws {
        let read = try await Self.read(SharedData.file("\(Self.importerData)/namespace-edge-cases.xml"))
        #expect(read.authors.map(\.login) == ["real_user"])
        #expect(read.items.first?.id == 1)  // the first of two post_id elements wins, as in WordPress
        #expect(read.items.first?.meta.map(\.key) == ["normal_key"])
        #expect(read.items.dropFirst().first?.id == 2)  // default namespace
        #expect(read.items.first { $0.title == "Hijacked Namespace" }?.type == "")
        #expect(read.terms.map(\.slug) == ["new-version"])
    }

    @Test func themeUnitTestDataUnderTheHTTPSNamespace() async throws {
        let read = try await Self.read(SharedData.file("wxr/theme-test-data/themeunittestdata.wordpress.xml"))
        #expect(read.channel?.version == "1.2")
        #expect(read.authors.count == 2)
        #expect(read.items.count == 186)
        #expect(read.terms.filter { $0.element == "category" }.count == 68)
        #expect(read.terms.filter { $0.element == "tag" }.count == 110)
        #expect(read.terms.filter { $0.element == "term" }.count == 7)
        #expect(read.items.flatMap(\.comments).count == 33)
    }

    @Test func badInputEachGetsAClearMessage() async throws {
        func check(_ bytes: [UInt8], _ kind: WXRError.Kind, line: Int? = nil, _ words: String) async throws {
            let url = try WXRSamples.write(bytes: bytes)
            defer { try? FileManager.default.removeItem(at: url) }
            let error = try #require(await Self.error(url), "expected \(kind)")
            #expect(error.kind == kind, "\(error)")
            if let line { #expect(error.line == line, "\(error)") }
            #expect(error.description.contains(words), "\(error)")
        }
        try await check([], .empty, "empty")
        try await check(Array("just some text\n".utf8), .notXML, line: 1, "not XML")
        try await check(Array("<html><body><p>hi</p></body></html>".utf8), .notWXR, "<rss>")
        try await check(Array(WXRSamples.document(version: "1.3").utf8), .unsupportedVersion, "1.3")
        try await check(Array(WXRSamples.document(version: "").utf8), .notWXR, "wp:wxr_version")
        var invalid = Array(WXRSamples.document(items: [WXRSamples.item(id: 1, title: "Bad bytes")]).utf8)
        let at = invalid.firstIndex(of: UInt8(ascii: "B"))!
        invalid.replaceSubrange(at..<at + 1, with: [0xFF, 0xFE])
        try await check(invalid, .invalidUTF8, "UTF-8")
        let bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
            <rss><channel><title>&lol2;</title></channel></rss>
            """
        try await check(Array(bomb.utf8), .notWXR, "DOCTYPE")
    }

    @Test func aTruncatedFileNamesWhatWasLeftOpen() async throws {
        let data = try Data(contentsOf: SharedData.file("wxr/theme-test-data/themeunittestdata.wordpress.xml"))
        let url = try WXRSamples.write(bytes: Array(data.prefix(data.count / 2)))
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(await Self.error(url))
        #expect(error.kind == .truncated || error.kind == .malformed)
        #expect(error.line > 1000)
        #expect(error.message.contains("</channel>") || error.message.contains("expected"))
    }
}
