import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation
import Testing

/// The home, author and post addresses answer HTML or ActivityStreams JSON by the request's `Accept`: a shared cache
/// in front of the blog must key them on it, or a browser could be handed an actor's JSON (and Mastodon a page).
@Suite struct FediverseVaryTests {
    static func varies(_ response: FetchResponse) -> Set<String> {
        Set(response.headers(named: "Vary").flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
    }

    @Test(
        "pages that content negotiation can turn into ActivityStreams say Vary: Accept, cached or not, plain or gzip",
        arguments: TestDatabase.allCases)
    func varyAccept(_ kind: TestDatabase) async throws {
        let server = try await FediverseTests.server(kind)
        try await LinkbackPeerTests.stopping([server]) {
            for path in ["/", "/author/ada/", "/2024/05/01/notes-on-the-engine/"] {
                for gzip in [false, true] {
                    // Rendered (or already cached: the server's start asked for the home page), then from the cache.
                    for attempt in gzip ? [2] : [1, 2] {
                        let response = try await DreyServer.client.fetch(
                            FetchRequest(url: server.base + path, headers: gzip ? [("Accept-Encoding", "gzip")] : []))
                        #expect(response.status == 200)
                        if attempt == 2 { #expect(response.header("X-Drey-Cache") == "HIT", "\(path)") }
                        #expect(response.header("Content-Encoding") == (gzip ? "gzip" : nil), "\(path)")
                        #expect(Self.varies(response) == ["accept", "accept-encoding"], "\(path): \(response.headers(named: "Vary"))")
                    }
                }
                // Revalidation answers with the same Vary (pages with a comment form have no validator: each is filled anew).
                let etag = try await server.get(path).header("ETag")
                if path == "/" { #expect(etag != nil) }
                if let etag {
                    let revalidated = try await DreyServer.client.fetch(FetchRequest(url: server.base + path, headers: [("If-None-Match", etag)]))
                    #expect(revalidated.status == 304)
                    #expect(Self.varies(revalidated) == ["accept", "accept-encoding"], "\(path)")
                }
                // The JSON answer varies on Accept as well.
                let json = try await DreyServer.client.fetch(
                    FetchRequest(url: server.base + path, headers: [("Accept", FediverseTests.activity)]))
                #expect(json.header("Content-Type")?.hasPrefix(FediverseTests.activity) == true)
                #expect(Self.varies(json).contains("accept"))
            }
            // Off the fediverse, nothing is negotiated: the default Vary stays.
            #expect(try await server.run(["site", "set", "fediverse_enabled", "0"]).status == 0)
            #expect(
                try await server.waitUntil(timeout: 30) {
                    Self.varies(try await server.get("/")) == ["accept-encoding"]
                })
        }
        await server.stop()
    }
}
