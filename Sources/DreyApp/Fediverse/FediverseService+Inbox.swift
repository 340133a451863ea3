import DreyCore
import DreyJobs
import Foundation

/// What the inbox answers at once; the work itself is a job.
public enum InboxOutcome: Sendable, Equatable {
    case accepted
    case refused(status: Int, reason: String)
}

struct InboxJob: Codable, Sendable {
    var siteID: Int64
    var signer: String
    var body: String
}

extension FediverseService {
    /// The largest activity accepted; Mastodon's own limit is the same order.
    public static let maxInboxBytes = 1 << 20

    /// Checks a POST to an inbox (blocks, signature, date, digest, replays) and queues its work; answers at once.
    public func receive(_ site: Site, request: SignedRequest) async throws -> InboxOutcome {
        guard site.settings.fediverseEnabled else { return .refused(status: 404, reason: "This blog is not on the fediverse.") }
        let now = clock.now()
        let parsed: ParsedSignature
        do {
            parsed = try HTTPSignatures.parse(request, now: now)
        } catch let error as SignatureError {
            return .refused(status: 401, reason: error.description)
        }
        let blocks = try await store.blocks(siteID: site.id)
        if Self.isBlocked(parsed.keyID, blocks) { return .refused(status: 403, reason: "Blocked.") }
        guard let activity = FediverseJSON.parse(request.body), let type = activity["type"] as? String,
            let actorURI = Self.id(activity["actor"]), URLComponents(string: actorURI)?.host != nil
        else { return .refused(status: 400, reason: "The body is not an ActivityPub activity.") }
        if Self.isBlocked(actorURI, blocks) { return .refused(status: 403, reason: "Blocked.") }

        guard let signer = try await signerVerifying(parsed, site: site) else {
            // The server of a deleted account cannot show its key any more: nothing to do for it anyway.
            if type == "Delete", Self.id(activity["object"]) == actorURI { return .accepted }
            return .refused(status: 401, reason: "The signature does not verify.")
        }
        guard Self.sameOrigin(signer.uri, actorURI) else { return .refused(status: 401, reason: "The signer is not the activity's actor.") }
        if parsed.form == .rfc9421, let host = URLComponents(string: signer.uri)?.host { try await store.markHostRFC9421(host) }
        if let id = activity["id"] as? String, !(try await store.markSeen(siteID: site.id, activityID: id, now: now)) {
            return .accepted  // a replay: done already
        }
        try await jobs.enqueue(
            Kind.inbox, InboxJob(siteID: site.id, signer: signer.uri, body: String(decoding: request.body, as: UTF8.self)), siteID: site.id)
        return .accepted
    }

    /// The remote actor whose key made the signature, refetched once when the cached key fails (keys rotate).
    func signerVerifying(_ parsed: ParsedSignature, site: Site) async throws -> RemoteActor? {
        if let cached = try await store.remoteActor(keyID: parsed.keyID), HTTPSignatures.verify(parsed, publicPEM: cached.publicPEM) {
            return cached
        }
        let owner = parsed.keyID.split(separator: "#", maxSplits: 1).first.map(String.init) ?? parsed.keyID
        guard let fresh = try? await fetchActor(site, uri: owner), fresh.keyID == parsed.keyID,
            HTTPSignatures.verify(parsed, publicPEM: fresh.publicPEM)
        else { return nil }
        return fresh
    }

    /// Fetches (signed by the application actor, for servers in secure mode) and caches a remote actor.
    public func fetchActor(_ site: Site, uri: String) async throws -> RemoteActor? {
        let response = try await signedFetch(site, actor: .application, url: uri, body: nil)
        guard response.status == 200, let doc = FediverseJSON.parse(response.body), let id = doc["id"] as? String else { return nil }
        // Some key URLs are documents of their own (`{"id": key, "owner": actor}`): follow them to the actor once.
        if doc["publicKeyPem"] != nil, let owner = doc["owner"] as? String, owner != uri {
            return try await fetchActor(site, uri: owner)
        }
        guard Self.sameOrigin(id, uri) else { return nil }
        let key = doc["publicKey"] as? JSONObject ?? (doc["publicKey"] as? [JSONObject])?.first ?? [:]
        let endpoints = doc["endpoints"] as? JSONObject ?? [:]
        let host = URLComponents(string: id)?.host ?? ""
        let icon = (doc["icon"] as? JSONObject).flatMap { Self.id($0["url"]) } ?? ""
        let actor = RemoteActor(
            uri: id, keyID: key["id"] as? String ?? "", publicPEM: key["publicKeyPem"] as? String ?? "",
            inbox: doc["inbox"] as? String ?? "", sharedInbox: endpoints["sharedInbox"] as? String ?? "",
            name: doc["name"] as? String ?? "", handle: (doc["preferredUsername"] as? String).map { "\($0)@\(host)" } ?? "",
            url: Self.id(doc["url"]) ?? id, icon: icon, fetchedAt: clock.now())
        try await store.saveRemoteActor(actor)
        return actor
    }

    /// The actor, cached when fresh enough.
    func remoteActor(_ site: Site, uri: String) async throws -> RemoteActor? {
        if let cached = try await store.remoteActor(uri: uri), cached.fetchedAt > clock.now().addingTimeInterval(-86400) { return cached }
        if let fresh = try await fetchActor(site, uri: uri) { return fresh }
        return try await store.remoteActor(uri: uri)
    }

    static func id(_ value: Any?) -> String? {
        if let s = value as? String { return s }
        if let o = value as? JSONObject { return o["id"] as? String ?? o["href"] as? String }
        if let a = value as? [Any] { return a.lazy.compactMap { id($0) }.first }
        return nil
    }

