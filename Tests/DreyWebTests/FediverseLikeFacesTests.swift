import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation
import Testing

/// Likes from the fediverse are among the readers' likes on the post page: in the count and the row of faces, each
/// face linked to its profile, rather than a line of their own.
@Suite struct FediverseLikeFacesTests {
    /// The `<section class="likes">` of the page.
    static func likes(_ page: String) -> String {
        guard let start = page.range(of: "<section class=\"likes\""), let end = page[start.upperBound...].range(of: "</section>") else { return "" }
        return String(page[start.lowerBound..<end.upperBound])
    }

    @Test(
        "fediverse likes join the faces row: counted, with their face and a link to their profile; boosts keep their line",
        arguments: TestDatabase.allCases)
    func likesAmongFaces(_ kind: TestDatabase) async throws {
        let server = try await FediverseTests.server(kind)
        let peer = try await FediversePeer.shared(.actors)
        let run = UUID().uuidString.lowercased()
        try await LinkbackPeerTests.stopping([server]) {
            let path = "/2024/05/01/notes-on-the-engine/"
            let (_, article, _) = try await FediverseTests.json(server, path)
            let articleID = article["id"] as? String ?? ""
            let (bob, frank) = (peer.base + "/bob", peer.base + "/frank")
            for (name, actor) in [("bob", bob), ("frank", frank)] {
                let like: [String: Any] = ["id": "\(actor)/likes/\(run)", "type": "Like", "actor": actor, "object": articleID]
                #expect(try await peer.send(as: name, to: server.base + "/ap/inbox", like) == 202)
            }
            let boost: [String: Any] = ["id": "\(frank)/boosts/\(run)", "type": "Announce", "actor": frank, "object": articleID]
            #expect(try await peer.send(as: "frank", to: server.base + "/ap/inbox", boost) == 202)
            var page = ""
            #expect(
                try await server.waitUntil(timeout: 60) {
                    page = try await server.get(path).text
                    return page.contains("2 bloggers like this.") && page.contains("1 boost from the fediverse.")
                }, "\(Self.likes(page))\n\(server.logText.suffix(3000))")
            let likes = Self.likes(page)
            // bob's face is the blog's copy of his icon; frank has none, so his is generated. Both link to their profiles.
            #expect(likes.contains("href=\"\(bob)\""), "\(likes)")
            #expect(likes.contains("href=\"\(frank)\""), "\(likes)")
            var faces: [String] = []
            for piece in likes.components(separatedBy: "<img ").dropFirst() {
                guard let src = piece.range(of: "src=\"") else { continue }
                faces.append(String(piece[src.upperBound...].prefix { $0 != "\"" }))
            }
            #expect(faces.count == 2)
            #expect(faces.contains { $0.hasPrefix(server.base + "/faces/") }, "\(faces)")
            #expect(faces.contains { $0.hasPrefix(server.base + "/avatar/") && $0.hasSuffix(".svg") }, "\(faces)")
            // Not counted twice in a line of their own.
            #expect(!page.contains("like from the fediverse") && !page.contains("likes from the fediverse"))

            // frank takes his like back: one left.
            let undo: [String: Any] = [
                "id": "\(frank)/undo/\(run)", "type": "Undo", "actor": frank,
                "object": ["id": "\(frank)/likes/\(run)", "type": "Like", "actor": frank, "object": articleID] as [String: Any],
            ]
            #expect(try await peer.send(as: "frank", to: server.base + "/ap/inbox", undo) == 202)
            #expect(try await server.waitUntil(timeout: 60) { try await server.get(path).text.contains("One blogger likes this.") })
        }
        await server.stop()
    }
}
