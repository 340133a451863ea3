import DreyApp
import DreyCore
import Foundation

extension CommentController {
    /// The comment form's two boxes: follow the thread, follow the blog. Each is a request like the follow form's
    /// (a confirmation message unless the address follows already); a refusal (over a limit) does not undo the comment.
    func followFromComment(_ form: FormData, email: String, post: Post, canonical: String, _ r: SiteRequest) async throws {
        guard r.site.settings.followsEnabled else { return }
        var asked: [(FollowService.Scope, String)] = []
        if form["follow_thread"] == "1" { asked.append((.thread(postID: post.id), FollowService.threadWording)) }
        if form["follow_blog"] == "1" { asked.append((.blog, FollowService.blogWording)) }
        for (scope, wording) in asked {
            // A signed-in reader whose address a sign-in method verified follows at once.
            if let reader = r.reader?.reader, let verified = reader.email, reader.emailVerifiedAt != nil {
                try await follows.subscribeVerified(
                    email: verified, scope: scope, page: canonical, wording: wording, ip: r.clientIP, siteID: r.site.id)
                continue
            }
            do {
                try await follows.request(
                    FollowService.Request(email: email, scope: scope, page: canonical, wording: wording, ip: r.clientIP), siteID: r.site.id)
            } catch is FollowService.Refusal {
                continue
            }
        }
    }
}
