import DreyCore
import Foundation

/// A delivery that gave up, for the admin to see and send again.
public struct FailedDelivery: Sendable {
    public var jobID: Int64
    public var inbox: String
    public var activityType: String
    public var error: String
    public var failedAt: Date
}

extension FediverseService {
    public func followers(_ site: Site, limit: Int = 200) async throws -> [(Follower, RemoteActor?)] {
        var rows: [(Follower, RemoteActor?)] = []
        for follower in try await store.followers(siteID: site.id, actor: nil, limit: limit, offset: 0) {
            rows.append((follower, try await store.remoteActor(uri: follower.remoteURI)))
        }
        return rows
    }

    public func followerCount(_ site: Site) async throws -> Int { try await store.followerCount(siteID: site.id, actor: nil) }

    public func blocks(_ site: Site) async throws -> [(BlockKind, String)] { try await store.blocks(siteID: site.id) }

    /// Blocks a server (by host name) or one actor (by id); what they send is refused before any work, and the
    /// follows they had end.
    public func block(_ site: Site, kind: BlockKind, value raw: String) async throws {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        switch kind {
        case .domain:
            let host = value.lowercased().hasPrefix("@") ? String(value.lowercased().dropFirst()) : value.lowercased()
            guard !host.isEmpty, host.count <= 253, !host.contains("/"), !host.contains(" "), URLComponents(string: "https://\(host)/")?.host != nil
            else { throw SettingError("A server is blocked by its host name, such as spam.example.") }
            try await store.addBlock(siteID: site.id, kind: .domain, value: host, now: clock.now())
        case .actor:
            guard let url = URLComponents(string: value), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw SettingError("An account is blocked by its address (its actor id), such as https://spam.example/users/someone.")
            }
            try await store.addBlock(siteID: site.id, kind: .actor, value: value, now: clock.now())
        }
        let blocks = try await store.blocks(siteID: site.id)
        let gone = try await store.followers(siteID: site.id, actor: nil, limit: 100_000, offset: 0).filter {
            Self.isBlocked($0.remoteURI, blocks)
        }
        if !gone.isEmpty {
            try await changes.commit(siteID: site.id, .settings) { [store] in
                for follower in gone { _ = try await store.removeFollower(siteID: site.id, actor: follower.actor, remoteURI: follower.remoteURI) }
            }
        }
    }

    public func unblock(_ site: Site, kind: BlockKind, value: String) async throws {
        try await store.removeBlock(siteID: site.id, kind: kind, value: value)
    }

    public func failedDeliveries(_ site: Site, limit: Int = 100) async throws -> [FailedDelivery] {
        try await jobs.store.jobs(state: .failed, kind: Kind.deliver, limit: limit, offset: 0).filter { $0.siteID == site.id }.compactMap { job in
            guard let d = try? job.decode(DeliveryJob.self) else { return nil }
            let type = (FediverseJSON.parse(Array(d.body.utf8))?["type"] as? String) ?? "?"
            return FailedDelivery(jobID: job.id, inbox: d.inbox, activityType: type, error: job.lastError, failedAt: job.updatedAt)
        }
    }

    /// Sends a failed delivery again, with fresh attempts; false when it is not a failed delivery of this site.
    public func retryDelivery(_ site: Site, jobID: Int64) async throws -> Bool {
        guard let job = try await jobs.store.job(id: jobID), job.kind == Kind.deliver, job.siteID == site.id else { return false }
        return try await jobs.store.retry(jobID: jobID, now: clock.now())
    }
}
