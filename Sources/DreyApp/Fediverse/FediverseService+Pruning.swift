import DreyCore
import Foundation

extension FediverseService {
    /// How long a remote actor who replied or reacted is remembered after their last reply or reaction; followers are
    /// kept as long as they follow.
    static let actorRetention: TimeInterval = 90 * 86400

    /// Remote actors are kept only for followers and recent commenters: the queue's housekeeping forgets the rest.
    func registerPruning() {
        jobs.addChore { [service = self] in try await service.pruneActors() }
    }

    @discardableResult
    func pruneActors() async throws -> Int {
        let now = clock.now()
        let gone = try await store.pruneRemoteActors(
            since: now.addingTimeInterval(-Self.actorRetention), fetchedBefore: now.addingTimeInterval(-86400))
        if let folder = facesDirectory {
            for (_, face) in gone where !face.isEmpty { try? FileManager.default.removeItem(at: folder.appendingPathComponent(face)) }
        }
        if !gone.isEmpty { logger.info("forgot \(gone.count) remote actor(s) no longer following, replying or reacting") }
        return gone.count
    }
}
