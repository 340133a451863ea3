import DreyCore
import Foundation
import SQLKit

extension SQLStore {
    /// Forgets remote actors nobody here needs any more: not following any actor of any site, with no reaction since
    /// `since` and no reply (a comment) since `since`, and not fetched after `fetchedBefore` (an actor fetched to check
    /// a signature may have its activity still waiting in the queue). Returns the URIs deleted, with their local faces.
    public func pruneRemoteActors(since: Date, fetchedBefore: Date) async throws -> [(uri: String, face: String)] {
        try await write { db in
            let rows = try await db.raw(
                """
                DELETE FROM fedi_remote_actors
                WHERE fetched_at < \(bind: fetchedBefore.storable)
                  AND NOT EXISTS (SELECT 1 FROM fedi_followers f WHERE f.remote_uri = fedi_remote_actors.uri)
                  AND NOT EXISTS (
                    SELECT 1 FROM fedi_reactions r WHERE r.remote_uri = fedi_remote_actors.uri AND r.created_at >= \(bind: since.storable))
                  AND NOT EXISTS (
                    SELECT 1 FROM fedi_notes n JOIN comments c ON c.id = n.comment_id
                    WHERE n.actor_uri = fedi_remote_actors.uri AND c.created_at >= \(bind: since.storable))
                RETURNING uri, face
                """
            ).all()
            return try rows.map { (try $0.string("uri"), try $0.string("face")) }
        }
    }
}