    static func sameOrigin(_ a: String, _ b: String) -> Bool {
        guard let x = URLComponents(string: a), let y = URLComponents(string: b) else { return false }
        return x.host?.lowercased() == y.host?.lowercased() && x.port == y.port && x.host != nil
    }

    static func isBlocked(_ uri: String, _ blocks: [(BlockKind, String)]) -> Bool {
        let bare = uri.split(separator: "#", maxSplits: 1).first.map(String.init) ?? uri
        let host = URLComponents(string: bare)?.host?.lowercased() ?? ""
        return blocks.contains { kind, value in
            switch kind {
            case .actor: return value == bare
            case .domain:
                let v = value.lowercased()
                return host == v || host.hasSuffix("." + v)
            }
        }
    }

    // MARK: The work

    func runInbox(_ job: Job) async throws {
        let j = try job.decode(InboxJob.self)
        guard let site = registry.site(id: j.siteID), let activity = FediverseJSON.parse(Array(j.body.utf8)) else { return }
        try await handle(activity, site: site, signer: j.signer)
    }

    func handle(_ activity: JSONObject, site: Site, signer: String) async throws {
        let ids = FediverseIDs(site: site)
        let type = activity["type"] as? String ?? ""
        let actorURI = Self.id(activity["actor"]) ?? signer
        let activityID = activity["id"] as? String ?? ""
        let object = activity["object"]
        switch type {
        case "Follow":
            guard let target = Self.id(object), let ours = localActor(target, ids: ids), try await actorDocument(site, ours) != nil,
                let follower = try await remoteActor(site, uri: actorURI)
            else { return }
            let record = Follower(
                siteID: site.id, actor: ours, remoteURI: follower.uri, inbox: follower.deliveryInbox, followID: activityID, createdAt: clock.now())
            // Post pages say how many follow the blog.
            try await changes.commit(siteID: site.id, .settings) { [store] in try await store.addFollower(record) }
            var followObject = activity
            followObject["@context"] = nil
            let accept: JSONObject = [
                "@context": FediverseJSON.activityStreams, "id": ids.actor(ours) + "#accepts/\(UUID().uuidString.lowercased())",
                "type": "Accept", "actor": ids.actor(ours), "object": followObject,
            ]
            try await deliver(accept, site: site, from: ours, to: [follower.inbox.isEmpty ? follower.deliveryInbox : follower.inbox])
        case "Undo":
            let inner = object as? JSONObject ?? [:]
            // Only what the same actor did can be undone by them.
            guard (Self.id(inner["actor"]) ?? actorURI) == actorURI else { return }
            let innerType = inner["type"] as? String ?? ""
            switch innerType {
            case "Follow":
                if let target = Self.id(inner["object"]), let ours = localActor(target, ids: ids) {
                    try await changes.commit(siteID: site.id, .settings) { [store] in
                        try await store.removeFollower(siteID: site.id, actor: ours, remoteURI: actorURI)
                    }
                }
            case "Like", "Announce":
                let target = Self.id(inner["object"])
                let postID = target.flatMap { self.postID($0, ids: ids) }
                if try await store.removeReaction(
                    postID: postID, kind: innerType == "Like" ? .like : .announce, remoteURI: actorURI, activityID: nil)
                {
                    try await reactionsChanged(site, postID: postID)
                }
            default:
                // `Undo` naming only the id of what it undoes.
                if let innerID = Self.id(object) {
                    for kind in ReactionKind.allCases {
                        if try await store.removeReaction(postID: nil, kind: kind, remoteURI: actorURI, activityID: innerID) {
                            try await reactionsChanged(site, postID: nil)
                        }
                    }
                }
            }
        case "Like", "Announce":
            guard let target = Self.id(object), let postID = postID(target, ids: ids),
                let post = try await store.post(id: postID, siteID: site.id), Self.federates(post, now: clock.now())
            else { return }
            // Their face is made before the page showing it refreshes.
            if let liker = try await remoteActor(site, uri: actorURI) { await refreshFace(site, actor: liker) }
            if try await store.addReaction(
                siteID: site.id, postID: postID, kind: type == "Like" ? .like : .announce, remoteURI: actorURI, activityID: activityID,
                now: clock.now())
            {
                try await reactionsChanged(site, postID: postID)
            }
        case "Delete":
            if Self.id(object) == actorURI {
                try await changes.commit(siteID: site.id, .settings) { [store] in
                    try await store.removeFollows(remoteURI: actorURI)
                    try await store.removeReactions(remoteURI: actorURI)
                    try await store.deleteRemoteActor(uri: actorURI)
                }
            } else if let noteID = Self.id(object) {
                try await deleteReply(site, noteID: noteID, actorURI: actorURI)
            }
        case "Create", "Update":
            guard let note = object as? JSONObject else { return }
            try await receiveReply(site, note: note, actorURI: actorURI, isUpdate: type == "Update")
        default:
            return
        }
    }

    func localActor(_ uri: String, ids: FediverseIDs) -> FediverseActor? {
        guard uri.hasPrefix(ids.base), case .actor(let actor)? = FediverseRoute.match(String(uri.dropFirst(ids.base.count))),
            actor != .application
        else { return nil }
        return actor
    }

    func postID(_ uri: String, ids: FediverseIDs) -> Int64? {
        guard uri.hasPrefix(ids.base), case .object(let postID)? = FediverseRoute.match(String(uri.dropFirst(ids.base.count))) else {
            return nil
        }
        return postID
    }

    func reactionsChanged(_ site: Site, postID: Int64?) async throws {
        try await changes.record(siteID: site.id, postID.map { .comments(onPosts: [$0]) } ?? .settings)
    }
}
