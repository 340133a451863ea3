import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation

/// Likes from the fediverse join the readers' likes on the post page: one count, one row of faces (the blog's copy
/// of their icon, or a generated face), each linked to their profile.
enum FediverseLikes {
    /// `count` is the post's likes from the fediverse (`reactionCounts`).
    static func merge(_ likes: LikesView?, _ post: Post, _ r: SiteRequest, likes count: Int, store: SQLStore) async throws -> LikesView? {
        guard var likes, r.site.settings.fediverseEnabled, count > 0 else { return likes }
        likes.count += count
        let room = max(0, 50 - likes.faces.count)
        for liker in try await store.fediverseLikers(postID: post.id, limit: room) {
            let host = URLComponents(string: liker.uri)?.host ?? "the fediverse"
            let name = !liker.name.isEmpty ? liker.name : !liker.handle.isEmpty ? "@" + liker.handle : "someone on \(host)"
            let photo =
                ReaderFaceName.isValid(liker.face)
                ? r.links.url(.readerFace(name: liker.face))
                : r.links.url(.avatar(key: Avatar.localKey(email: liker.uri, secret: r.site.settings.secret)))
            likes.faces.append(LikerFace(name: name, photoURL: photo, website: web(liker.url) ?? web(liker.uri) ?? ""))
        }
        return likes
    }

    /// An http or https address; anything else another server sent is not a link.
    static func web(_ text: String) -> String? {
        let lower = text.lowercased()
        return lower.hasPrefix("https://") || lower.hasPrefix("http://") ? text : nil
    }
}
