import DreyCore
import DreyJobs
import DreyLinkbacks
import DreyRender
import DreyStore
import Foundation
import Logging

/// Pingback, Trackback and Webmention, received and sent. Everything received goes through
/// `CommentService.submit`, so moderation and the spam rules apply to it as to any comment.
public struct LinkbackService: Sendable {
    package let store: any LinkbackStore & PostStore & CommentStore & TermStore & UserStore
    let registry: SiteRegistry
    let comments: CommentService
    let changes: ChangeFeed
    let jobs: JobQueue
    let fetcher: any Fetcher
    let clock: Clock
    let config: AppConfig
    let logger: Logger

    /// Job kinds this service runs.
    public enum Kind {
        public static let verifyWebmention = "webmention.verify"
        public static let scanPost = "linkbacks.scan"
        public static let send = "linkbacks.send"
        public static let websub = "websub.publish"
    }

    /// Longest source or target URL accepted.
    static let maxURLLength = 2000

    func registerJobs() {
        let service = self
        jobs.register(Kind.verifyWebmention) { try await service.verifyWebmention($0) }
        jobs.register(Kind.scanPost) { try await service.scanPost($0) }
        jobs.register(Kind.send) { try await service.send($0) }
        jobs.register(Kind.websub) { try await service.notifyHub($0) }
    }

    /// The site's public address: `home_url`, else its host on the port this process serves.
    func base(of site: Site) -> String { config.base(of: site) }

    func links(of site: Site) -> SiteLinks { SiteLinks(base: base(of: site), settings: site.settings) }

    func postURL(_ post: Post, site: Site) async throws -> String {
        try await PostURLs(store: store).canonical(post, site: site, links: links(of: site))
    }

    /// The post `url` names on this site, when it is one (same host and port as `base`).
    func post(at url: String, site: Site, base: String) async throws -> Post? {
        guard let own = URLMatch.authority(base), URLMatch.authority(url) == own || URLMatch.host(url) == site.host else {
            return nil
        }
        guard let id = try? await PostLocator(store: store, site: site).postID(for: url) else { return nil }
        return try await store.post(id: id, siteID: site.id)
    }

    /// Fetches through the one safe fetcher, with the site's own allowance added.
    func fetch(_ request: FetchRequest, site: Site?) async throws -> FetchResponse {
        var request = request
        request.allow += site?.settings.fetchAllow ?? []
        return try await fetcher.fetch(request)
    }

    /// A public http(s) URL of sensible length, or nil.
    static func webURL(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= maxURLLength, let absolute = URLMatch.resolve(trimmed, against: trimmed),
            URLMatch.normalized(absolute) != nil
        else { return nil }
        return absolute
    }

    /// Called when a post became public or changed while public: queue the pings and the hub notice.
    func postChanged(siteID: Int64, postID: Int64) async throws {
        guard let site = registry.site(id: siteID) else { return }
        if site.settings.sendsLinkbacks {
            try await jobs.enqueue(
                Kind.scanPost, PostRef(siteID: siteID, postID: postID), siteID: siteID, dedupeKey: "scan:\(postID)")
        }
        if !site.settings.websubHub.isEmpty {
            try await jobs.enqueue(Kind.websub, SiteRef(siteID: siteID), siteID: siteID, dedupeKey: "websub:\(siteID)")
        }
    }

    struct PostRef: Codable {
        var siteID: Int64
        var postID: Int64
    }

    struct SiteRef: Codable {
        var siteID: Int64
    }

    /// A comment for a linkback, through the same checks as every comment; the name and URL are
    /// trimmed to what comments allow, since pages from outside carry anything.
    func submit(
        type: CommentType, postID: Int64, siteID: Int64, name: String, url: String, text: String, ip: String
    ) async throws -> Comment {
        var submission = CommentSubmission(
            postID: postID, authorName: String(name.prefix(CommentService.maxNameLength)), email: "",
            url: url.count <= CommentService.maxURLLength ? url : "", text: text)
        submission.type = type
        submission.ip = ip
        submission.userAgent = "\(type.rawValue) from \(URLMatch.host(url) ?? "?")"
        return try await comments.submit(submission, siteID: siteID)
    }
}
