import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation
import Testing

/// A fediverse reply shows its author's icon, as a copy the blog made and serves itself; a bad icon leaves the
/// generated face.
@Suite struct FediverseFacesTests {
    /// The `src` of the avatar in the comment `id`'s markup.
    static func avatar(_ page: String, comment id: Int) -> String? {
        guard let start = page.range(of: "<li id=\"comment-\(id)\"") else { return nil }
        let rest = page[start.upperBound...]
        guard let img = rest.range(of: "<img class=\"avatar u-photo\" src=\"") else { return nil }
        return rest[img.upperBound...].split(separator: "\"", maxSplits: 1).first.map(String.init)
    }

    @Test(
        "a reply from the fediverse shows its author's icon, fetched once and served by the blog; a bad icon falls back",
        arguments: TestDatabase.allCases)
    func remoteFaces(_ kind: TestDatabase) async throws {
        let server = try await FediverseTests.server(kind)
        let peer = try await FediversePeer.shared(.actors)
        let run = UUID().uuidString.lowercased()
        try await LinkbackPeerTests.stopping([server]) {
            let (_, article, _) = try await FediverseTests.json(server, "/2024/05/01/notes-on-the-engine/")
            let articleID = article["id"] as? String ?? ""
            for name in ["bob", "claire"] {
                let actor = peer.base + "/" + name
                let note: [String: Any] = [
                    "id": "\(actor)/faces/\(run)", "type": "Note", "attributedTo": actor, "inReplyTo": articleID,
                    "content": "<p>Hello from \(name) \(run)</p>", "to": ["https://www.w3.org/ns/activitystreams#Public"],
                ]
                let create: [String: Any] = ["id": "\(actor)/faces/\(run)/create", "type": "Create", "actor": actor, "object": note]
                #expect(try await peer.send(as: name, to: server.base + "/ap/inbox", create) == 202)
            }
            var comments: [[String: Any]] = []
            #expect(
                try await server.waitUntil(timeout: 60) {
                    comments = try await server.jsonLines(["comment", "list", "--status", "pending", "--status", "approved", "--json"])
                    return comments.count == 2
                }, "\(server.logText.suffix(3000))")
            for comment in comments where comment["status"] as? String != "approved" {
                #expect(try await server.run(["comment", "approve", String(comment["id"] as? Int ?? 0)]).status == 0)
            }
            func id(_ name: String) -> Int {
                comments.first { ($0["url"] as? String ?? "").hasSuffix("/" + name) }?["id"] as? Int ?? 0
            }
            let page = try await server.get("/2024/05/01/notes-on-the-engine/").text
            // bob's icon, as the blog's own copy: not the other server's address.
            let bobFace = try #require(Self.avatar(page, comment: id("bob")), "\(page)")
            #expect(bobFace.hasPrefix(server.base + "/faces/"), "\(bobFace)")
            let image = try await DreyServer.client.fetch(FetchRequest(url: bobFace))
            #expect(image.status == 200)
            let type = image.header("Content-Type") ?? ""
            #expect(type == "image/webp" || type == "image/png", "\(type)")
            // Re-encoded: not the bytes bob's server sent.
            let original = try await DreyServer.client.fetch(FetchRequest(url: peer.base + "/_icons/bob.png"))
            #expect(!image.body.isEmpty && image.body != original.body)
            // claire's icon address answers HTML: her comment keeps the blog's generated face.
            let claireFace = try #require(Self.avatar(page, comment: id("claire")))
            #expect(claireFace.hasPrefix(server.base + "/avatar/") && claireFace.hasSuffix(".svg"), "\(claireFace)")
            #expect(!page.contains(peer.base + "/_icons/"))
        }
        await server.stop()
    }
}
