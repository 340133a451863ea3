import DreyCore
import DreyFetch
import DreyLinkbacks
import DreyTestSupport
import Foundation
import Testing

/// The 23 discovery tests of webmention.rocks (aaronpk/webmention.rocks, Apache-2.0), served as recorded
/// by a local server, found through the real fetcher and the W3C discovery algorithm.
@Suite struct DiscoveryFixtureTests {
    struct Fixtures: Decodable {
        let base: String
        let cases: [Case]
    }

    struct Case: Decodable {
        let num: Int
        let name: String
        let target: String
        let responses: [Recorded]
        let expected_endpoint: String
    }

    struct Recorded: Decodable {
        let url: String
        let status: Int
        let headers: [[String]]
        let body: String
    }

    static func load() throws -> Fixtures {
        let url = SharedData.file("webmention/webmention-rocks/discovery-fixtures.json")
        return try JSONDecoder().decode(Fixtures.self, from: Data(contentsOf: url))
    }

    @Test("all 23 webmention.rocks discovery cases give the expected endpoint")
    func webmentionRocks() async throws {
        let fixtures = try Self.load()
        #expect(fixtures.cases.count == 23)
        let origin = "https://webmention.rocks"
        // Each recorded response is served at its path, with the recorded site's address made ours.
        var byPath: [String: Recorded] = [:]
        for c in fixtures.cases {
            for r in c.responses { byPath[String(r.url.dropFirst(origin.count))] = r }
        }
        let table = byPath
        try await FixtureServer.with({ request, base in
            guard let recorded = table[request.target] else { return .status(404) }
            let headers = recorded.headers.map { ($0[0], $0[1].replacingOccurrences(of: origin, with: base)) }
            return FixtureReply(status: recorded.status, headers: headers, body: .text(recorded.body.replacingOccurrences(of: origin, with: base)))
        }) { server in
            var settings = FetchSettings()
            settings.allow = FetchAllowList(["127.0.0.1"])
            // The whole suite on two cores can stall the fixture server for longer than a real site would take.
            settings.connectTimeout = .seconds(60)
            settings.totalTimeout = .seconds(180)
            let fetcher = SafeFetcher(settings: settings, logger: FetcherTests.quiet)
            var passed = 0
            for c in fixtures.cases {
                let target = c.target.replacingOccurrences(of: origin, with: server.base)
                let expected = c.expected_endpoint.replacingOccurrences(of: origin, with: server.base)
                let response = try await fetcher.fetch(FetchRequest(url: target))
                let found = EndpointDiscovery.webmention(in: response)
                #expect(found == expected, "#\(c.num) \(c.name)")
                if found == expected { passed += 1 }
            }
            #expect(passed == 23)
        }
    }
}
