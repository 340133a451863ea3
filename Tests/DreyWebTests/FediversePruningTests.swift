import DreyCore
import DreyStore
import DreyTestSupport
import Foundation
import SQLKit
import Testing

/// Remote actors are kept for followers and recent commenters only: the queue's housekeeping forgets the rest.
@Suite struct FediversePruningTests {
    static func remoteActors(_ server: DreyServer) async throws -> Set<String> {
        Set(try await faces(server).keys)
    }

    /// The remote actors the blog keeps, with the file names of their faces ("" for none).
    static func faces(_ server: DreyServer) async throws -> [String: String] {
        let database = try await Database.open(
            sqlitePath: (server.data as NSString).appendingPathComponent("drey.sqlite"), url: server.location.databaseURL,
            logger: TestBlog.quietLogger)
        let rows = try await database.withSQL { db in try await db.raw("SELECT uri, face FROM fedi_remote_actors").all() }
        await database.close()
        var faces: [String: String] = [:]
        for row in rows { faces[try row.decode(column: "uri", as: String.self)] = try row.decode(column: "face", as: String.self) }
        return faces
    }

    @Test("an actor who only liked long ago is forgotten; a follower and a recent liker are kept", arguments: TestDatabase.allCases)
    func pruneActors(_ kind: TestDatabase) async throws {
        let server = try await FediverseTests.server(kind)
        let peer = try await FediversePeer.shared(.actors)
        let run = UUID().uuidString.lowercased()
        try await LinkbackPeerTests.stopping([server]) {
            let (_, article, _) = try await FediverseTests.json(server, "/2024/05/01/notes-on-the-engine/")
            let articleID = article["id"] as? String ?? ""
            let (frank, bob, claire) = (peer.base + "/frank", peer.base + "/bob", peer.base + "/claire")
            let follow: [String: Any] = ["id": "\(frank)/follows/\(run)", "type": "Follow", "actor": frank, "object": server.base + "/ap/blog"]
            #expect(try await peer.send(as: "frank", to: server.base + "/ap/inbox", follow) == 202)
            for (name, actor) in [("bob", bob), ("claire", claire)] {
                let like: [String: Any] = ["id": "\(actor)/likes/\(run)", "type": "Like", "actor": actor, "object": articleID]
                #expect(try await peer.send(as: name, to: server.base + "/ap/inbox", like) == 202)
            }
            #expect(
                try await server.waitUntil(timeout: 60) {
                    let likes = try await FediverseTests.json(server, articleID + "/likes").1["totalItems"] as? Int
                    let followers = try await FediverseTests.json(server, "/ap/blog/followers").1["totalItems"] as? Int
                    return likes == 2 && followers == 1
                }, "\(server.logText.suffix(3000))")
            #expect(try await Self.remoteActors(server).isSuperset(of: [frank, bob, claire]))
            // bob's icon became a face in the faces folder when he liked.
            let bobFace = try await Self.faces(server)[bob] ?? ""
            #expect(!bobFace.isEmpty)
            let faceFile = (server.data as NSString).appendingPathComponent("uploads/reader-faces/" + bobFace)
            #expect(FileManager.default.fileExists(atPath: faceFile))

            // A hundred days pass for bob's like; every actor was fetched two days ago.
            try await ReaderEmailSignInTests.sql(
                server, "UPDATE fedi_reactions SET created_at = \(bind: Date().addingTimeInterval(-100 * 86400)) WHERE remote_uri = \(bind: bob)")
            try await ReaderEmailSignInTests.sql(
                server, "UPDATE fedi_remote_actors SET fetched_at = \(bind: Date().addingTimeInterval(-2 * 86400))")
            // `drey jobs run` does the queue's housekeeping, as the workers do every hour.
            #expect(try await server.run(["jobs", "run"]).status == 0)
            let kept = try await Self.remoteActors(server)
            #expect(!kept.contains(bob))
            // His face goes with him.
            #expect(!FileManager.default.fileExists(atPath: faceFile))
            #expect(kept.isSuperset(of: [frank, claire]))
            // bob's like still counts: only his cached profile is gone, and a new activity from him fetches it again.
            #expect(try await FediverseTests.json(server, articleID + "/likes").1["totalItems"] as? Int == 2)
        }
        await server.stop()
    }
}
