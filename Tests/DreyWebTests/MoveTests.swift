import DreyCore
import DreyFetch
import DreyStore
import DreyTestSupport
import Foundation
import SQLKit
import Testing

@testable import DreyApp
@testable import DreyWeb

/// `drey move`: a SQLite blog moved to PostgreSQL keeps every address, id and count.
@Suite struct MoveTests {
    /// Every path the blog's sitemaps list, with the page's `<title>`.
    static func pages(_ server: DreyServer) async throws -> [String: String] {
        let index = String(decoding: try await server.get("/wp-sitemap.xml").body, as: UTF8.self)
        var titles: [String: String] = [:]
        for sitemap in sitemapLocations(index).map(SitemapTests.path) {
            let listed = String(decoding: try await server.get(sitemap).body, as: UTF8.self)
            for path in sitemapLocations(listed).map(SitemapTests.path) {
                let page = try await server.get(path)
                let html = String(decoding: page.body, as: UTF8.self)
                let title = html.range(of: "<title>").flatMap { start in
                    html.range(of: "</title>", range: start.upperBound..<html.endIndex).map { html[start.upperBound..<$0.lowerBound] }
                }
                titles[path] = page.status == 200 ? String(title ?? "") : "status \(page.status)"
            }
        }
        return titles
    }

    /// Approved and held comments (a server deletes spam past its retention period as it starts, so spam is left out).
    static func comments(_ server: DreyServer) async throws -> [String] {
        try await server.jsonLines(["comment", "list", "--status", "approved", "--status", "pending", "--json", "--limit", "100000"]).map {
            "\($0["id"] ?? "")|\($0["post"] ?? "")|\($0["parent"] ?? "-")|\($0["status"] ?? "")|\($0["text"] ?? "")"
        }.sorted()
    }

    @Test(
        "drey move copies a SQLite blog into PostgreSQL: every URL, id and comment kept, search rebuilt, new ids follow; a non-empty target is refused"
    )
    func move() async throws {
        let old = try await DreyServer.start(.sqlite) { data, env, _ in
            let demo = try DreyBinary.run(["demo"], data: data, env: env)
            guard demo.status == 0 else { throw CLIFailure("drey demo: \(demo.err)") }
        }
        defer { old.stopSoon() }
        // Rows that point at a later row of their own table (as an import or a re-parenting leaves them): the oldest
        // page under the newest, the oldest comment replying to the newest.
        let sqlite = try await Database.open(
            sqlitePath: (old.data as NSString).appendingPathComponent("drey.sqlite"), logger: TestBlog.quietLogger)
        try await sqlite.withSQL { db in
            for table in ["posts", "comments"] {
                let filter = table == "posts" ? " WHERE type = 'page'" : ""
                let sql: SQLQueryString = """
                    UPDATE \(ident: table) SET parent_id = CASE WHEN id = (SELECT MIN(id) FROM \(ident: table)\(unsafeRaw: filter))
                    THEN (SELECT MAX(id) FROM \(ident: table)\(unsafeRaw: filter)) ELSE NULL END
                    WHERE id IN ((SELECT MIN(id) FROM \(ident: table)\(unsafeRaw: filter)), (SELECT MAX(id) FROM \(ident: table)\(unsafeRaw: filter)))
                    """
                try await db.raw(sql).run()
            }
        }
        let forward = try await sqlite.withSQL { db in
            try await db.raw("SELECT COUNT(*) AS n FROM comments WHERE parent_id > id").first()?.decode(column: "n", as: Int.self) ?? 0
        }
        await sqlite.close()
        #expect(forward == 1)
        let before = try await Self.pages(old)
        let commentsBefore = try await Self.comments(old)
        #expect(before.count >= 10)
        #expect(commentsBefore.count >= 10)

        let location = try await TestDatabase.postgres.makeLocation()
        let url = try #require(location.databaseURL)
        let moved = try await old.run(["move", "--to", url])
        #expect(moved.status == 0, "\(moved.err)")
        #expect(moved.out.contains("every count matches"), "\(moved.out)")
        let movedComments = moved.out.split(separator: "\n").first { $0.hasPrefix("  comments: ") }.flatMap {
            Int($0.dropFirst("  comments: ".count))
        }
        #expect((movedComments ?? 0) >= commentsBefore.count, "\(moved.out)")

        let port = try FetcherTests.closedPort()
        let env = ["DATABASE_URL": url]
        #expect(
            try await offThread {
                try DreyBinary.run(["site", "set", "home_url", "http://127.0.0.1:\(port)"], data: location.dataDirectory, env: env)
            }.status == 0)
        let new = try await DreyServer.serve(location, port: port, serveArguments: [], environment: [:], ownsLocation: true)
        defer { new.stopSoon() }
        let after = try await Self.pages(new)
        #expect(after == before)
        #expect(before.keys.contains { $0.split(separator: "/").count == 2 }, "a nested page is among the URLs: \(before.keys.sorted())")
        let commentsAfter = try await Self.comments(new)
        #expect(commentsAfter == commentsBefore)

