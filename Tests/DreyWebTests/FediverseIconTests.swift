import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation
import Testing

/// Mastodon shows no SVG icons: the blog's and authors' actors point at PNG faces the blog draws itself.
@Suite struct FediverseIconTests {
    @Test("the blog's and an author's actor icons are PNG images at stable addresses", arguments: TestDatabase.allCases)
    func pngIcons(_ kind: TestDatabase) async throws {
        let server = try await FediverseTests.server(kind)
        try await LinkbackPeerTests.stopping([server]) {
            var seen: [[UInt8]] = []
            for path in ["/ap/blog", "/author/ada/"] {
                let (_, actor, _) = try await FediverseTests.json(server, path)
                let icon = actor["icon"] as? [String: Any] ?? [:]
                #expect(icon["mediaType"] as? String == "image/png", "\(path): \(icon)")
                let url = icon["url"] as? String ?? ""
                #expect(url.hasPrefix(server.base + "/ap/") && url.hasSuffix("/icon.png"), "\(url)")
                for _ in 0..<2 {
                    // Drawn on the first request, served from its file on the next: the same bytes.
                    let image = try await DreyServer.client.fetch(FetchRequest(url: url))
                    #expect(image.status == 200)
                    #expect(image.header("Content-Type") == "image/png")
                    #expect(Array(image.body.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
                    seen.append(image.body)
                }
                // The same address on every fetch of the actor.
                #expect((try await FediverseTests.json(server, path).1["icon"] as? [String: Any])?["url"] as? String == url)
            }
            #expect(seen[0] == seen[1] && seen[2] == seen[3])
            // The blog and its author have faces of their own.
            #expect(seen[0] != seen[2])
            #expect(try await server.get("/ap/users/999/icon.png").status == 404)
        }
        await server.stop()
    }
}
