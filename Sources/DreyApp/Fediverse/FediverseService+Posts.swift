import DreyCore
import DreyJobs
import Foundation

struct PostFederationJob: Codable, Sendable {
    var siteID: Int64
    var postID: Int64
}

extension FediverseService {
    static let postKind = "ap.post"
    /// A post first published longer ago than this is not sent out when edited: only news goes to followers.
    static let freshness: TimeInterval = 24 * 3600

    /// Queued in the write's transaction; what to send is decided when the job runs, from the post as it is then.
    func postChanged(siteID: Int64, postID: Int64) async throws {
        guard registry.site(id: siteID)?.settings.fediverseEnabled == true else { return }
        // Most blogs have nobody following them on the fediverse: their posts need no job at all.
        if try await store.followerCount(siteID: siteID, actor: nil) == 0, !(try await store.isFederated(postID: postID)) { return }
        try await jobs.enqueue(Self.postKind, PostFederationJob(siteID: siteID, postID: postID), siteID: siteID, dedupeKey: "ap.post:\(postID)")
    }

    func registerPostJobs() {
        let service = self
        jobs.register(Self.postKind) { try await service.runPostFederation($0) }
    }

    func runPostFederation(_ job: Job) async throws {
        let ref = try job.decode(PostFederationJob.self)
        guard let site = registry.site(id: ref.siteID), site.settings.fediverseEnabled else { return }
        let now = clock.now()
        let post = try await store.post(id: ref.postID, siteID: site.id)
        let visible = post.map { Self.federates($0, now: now) } ?? false
        let federated = try await store.isFederated(postID: ref.postID)
        let ids = FediverseIDs(site: site)
        if let post, visible {
            let by = try await attributedActor(site, post: post)
            let article = FediverseDocuments.article(try await articleFacts(site, post: post), site: site, ids: ids, authorActor: by)
            let inboxes = try await store.deliveryInboxes(siteID: site.id, actors: by == .blog ? [.blog] : [by, .blog])
            if federated {
                var update = create(article, site: site, actor: by)
                update["type"] = "Update"
                update["id"] = ids.object(post.id) + "#update-\(Int(post.modifiedAt.timeIntervalSince1970))"
                try await deliver(update, site: site, from: by, to: inboxes)
                return
            }
            guard post.publishedAt > now.addingTimeInterval(-Self.freshness) else { return }
            try await store.markFederated(postID: post.id, siteID: site.id, deleted: false, now: now)
            try await deliver(create(article, site: site, actor: by), site: site, from: by, to: inboxes)
            if by != .blog {
                let announce: JSONObject = [
                    "@context": FediverseJSON.activityStreams, "id": ids.object(post.id) + "#announce", "type": "Announce",
                    "actor": ids.actor(.blog), "published": FediverseDocuments.iso(post.publishedAt), "object": ids.object(post.id),
                    "to": [FediverseJSON.publicAudience], "cc": [ids.url(.followers(.blog)), ids.actor(by)],
                ]
                try await deliver(announce, site: site, from: .blog, to: try await store.deliveryInboxes(siteID: site.id, actors: [.blog]))
            }
        } else if federated {
            // Trashed, unpublished, protected or deleted: followers' servers drop their copy.
            var by = FediverseActor.blog
            if let post { by = try await attributedActor(site, post: post) }
            let delete: JSONObject = [
                "@context": FediverseJSON.activityStreams, "id": ids.object(ref.postID) + "#delete-\(Int(now.timeIntervalSince1970))",
                "type": "Delete", "actor": ids.actor(by), "to": [FediverseJSON.publicAudience],
                "object": ["id": ids.object(ref.postID), "type": "Tombstone"] as JSONObject,
            ]
            let inboxes = try await store.deliveryInboxes(siteID: site.id, actors: by == .blog ? [.blog] : [by, .blog])
            try await store.markFederated(postID: ref.postID, siteID: site.id, deleted: true, now: now)
            try await deliver(delete, site: site, from: by, to: inboxes)
        }
    }
}