        // PostgreSQL's search index holds the moved posts.
        // The first title (in a fixed order) with a word of five letters or more to search for.
        func searchable(_ title: String) -> String? {
            let words = title.components(separatedBy: " – ")[0].split(separator: " ").map(String.init)
            return words.first { $0.count >= 5 && $0.allSatisfy(\.isLetter) }
        }
        let someTitle = try #require(before.values.sorted().first { $0.contains("–") && !$0.hasPrefix("status") && searchable($0) != nil })
        let postTitle = someTitle.components(separatedBy: " – ")[0]
        let word = try #require(searchable(someTitle))
        let found = String(decoding: try await new.get("/?s=\(word)").body, as: UTF8.self)
        #expect(found.contains(postTitle), "no result for \(word) (from “\(postTitle)”)")

        // New rows get ids after the moved ones: no collision with a copied id.
        let file = try LinkbackPeerTests.writeFile("Written after the move.")
        let written = try await new.run(["post", "new", "--title", "After the move", "--file", file])
        #expect(written.status == 0, "\(written.err)")
        #expect(
            try await new.run(["comment", "add", "--post", "1", "--author", "Late", "--email", "late@example.org", "--text", "After."]).status == 0)

        // A second move into the same database is refused and changes nothing.
        let again = try await old.run(["move", "--to", url])
        #expect(again.status != 0)
        #expect(again.err.contains("the PostgreSQL database is not empty"), "\(again.err)")
        #expect(try await Self.comments(new).count == commentsBefore.count + 1)
    }

    @Test("drey move refuses a PostgreSQL database holding another application's tables, and touches none of them")
    func foreignTarget() async throws {
        guard let admin = ProcessInfo.processInfo.environment["DREY_TEST_POSTGRES_URL"] else {
            throw CLIFailure("DREY_TEST_POSTGRES_URL is not set: run the suite with `make test`")
        }
        let name = "drey_move_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        let server = try await Database.open(url: admin, logger: TestBlog.quietLogger)
        try await server.withSQL { try await $0.raw(SQLQueryString("CREATE DATABASE \(unsafeRaw: String(name))")).run() }
        guard var components = URLComponents(string: admin) else {
            throw CLIFailure("DREY_TEST_POSTGRES_URL is not set: run the suite with `make test`")
        }
        components.path = "/" + name
        let url = try #require(components.string)
        let other = try await Database.open(url: url, logger: TestBlog.quietLogger)
        try await other.withSQL { try await $0.raw("CREATE TABLE invoices (id INT PRIMARY KEY)").run() }
        await other.close()
        let blog = try await DreyServer.start(.sqlite) { _, _, _ in }
        let refused = try await blog.run(["move", "--to", url])
        await blog.stop()
        let check = try await Database.open(url: url, logger: TestBlog.quietLogger)
        let tables = try await DatabaseMover.targetTables(check)
        await check.close()
        try await server.withSQL { try await $0.raw(SQLQueryString("DROP DATABASE IF EXISTS \(unsafeRaw: String(name)) WITH (FORCE)")).run() }
        await server.close()
        #expect(refused.status != 0)
        #expect(refused.err.contains("the PostgreSQL database is not empty: it holds invoices"), Comment(rawValue: refused.err))
        #expect(tables == ["invoices"])
    }
}
