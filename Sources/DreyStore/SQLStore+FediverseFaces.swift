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
