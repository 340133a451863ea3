import DreyCore
import DreyStore
import Foundation

extension CommentService {
    /// What `submit` would decide about a comment now, without storing it, spending a form token or counting
    /// anything: for `drey spam check`. With no `postID` the checks that need a post (closed, duplicate) are skipped.
    public func screen(_ s: CommentSubmission, postID: Int64?, siteID: Int64) async throws -> SpamVerdict {
        guard let site = registry.site(id: siteID) else { throw StoreError.notFound("no site \(siteID)") }
        do {
            if let postID {
                guard let post = try await store.post(id: postID, siteID: siteID), post.isVisible(at: clock.now()) else {
                    throw CommentRejection(["That post does not exist, so the comment cannot be added to it."], status: 404)
                }
                if post.commentStatus == .closed && !s.byModerator { throw CommentRejection(["Comments are closed on this post."], status: 403) }
            }
            let (name, email, url, text) = try await checkFields(s, site: site, postID: postID)
            if let postID, try await store.isDuplicate(postID: postID, email: email, authorName: name, source: text) {
                throw CommentRejection(["Duplicate comment detected; it looks as though you’ve already said that!"], status: 409)
            }
            let candidate = SpamFilter.Candidate(
                siteID: siteID, name: name, email: email, url: url, ip: s.ip, userAgent: s.userAgent, text: text,
                byModerator: s.byModerator)
            try await spam.checkLimits(candidate, settings: site.settings)
            return try await spam.judge(candidate, settings: site.settings)
        } catch let rejection as CommentRejection {
            return SpamVerdict(decision: .refuse, reasons: rejection.messages)
        }
    }
}
