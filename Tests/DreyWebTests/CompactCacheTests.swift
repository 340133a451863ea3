import CompressNIO
import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation
import NIOCore
import Testing

@testable import DreyWeb

/// A full page cache keeps the pages not read lately in their gzip form only, rather than forgetting them: a gzip
/// reader gets it as it is, any other reader the page inflated back, the same bytes either way (decision 0026).
@Suite struct CompactCacheTests {
    /// The page without its per-response form tokens.
    static func tokenless(_ html: String) -> String {
        html.replacing(#/name="drey_token" value="[^"]*"/#, with: "name=\"drey_token\"")
    }

    static func gunzip(_ body: [UInt8]) throws -> String {
        var buffer = ByteBuffer(bytes: body)
        return String(buffer: try buffer.decompress(with: .gzip()))
    }

    @Test("a running server with a small cache keeps every page it read, most in gzip form, and serves them whole", arguments: TestDatabase.allCases)
    func servedWhole(_ kind: TestDatabase) async throws {
        let server = try await DreyServer.start(kind, serveArguments: ["--cache-size", "1"]) { data, env, _ in
            try DreyBinary.run(["demo"], data: data, env: env)
        }
        defer { server.stopSoon() }
        let sitemap = String(decoding: try await server.get("/wp-sitemap-posts-post-1.xml").body, as: UTF8.self)
        let posts = sitemap.matches(of: #/<loc>([^<]+)</loc>/#).map { String($0.output.1.dropFirst(server.base.count)) }
        #expect(posts.count >= 20, "\(sitemap)")
        // A query makes an address of its own, cached on its own: three pages per post.
        let paths = posts + posts.map { $0 + "?from=feed" } + posts.map { $0 + "?from=mail" }
        // The feed first, so it is among the oldest: a page without holes.
        let feed = try await server.get("/feed/")
        #expect(feed.status == 200 && feed.body.count > 512)
        // Each page once, read whole (no gzip): more than a megabyte of pages.
        var first: [String: String] = [:]
        var total = 0
        for path in paths {
            let page = try await server.get(path)
            #expect(page.status == 200)
            total += page.body.count
            first[path] = Self.tokenless(String(decoding: page.body, as: UTF8.self))
        }
        #expect(total > 1 << 20, "the pages must not all fit whole: \(total) bytes")
        let metrics = String(decoding: try await server.get("/metrics").body, as: UTF8.self)
        let entries = try #require(OpsTests.sample(metrics, "drey_page_cache_entries"), "\(metrics)")
        let compact = try #require(OpsTests.sample(metrics, "drey_page_cache_compact_entries"), "\(metrics)")
        #expect(Int(entries) >= paths.count, "every page is still cached: \(metrics)")
        #expect(compact > 0, "\(metrics)")
        #expect(try #require(OpsTests.sample(metrics, "drey_page_cache_bytes")) <= Double(1 << 20))

        // HEAD needs no body: a compact page answers it with its plain length, as it is (nothing inflated).
        let head = try await DreyServer.client.fetch(FetchRequest(url: server.base + "/feed/", method: "HEAD"))
        #expect(head.headers.first { $0.0.lowercased() == "x-drey-cache" }?.1 == "HIT")
        #expect(head.headers.first { $0.0.lowercased() == "content-length" }?.1 == String(feed.body.count))
        let expansions = { () async throws -> Double? in
            OpsTests.sample(String(decoding: try await server.get("/metrics").body, as: UTF8.self), "drey_page_cache_expansions")
        }
        #expect(try await expansions() == 0)
        // A GET without gzip inflates it back: the feed was compact, and its bytes are those first sent.
        let feedAgain = try await server.get("/feed/")
        #expect(feedAgain.headers.first { $0.0.lowercased() == "x-drey-cache" }?.1 == "HIT")
        #expect(feedAgain.body == feed.body)
        #expect(try await expansions() == 1)

        // The oldest pages, compact by now: from the cache, in gzip and whole, the same page as first rendered.
        for path in paths.prefix(5) {
            let zipped = try await DreyServer.client.fetch(FetchRequest(url: server.base + path, headers: [("Accept-Encoding", "gzip")]))
            #expect(zipped.headers.first { $0.0.lowercased() == "x-drey-cache" }?.1 == "HIT", "\(path)")
            #expect(zipped.headers.first { $0.0.lowercased() == "content-encoding" }?.1 == "gzip")
            #expect(Self.tokenless(try Self.gunzip(zipped.body)) == first[path], "\(path)")
            let whole = try await server.get(path)
            #expect(whole.headers.first { $0.0.lowercased() == "x-drey-cache" }?.1 == "HIT", "\(path)")
            #expect(Self.tokenless(String(decoding: whole.body, as: UTF8.self)) == first[path], "\(path)")
        }
    }

    @Test("compacting and expanding an entry gives back the same page, holes and all")
    func roundTrip() throws {
        let words = (0..<400).map { "word\($0 % 37)" }.joined(separator: " ")
        let html = "<!doctype html><p>\(words)</p>" + PageHole.marker("form-token", 7) + "<footer>\(words)</footer>"
        let holed = PageCache.makeEntry(status: .ok, contentType: "text/html; charset=utf-8", body: ByteBuffer(string: html), scopes: [])
        let holes = try #require(holed.holes)
        let small = try #require(holed.compacted())
        #expect(small.isCompact && small.cost < holed.cost / 2, "\(small.cost) of \(holed.cost)")
        #expect(small.compacted() == nil)
        let whole = try #require(small.expanded())
        #expect(String(buffer: try #require(whole.holes).body(fills: ["T"])) == String(buffer: holes.body(fills: ["T"])))
        var zipped = try #require(small.holes).gzipped(fills: ["T"])
        #expect(String(buffer: try zipped.decompress(with: .gzip())) == String(buffer: holes.body(fills: ["T"])))

        let feed = PageCache.makeEntry(status: .ok, contentType: "application/rss+xml", body: ByteBuffer(string: words), scopes: [])
        let compactFeed = try #require(feed.compacted())
        #expect(compactFeed.body.readableBytes == 0 && compactFeed.gzipped != nil)
        #expect(String(buffer: try #require(compactFeed.expanded()).body) == words)
        // A page too small to be gzipped has nothing to keep instead, so it is never compacted.
        let tiny = PageCache.makeEntry(status: .ok, contentType: "text/plain", body: ByteBuffer(string: "ok"), scopes: [])
        #expect(tiny.compacted() == nil)
    }
}
