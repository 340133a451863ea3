import DreyCore
import DreyJobs
import DreyLinkbacks
import Foundation

/// Telling the pages a post links to: Webmention where the page takes it, Pingback otherwise.
extension LinkbackService {
    struct SendRef: Codable {
        var siteID: Int64
        var postID: Int64
        var target: String
    }

    /// Queues one send job per outbound link. Webmentions go again on every update (the receiver may
    /// have to update or remove what it shows); a pingback goes once; a link that was removed gets a
    /// last Webmention so the other side can take the mention down.
    func scanPost(_ job: Job) async throws {
        let ref = try job.decode(PostRef.self)
        guard let site = registry.site(id: ref.siteID), site.settings.sendsLinkbacks,
            let post = try await store.post(id: ref.postID, siteID: ref.siteID)
        else { return }
        let isPublic = post.isVisible(at: clock.now()) && post.password.isEmpty
        let source = try await postURL(post, site: site)
        let current = isPublic ? OutboundLinks.extract(html: post.contentHTML, base: source) : []
        let previous = try await store.sends(postID: post.id)
        var targets: [String] = []
        var seen = Set<String>()
        for link in current {
            let key = URLMatch.normalized(link) ?? link
            seen.insert(key)
            if let before = previous.first(where: { URLMatch.same($0.target, link) }), before.method == .pingback,
                before.state == .sent
            {
                continue
            }
            targets.append(previous.first(where: { URLMatch.same($0.target, link) })?.target ?? link)
        }
        for before in previous where before.method == .webmention && before.state == .sent {
            if !seen.contains(URLMatch.normalized(before.target) ?? before.target) { targets.append(before.target) }
        }
        for target in targets {
            var record = try await store.sendRecord(siteID: site.id, postID: post.id, target: target, now: clock.now())
            record.state = .pending
            record.detail = "queued"
            record.updatedAt = clock.now()
            try await store.update(record)
            try await jobs.enqueue(
                Kind.send, SendRef(siteID: site.id, postID: post.id, target: target), siteID: site.id,
                dedupeKey: "send:\(post.id):\(URLMatch.normalized(target) ?? target)")
        }
    }

    /// One link: discover the endpoint (W3C order, then Pingback), send, and keep what happened.
    func send(_ job: Job) async throws {
        let ref = try job.decode(SendRef.self)
        guard let site = registry.site(id: ref.siteID), let post = try await store.post(id: ref.postID, siteID: ref.siteID)
        else { return }
        var record = try await store.sendRecord(siteID: site.id, postID: post.id, target: ref.target, now: clock.now())
        record.attempts = job.attempts
        let source = try await postURL(post, site: site)
        let isPublic = post.isVisible(at: clock.now()) && post.password.isEmpty
        let stillLinked = isPublic && OutboundLinks.extract(html: post.contentHTML, base: source).contains { URLMatch.same($0, ref.target) }
        do {
            let page = try await checked("the linked page") {
                try await fetch(FetchRequest(url: ref.target, headers: [("Accept", "text/html, */*;q=0.5")]), site: site)
            }
            if let endpoint = EndpointDiscovery.webmention(in: page) {
                let answer = try await checked("the Webmention endpoint") {
                    try await fetch(.form(endpoint, [("source", source), ("target", ref.target)]), site: site)
                }
                record.method = .webmention
                record.endpoint = endpoint
                record.httpStatus = answer.status
                record.state = stillLinked ? .sent : .withdrawn
                let accepted = answer.header("Location").map { "accepted; status at \($0)" } ?? "accepted (\(answer.status))"
                record.detail = stillLinked ? accepted : "link removed; the page was told (\(accepted))"
            } else if stillLinked, let endpoint = EndpointDiscovery.pingback(in: page) {
                let body = XMLRPC.call("pingback.ping", [.string(source), .string(ref.target)])
                let answer = try await checked("the Pingback endpoint") {
                    try await fetch(
                        FetchRequest(url: endpoint, method: "POST", headers: [("Content-Type", "text/xml")], body: Array(body.utf8)),
                        site: site)
                }
                record.method = .pingback
                record.endpoint = endpoint
                record.httpStatus = answer.status
                switch XMLRPC.parseResponse(answer.body) {
                case .success(let value):
                    record.state = .sent
                    record.detail = value.stringValue ?? "registered"
                case .failure(let fault) where fault.code == 48:
                    record.state = .sent
                    record.detail = "already registered"
                case .failure(let fault):
                    throw JobFailure.permanent("\(fault)")
                }
            } else {
                record.method = .none
                record.state = .unsupported
                record.detail = stillLinked ? "no Webmention or Pingback endpoint" : "no Webmention endpoint"
            }
            record.updatedAt = clock.now()
            try await store.update(record)
        } catch let failure as JobFailure {
            record.updatedAt = clock.now()
            switch failure {
            case .transient(let message) where !job.isLastAttempt:
                record.state = .pending
                record.detail = "attempt \(job.attempts) of \(job.maxAttempts) failed: \(message); will retry"
            case .transient(let message):
                record.state = .failed
                record.detail = "gave up after \(job.attempts) attempts: \(message)"
            case .permanent(let message):
                record.state = .failed
                record.detail = message
            }
            try await store.update(record)
            throw failure
        }
    }

    /// The response when it is a success; a transient failure for 5xx and unreachable hosts, a permanent one otherwise.
    private func checked(_ what: String, _ fetching: () async throws -> FetchResponse) async throws -> FetchResponse {
        let response: FetchResponse
        do {
            response = try await fetching()
        } catch let error as FetchError {
            throw error.isTransient ? JobFailure.transient("\(what): \(error)") : JobFailure.permanent("\(what): \(error)")
        }
        if (200..<300).contains(response.status) { return response }
        let snippet = String(response.text.prefix(200)).trimmingCharacters(in: .whitespacesAndNewlines)
        let message = "\(what) answered \(response.status)\(snippet.isEmpty ? "" : ": \(snippet)")"
        throw response.status >= 500 || response.status == 429 ? JobFailure.transient(message) : JobFailure.permanent(message)
    }

    /// WebSub: tells the hub the site's feeds changed (`hub.mode=publish`).
    func notifyHub(_ job: Job) async throws {
        let ref = try job.decode(SiteRef.self)
        guard let site = registry.site(id: ref.siteID), !site.settings.websubHub.isEmpty else { return }
        let links = links(of: site)
        for feed in [links.feed(), links.feed(.atom), links.jsonFeed] {
            _ = try await checked("the hub") {
                try await fetch(.form(site.settings.websubHub, [("hub.mode", "publish"), ("hub.url", feed)]), site: site)
            }
        }
    }
}
