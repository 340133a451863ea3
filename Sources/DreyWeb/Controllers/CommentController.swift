import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation
import Hummingbird

/// The comment form's POST, and the password form of protected posts.
struct CommentController: Sendable {
    let store: SQLStore
    let comments: CommentService
    let posts: PostController
    let follows: FollowService

    static let pendingCookie = "drey_pending"
    static let postPassCookie = "drey_postpass"

    func submit(_ r: SiteRequest, form: FormData) async throws -> PageResult {
        guard let postID = form["comment_post_ID"].flatMap(Int64.init),
            let post = try await store.post(id: postID, siteID: r.site.id), post.isVisible(at: r.now)
        else {
            return .plain(status: .notFound, text: "That post does not exist, so the comment cannot be added to it.")
        }
        let canonical = try await posts.canonicalURL(post, r)
        let parent = form["comment_parent"].flatMap(Int64.init).flatMap { $0 > 0 ? $0 : nil }
        let typed = CommentForm(
            actionURL: r.links.commentSubmit, postID: post.id, parentID: parent, name: form["author"] ?? "",
            email: form["email"] ?? "", website: form["url"] ?? "", text: form["comment"] ?? "", token: "", isOpen: true,
            maxLength: r.site.settings.commentMaxLength)
        // A filled honeypot is a machine: answer as if accepted, store nothing, count it.
        if let honeypot = form["hp_website"], !honeypot.isEmpty {
            await comments.spam.countDiscard(siteID: r.site.id, reason: "honeypot")
            return .redirect(to: canonical, permanent: false)
        }
        let settings = r.site.settings
        let token: FormToken
        switch FormToken.check(form["drey_token"], postID: post.id, now: r.now, maxAge: settings.commentFormMaxAge, signer: r.signer) {
        case .valid(let valid):
            token = valid
        case .forged, .otherPost:
            return try await refuse(
                post, canonical, r, typed,
                CommentRejection(["The form could not be verified (it may have come from another site or page). Please send it again."], status: 403))
        case .expired:
            let hours = Int(settings.commentFormMaxAge / 3600)
            return try await refuse(
                post, canonical, r, typed,
                CommentRejection(["The form was open for more than \(hours) hours, so it has expired. Please send it again."], status: 403))
        }
        // A reader who has not given the post's password cannot see it, so cannot comment on it either.
        if !post.password.isEmpty, !r.unlockedPosts.contains(post.id) {
            return try await refuse(
                post, canonical, r, typed,
                CommentRejection(["This post is password protected. Enter its password above, then send your comment again."], status: 403),
                shownAt: token.shownAt)
        }
        var submission = CommentSubmission(
            postID: post.id, parentID: parent, authorName: typed.name, email: typed.email, url: typed.website, text: typed.text)
        // A signed-in reader comments as their account: its name, verified address and website, whatever the form held.
        if let reader = r.reader, r.site.settings.readersEnabled {
            submission.authorName = reader.reader.name
            submission.email = reader.reader.email ?? ""
            submission.url = reader.reader.website ?? ""
            submission.readerID = reader.reader.id
        }
        submission.ip = r.clientIP
        submission.userAgent = r.request.headers[.userAgent] ?? ""
        submission.form = token
        do {
            let comment = try await comments.submit(submission, siteID: r.site.id)
            var cookies: [String] = []
            // Held and spam alike come back to their author as "awaiting moderation": a false positive is never
            // silent, and the moderator's "not spam" publishes it. Only the author's signed cookie shows it.
            let awaiting = comment.status == .pending || comment.status == .spam
            if awaiting {
                let ids = (Array(r.ownPendingComments) + [comment.id]).sorted().suffix(20).map(String.init).joined(separator: "-")
                cookies.append(
                    setCookie(Self.pendingCookie, r.signer.sign(ids, purpose: .heldComments), maxAge: 30 * 86400, secure: r.request.isSecure))
            }
            let anchor = comment.status == .approved || awaiting ? "#comment-\(comment.id)" : ""
            try await followFromComment(form, email: typed.email, post: post, canonical: canonical, r)
            return .redirect(to: canonical + anchor, permanent: false, cookies: cookies)
        } catch let rejection as CommentRejection {
            if rejection.plain { return .plain(status: .init(code: rejection.status), text: rejection.messages.joined(separator: " ")) }
            // The form comes back with the time it was first shown, so sending it again is not "too fast".
            return try await refuse(post, canonical, r, typed, rejection, shownAt: token.shownAt)
        } catch is CommentDiscarded {
            return .redirect(to: canonical, permanent: false)
        }
    }

    private func refuse(
        _ post: Post, _ canonical: String, _ r: SiteRequest, _ typed: CommentForm, _ rejection: CommentRejection, shownAt: Date? = nil
    ) async throws -> PageResult {
        var form = typed
        form.errors = rejection.messages
        return try await posts.render(post, canonical: canonical, r, form: form, status: rejection.status, formShownAt: shownAt)
    }

    /// WordPress's `wp-login.php?action=postpass`: remembers the password a reader gave for a protected post.
    func unlock(_ r: SiteRequest, form: FormData) async throws -> PageResult {
        guard let postID = form["post_id"].flatMap(Int64.init), let post = try await store.post(id: postID, siteID: r.site.id),
            post.isVisible(at: r.now)
        else { return .plain(status: .notFound, text: "That post does not exist.") }
        let canonical = try await posts.canonicalURL(post, r)
        guard !post.password.isEmpty, form["post_password"] == post.password else {
            return .redirect(to: canonical + "?wrong-password=1", permanent: false)
        }
        let ids = (Array(r.unlockedPosts) + [post.id]).sorted().suffix(50).map(String.init).joined(separator: "-")
        return .redirect(
            to: canonical, permanent: false,
            cookies: [setCookie(Self.postPassCookie, r.signer.sign(ids, purpose: .unlockedPosts), maxAge: 10 * 86400, secure: r.request.isSecure)])
    }
}
