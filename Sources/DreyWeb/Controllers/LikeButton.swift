import DreyApp
import DreyCore
import DreyRender
import Foundation
import Hummingbird

/// The like button: its state is the reader's own, so the cached page holds a `like` hole filled per response;
/// the count and the faces around it are public and cached with the page.
enum LikeButton {
    /// The `like` hole: a signed-in reader's button (Like or Liked, with their form token), a guest's (which leads to
    /// sign-in and back), or nothing when likes are off.
    static func fill(_ context: HoleContext, postID: Int64) async -> String {
        guard context.site.settings.likesEnabled else { return "" }
        // The same lookup as the reader's other holes: one per response.
        guard let session = await ReaderHoles.reader(context) else { return button(nil, liked: false, context, postID: postID) }
        let liked: Bool
        if let known = context.app.readerMemory.liked(readerID: session.reader.id, postID: postID) {
            liked = known
        } else {
            liked = (try? await context.app.drey.likes.hasLiked(postID: postID, readerID: session.reader.id)) ?? false
            context.app.readerMemory.remember(readerID: session.reader.id, postID: postID, liked: liked)
        }
        return button(session, liked: liked, context, postID: postID)
    }

    /// The `like` hole from memory; nil when the reader or their like must be looked up.
    static func fillNow(_ context: HoleContext, postID: Int64) -> String? {
        guard context.site.settings.likesEnabled else { return "" }
        guard let known = ReaderHoles.knownReader(context) else { return nil }
        guard let session = known else { return button(nil, liked: false, context, postID: postID) }
        guard let liked = context.app.readerMemory.liked(readerID: session.reader.id, postID: postID) else { return nil }
        return button(session, liked: liked, context, postID: postID)
    }

    static func button(_ session: ReaderSession?, liked: Bool, _ context: HoleContext, postID: Int64) -> String {
        let action = SiteLinks(base: context.site.settings.homeURL, settings: context.site.settings).path(.follows(.like(postID: postID)))
        guard let session else { return html(action: action, liked: false, token: "") }
        return html(
            action: action, liked: liked,
            token: LikeService.formToken(readerID: session.reader.id, signer: Signer.cached(secret: context.site.settings.secret)))
    }

    static func html(action: String, liked: Bool, token: String) -> String {
        "<form class=\"like-form\" method=\"post\" action=\"\(HTMLEscape.text(action))\">"
            + (token.isEmpty ? "" : "<input type=\"hidden\" name=\"_csrf\" value=\"\(HTMLEscape.text(token))\">")
            + "<input type=\"hidden\" name=\"like\" value=\"\(liked ? "0" : "1")\">"
            + "<button type=\"submit\" class=\"like-button\(liked ? " liked" : "")\" aria-pressed=\"\(liked)\">\(liked ? "Liked" : "Like")</button></form>"
    }

    /// `POST /like/ID`: like or take it back, then back to the post. A guest is sent to sign in and back.
    static func post(_ postID: Int64, _ r: SiteRequest, form: FormData, app: WebApp) async throws -> PageResult? {
        guard r.site.settings.likesEnabled, let post = try await app.drey.store.post(id: postID, siteID: r.site.id), post.isVisible(at: r.now)
        else { return nil }
        let canonical = try await PostURLs(store: app.drey.store).canonical(post, site: r.site, links: r.links)
        let path = String(canonical.dropFirst(r.links.base.count))
        guard let session = r.reader else { return .redirect(to: r.links.signIn(returnTo: path.isEmpty ? "/" : path), permanent: false) }
        guard form["_csrf"] == LikeService.formToken(readerID: session.reader.id, signer: r.signer) else {
            return .plain(
                status: .forbidden, text: "The form could not be verified (it did not come from this site). Go back, reload the page and try again.")
        }
        do {
            _ = try await app.drey.likes.set(form["like"] != "0", postID: post.id, readerID: session.reader.id, siteID: r.site.id)
        } catch let refusal as LikeService.Refusal {
            return .plain(status: .init(code: refusal.status), text: refusal.message)
        }
        return .redirect(to: canonical + "#likes", permanent: false)
    }

    /// The public part: how many like the post, and their faces (linked to their sites when they have one).
    static func view(_ post: Post, _ r: SiteRequest, store: any LikeStore) async throws -> LikesView? {
        guard r.site.settings.likesEnabled, post.type == .post, post.password.isEmpty else { return nil }
        let count = try await store.likeCount(postID: post.id)
        let context = ReaderHoles.Context(r)
        let faces: [LikerFace] =
            count == 0
            ? []
            : try await store.likers(postID: post.id, limit: 50).map { liker in
                let reader = Reader(
                    id: liker.readerID, siteID: r.site.id, name: liker.name, email: liker.email, website: liker.website, avatar: liker.avatar)
                return LikerFace(name: liker.name, photoURL: ReaderFaces.url(reader, context, size: 36), website: liker.website ?? "")
            }
        return LikesView(count: count, faces: faces, buttonHTML: PageHole.marker("like", post.id))
    }
}
