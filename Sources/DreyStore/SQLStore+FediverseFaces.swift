import DreyCore
import Foundation
import SQLKit

extension SQLStore {
    /// The local face of a remote actor and the icon address it was made from ("" when none was made).
    public func remoteActorFace(uri: String) async throws -> (face: String, icon: String)? {
        try await read { db in
            guard let row = try await db.raw("SELECT face, face_icon FROM fedi_remote_actors WHERE uri = \(bind: uri)").first() else {
                return nil
            }
            return (try row.string("face"), try row.string("face_icon"))
        }
    }

    public func setRemoteActorFace(uri: String, face: String, icon: String) async throws {
        try await write { db in
            try await db.raw("UPDATE fedi_remote_actors SET face = \(bind: face), face_icon = \(bind: icon) WHERE uri = \(bind: uri)").run()
        }
    }

    /// The local faces of the remote actors who wrote these comments (fediverse replies), by comment ID.
    public func fediverseFaces(commentIDs: [Int64]) async throws -> [Int64: String] {
        guard !commentIDs.isEmpty else { return [:] }
        return try await read { db in
            let rows = try await db.raw(
                """
                SELECT n.comment_id, a.face FROM fedi_notes n JOIN fedi_remote_actors a ON a.uri = n.actor_uri
                WHERE a.face <> '' AND n.comment_id IN (\(binds: commentIDs))
                """
            ).all()
            var faces: [Int64: String] = [:]
            for row in rows { faces[try row.int64("comment_id")] = try row.string("face") }
            return faces
        }
    }
}

extension SQLStore {
    /// The fediverse accounts that like a post, oldest like first, with what the blog keeps of them (a pruned actor
    /// has only its address).
    public func fediverseLikers(postID: Int64, limit: Int) async throws -> [FediverseLiker] {
        try await read { db in
            try await db.raw(
                """
                SELECT r.remote_uri, COALESCE(a.name, '') AS name, COALESCE(a.handle, '') AS handle, COALESCE(a.url, '') AS url,
                       COALESCE(a.face, '') AS face
                FROM fedi_reactions r LEFT JOIN fedi_remote_actors a ON a.uri = r.remote_uri
                WHERE r.post_id = \(bind: postID) AND r.kind = 'like' ORDER BY r.created_at, r.id LIMIT \(literal: limit)
                """
            ).all().map { row in
                FediverseLiker(
                    uri: try row.string("remote_uri"), name: try row.string("name"), handle: try row.string("handle"),
                    url: try row.string("url"), face: try row.string("face"))
            }
        }
    }
}

/// One fediverse account that likes a post.
public struct FediverseLiker: Sendable {
    public var uri: String
    public var name: String
    /// `user@host`, or "" when unknown.
    public var handle: String
    /// Their profile page, as their server gave it (not checked).
    public var url: String
    /// Their face in the faces folder, or "".
    public var face: String
}
