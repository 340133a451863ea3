import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation
import Testing

/// bovine-herd as the remote server, in secure mode, over https with a self-signed certificate that only this test's
/// `drey serve` trusts (`DREY_FETCH_CA_FILE`): its actors answer unsigned GETs with 401 and its inboxes take only
/// what verifies, so every fetch of ours must be signed and every delivery must verify.
@Suite struct FediverseBovineTests {
    @Test(
        "a bovine user follows the blog through its outbox and gets the Accept, then the next post as a Create(Article)",
        arguments: TestDatabase.allCases)
    func bovineFollows(_ kind: TestDatabase) async throws {
        let peer = try await BovinePeer.shared()
        let server = try await FediverseTests.server(kind, environment: ["DREY_FETCH_CA_FILE": peer.certificate])
        let run = UUID().uuidString.lowercased()
        try await LinkbackPeerTests.stopping([server]) {
            let blog = server.base + "/ap/blog"
            let followed = try await peer.command(["follow", blog])
            let alice = followed["actor"] as? String ?? ""
            #expect(alice.hasPrefix(peer.base + "/"), "\(followed)")
            #expect((200..<300).contains(followed["status"] as? Int ?? 0), "\(followed)")
            // Secure mode: alice's actor is not shown to an unsigned fetch, so ours were signed.
            #expect(try await peer.command(["get", alice])["status"] as? Int == 401)

            func objectID(_ value: Any?) -> String? { (value as? [String: Any])?["id"] as? String ?? value as? String }
            // The Accept is in alice's inbox only if bovine verified our signature on it.
            let accept = try await peer.waitForInbox { item in
                item["type"] as? String == "Accept" && objectID(item["actor"]) == blog
            }
            #expect(accept != nil, "\(peer.logText.suffix(3000))\n\(server.logText.suffix(3000))")
            #expect(
                try await server.waitUntil(timeout: 30) {
                    try await server.get("/2024/05/01/notes-on-the-engine/").text.contains("1 person follows this blog on the fediverse:")
                })

            let title = "Punched cards \(run)"
            #expect(try await server.run(["post", "new", "--title", title, "--file", try LinkbackPeerTests.writeFile("Cards.")]).status == 0)
            let create = try await peer.waitForInbox { item in
                guard item["type"] as? String == "Create", let article = item["object"] as? [String: Any] else { return false }
                return article["type"] as? String == "Article" && article["name"] as? String == title
            }
            #expect(create != nil, "\(peer.logText.suffix(3000))\n\(server.logText.suffix(3000))")
            #expect(objectID((create?["object"] as? [String: Any])?["attributedTo"]) == objectID(create?["actor"]))
        }
        await server.stop()
    }

    @Test("an extra trust file that cannot be read stops drey at start with a clear message")
    func unreadableTrustFile() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("drey-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let missing = data + "/no-such-ca.pem"
        let result = try await DreyBinary.run(["jobs", "run"], data: data, env: ["DREY_FETCH_CA_FILE": missing])
        #expect(result.status != 0)
        #expect(result.err.contains("DREY_FETCH_CA_FILE: \(missing) cannot be read"), "\(result.err)")
    }
}
