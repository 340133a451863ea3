import DreyCore
import Foundation
import SQLKit

/// What an operator's probes read: whether the database answers, and how the job queue stands.
extension SQLStore {
    /// A round trip to the database.
    public func ping() async throws {
        try await read { db in _ = try await db.raw("SELECT 1 AS one").first() }
    }

    /// Jobs by kind and state, for the states an operator watches (waiting, running, failed and kept for a look).
    public func jobCounts() async throws -> [(kind: String, state: String, count: Int)] {
        try await read { db in
            try await db.raw(
                "SELECT kind, state, COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'running', 'failed') GROUP BY kind, state ORDER BY kind, state"
            ).all().map { (try $0.string("kind"), try $0.string("state"), try $0.int("n")) }
        }
    }
}
