import DreyCore
import DreyJobs
import Foundation

/// One signed POST of one activity to one inbox, as a job of its own: retried with the queue's backoff, twice as many
/// times as other jobs (with the default backoff, about two days), and independent of every other inbox, so one slow
/// or dead server holds up nobody else.
struct DeliveryJob: Codable, Sendable {
    var siteID: Int64
    var actor: String
    var inbox: String
    var body: String
}

extension FediverseService {
    enum Kind {
        static let deliver = "ap.deliver"
        static let inbox = "ap.inbox"
    }

    func registerJobs() {
        let service = self
        jobs.register(Kind.deliver) { try await service.runDelivery($0) }
        jobs.register(Kind.inbox) { try await service.runInbox($0) }
        registerPostJobs()
        registerPruning()
        // Replays older than the Date window are refused by the signature check: their ids need not be kept longer.
        jobs.addChore { [store, clock] in
            try await store.pruneSeen(before: clock.now().addingTimeInterval(-2 * HTTPSignatures.maxSkew))
            return 0
        }
    }

    /// Queues `activity` for each inbox (shared inboxes come first from the store), one job each.
    func deliver(_ activity: JSONObject, site: Site, from actor: FediverseActor, to inboxes: [String]) async throws {
        let body = String(decoding: FediverseJSON.data(activity), as: UTF8.self)
        let id = activity["id"] as? String ?? UUID().uuidString
        for inbox in inboxes where !inbox.isEmpty {
            try await jobs.enqueue(
                Kind.deliver, DeliveryJob(siteID: site.id, actor: actor.key, inbox: inbox, body: body), siteID: site.id,
                dedupeKey: "ap:\(id):\(inbox)", maxAttempts: 2 * jobs.settings.maxAttempts)
        }
    }

    func runDelivery(_ job: Job) async throws {
        let d = try job.decode(DeliveryJob.self)
        guard let site = registry.site(id: d.siteID), let actor = FediverseActor(key: d.actor) else {
            throw JobFailure.permanent("the site or actor is gone")
        }
        let host = URLComponents(string: d.inbox)?.host ?? ""
        // A server failing again and again is left alone for a while (its circuit is open): its jobs wait their turn
        // without knocking.
        if let until = try await store.hostPausedUntil(host, now: clock.now()) {
            throw JobFailure.transient("\(host) failed \(Self.circuitThreshold) times in a row; paused until \(FediverseDocuments.iso(until))")
        }
        let response: FetchResponse
        do {
            response = try await signedFetch(site, actor: actor, url: d.inbox, body: Array(d.body.utf8))
        } catch let error as FetchError {
            try await hostFailed(host)
            throw JobFailure.transient(error.description)
        }
        switch response.status {
        case 200..<300:
            try await store.recordHostSuccess(host)
        case 410:
            // The inbox is gone for good, and with it whoever received there.
            let removed = try await store.removeFollowers(siteID: site.id, inbox: d.inbox)
            logger.info("inbox gone (410): removed \(removed) followers", metadata: ["inbox": "\(d.inbox)"])
        case 401, 408, 429, 500...:
            if response.status >= 500 || response.status == 429 { try await hostFailed(host) }
            throw JobFailure.transient("the inbox answered \(response.status)")
        default:
            throw JobFailure.permanent("the inbox answered \(response.status)")
        }
    }

    /// Failures in a row that pause a host, and for how long.
    static let circuitThreshold = 10
    static let circuitPause: TimeInterval = 600

    func hostFailed(_ host: String) async throws {
        try await store.recordHostFailure(host, threshold: Self.circuitThreshold, pauseUntil: clock.now().addingTimeInterval(Self.circuitPause))
    }

    /// A request signed by one of our actors: a POST of `body`, or a GET when there is none. Hosts that signed to us
    /// with RFC 9421 get RFC 9421; everyone else draft-cavage, which every server reads.
    func signedFetch(_ site: Site, actor: FediverseActor, url: String, body: [UInt8]?) async throws -> FetchResponse {
        let ids = FediverseIDs(site: site)
        let key = try await key(site, actor)
        let method = body == nil ? "GET" : "POST"
        let host = URLComponents(string: url)?.host ?? ""
        let modern = try await store.hostAcceptsRFC9421(host)
        var headers =
            modern
            ? try HTTPSignatures.rfc9421Headers(
                method: method, url: url, body: body, keyID: ids.keyID(actor), privatePEM: key.privatePEM, now: clock.now())
            : try HTTPSignatures.cavageHeaders(
                method: method, url: url, body: body, keyID: ids.keyID(actor), privatePEM: key.privatePEM, now: clock.now())
        headers.removeAll { $0.0 == "Host" }
        if body != nil {
            headers.append(("Content-Type", FediverseJSON.contentType))
        } else {
            headers.append(("Accept", "\(FediverseJSON.contentType), application/ld+json; profile=\"\(FediverseJSON.activityStreams)\""))
        }
        return try await fetcher.fetch(
            FetchRequest(url: url, method: method, headers: headers, body: body, followRedirects: false, allow: site.settings.fetchAllow))
    }
}
