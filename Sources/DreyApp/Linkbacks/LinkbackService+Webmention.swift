import DreyCore
import DreyJobs
import DreyLinkbacks
import DreyRender
import Foundation

/// A Webmention the endpoint refuses before queueing it, with the status the spec asks for.
package struct WebmentionRefusal: Error {
    package let status: Int
    package let message: String
}

/// Receiving Webmentions (W3C Recommendation): checked synchronously as far as the request goes,
/// verified by a job that fetches the source, updated or removed when the source changes.
extension LinkbackService {
    package func receiveWebmention(source rawSource: String, target rawTarget: String, site: Site, base: String) async throws
        -> ReceivedWebmention
    {
        guard site.settings.webmentionsEnabled else {
            throw WebmentionRefusal(status: 404, message: "This site does not accept Webmentions.")
        }
        guard let source = Self.webURL(rawSource), let target = Self.webURL(rawTarget) else {
            throw WebmentionRefusal(status: 400, message: "source and target must both be http or https URLs.")
        }
        guard !URLMatch.same(source, target) else {
            throw WebmentionRefusal(status: 400, message: "source and target must be different URLs.")
        }
        guard let post = try await post(at: target, site: site, base: base), post.isVisible(at: clock.now()),
            post.password.isEmpty
        else { throw WebmentionRefusal(status: 400, message: "target is not a post on this site.") }
        guard post.pingStatus == .open else {
            throw WebmentionRefusal(status: 400, message: "This post does not accept Webmentions.")
        }
        let row = try await store.queueWebmention(
            siteID: site.id, postID: post.id, source: source, target: target, token: Signer.randomSecret(), now: clock.now())
        try await jobs.enqueue(Kind.verifyWebmention, WebmentionRef(id: row.id), siteID: site.id, dedupeKey: "webmention:\(row.id)")
        return row
    }

    /// The public part of a fetch failure's reason.
    package static let unfetchable = "the source could not be fetched"

    struct WebmentionRef: Codable {
        var id: Int64
    }

    func verifyWebmention(_ job: Job) async throws {
        let ref = try job.decode(WebmentionRef.self)
        guard var mention = try await store.webmention(id: ref.id), let site = registry.site(id: mention.siteID) else { return }
        let response: FetchResponse
        do {
            response = try await fetch(
                FetchRequest(url: mention.source, headers: [("Accept", "text/html, application/xhtml+xml, */*;q=0.5")]), site: site)
        } catch let error as FetchError where error.isTransient && !job.isLastAttempt {
            throw JobFailure.transient("source not reached: \(error)")
        } catch {
            try await withdraw(&mention, because: "\(Self.unfetchable): \(error)")
            return
        }
        if response.status == 410 { return try await withdraw(&mention, because: "the source is gone (410)") }
        if response.status >= 500 && !job.isLastAttempt { throw JobFailure.transient("source answered \(response.status)") }
        guard (200..<300).contains(response.status) else {
            return try await withdraw(&mention, because: "the source answered \(response.status)")
        }
        let page = SourcePage(body: response.text, url: response.url, isHTML: response.isHTML)
        guard page.links(to: mention.target) else {
            return try await withdraw(&mention, because: "the source does not link to the target")
        }
        let read = MentionReader.read(page, target: mention.target)
        mention.kind = read.kind
        mention.authorName = read.authorName
        mention.authorURL = Self.webURL(read.authorURL) ?? ""
        mention.authorPhoto = Self.webURL(read.authorPhoto) ?? ""
        mention.updatedAt = clock.now()
        let commentURL = mention.authorURL.isEmpty ? mention.source : mention.authorURL
        if let id = mention.commentID, let existing = try await store.comment(id: id), existing.status != .trash {
            try await changes.commit(siteID: site.id, .comments(onPosts: [existing.postID])) { [store] in
                try await store.updateLinkbackComment(
                    id: id, authorName: String(read.authorName.prefix(CommentService.maxNameLength)),
                    authorURL: commentURL.count <= CommentService.maxURLLength ? commentURL : existing.authorURL,
                    source: read.contentHTML, contentHTML: ContentRenderer.comment(read.contentHTML))
            }
            mention.state = .accepted
            mention.detail = "updated comment \(id)"
        } else if let id = try await store.pingComment(postID: mention.postID, source: mention.source) {
            // The same page already pinged this post by Pingback or Trackback: one source and target, one linkback.
            mention.commentID = id
            mention.state = .accepted
            mention.detail = "already received by pingback or trackback as comment \(id)"
        } else {
            do {
                let comment = try await submit(
                    type: .webmention, postID: mention.postID, siteID: site.id, name: read.authorName, url: commentURL,
                    text: read.contentHTML.isEmpty ? "<p>mentioned this</p>" : read.contentHTML, ip: "")
                mention.commentID = comment.id
                mention.state = .accepted
                mention.detail = "stored as comment \(comment.id) (\(comment.status.rawValue))"
            } catch let rejection as CommentRejection {
                mention.state = .rejected
                mention.detail = rejection.messages.joined(separator: " ")
            }
        }
        try await store.update(mention)
    }

    /// The source no longer supports the mention: its comment is removed, or it is refused when new.
    private func withdraw(_ mention: inout ReceivedWebmention, because reason: String) async throws {
        if let id = mention.commentID, let comment = try await store.comment(id: id), comment.status != .trash {
            _ = try await comments.setStatus(.trash, commentID: id)
            mention.state = .deleted
            mention.detail = "removed: \(reason)"
        } else {
            mention.state = mention.state == .deleted ? .deleted : .rejected
            mention.detail = reason
        }
        mention.updatedAt = clock.now()
        try await store.update(mention)
    }
}
