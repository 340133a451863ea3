import DreyApp
import DreyCore
import DreyRender
import Foundation

/// Builds the threaded view of a post's comments, as WordPress's walker does.
struct CommentThread {
    let maxDepth: Int
    let newestFirst: Bool
    let postAuthorID: Int64
    let postAuthorEmail: String
    let postURL: String
    let dateFormat: PHPDateFormat
    let ownPending: Set<Int64>
    let faces: Faces
    /// Webmentions by comment ID: replies from other sites join the thread, with their author's photo.
    var mentions: [Int64: ReceivedWebmention] = [:]
    /// Faces of signed-in readers' comments (their picture, or their own generated face), by comment ID.
    var readerFaces: [Int64: String] = [:]

    /// Conversation comments as a tree; replies deeper than the setting hang under the deepest allowed level.
    func tree(_ comments: [Comment]) -> [CommentView] {
        let visible = comments.filter {
            ($0.type == .comment || mentions[$0.id]?.kind == .reply) && ($0.status == .approved || ownPending.contains($0.id))
        }
        let ids = Set(visible.map(\.id))
        var children: [Int64: [Comment]] = [:]
        var roots: [Comment] = []
        for c in visible {
            if let parent = c.parentID, ids.contains(parent) {
                children[parent, default: []].append(c)
            } else {
                roots.append(c)
            }
        }
        if newestFirst { roots.reverse() }
        return roots.flatMap { build($0, depth: 1, children: children) }
    }

    /// The comment with its replies; at the deepest level, its descendants follow it as siblings.
    private func build(_ c: Comment, depth: Int, children: [Int64: [Comment]]) -> [CommentView] {
        var node = view(c, depth: depth)
        if depth < maxDepth {
            node.replies = (children[c.id] ?? []).flatMap { build($0, depth: depth + 1, children: children) }
            return [node]
        }
        var flat: [Comment] = []
        var stack = children[c.id] ?? []
        while !stack.isEmpty {
            let next = stack.removeFirst()
            flat.append(next)
            stack.append(contentsOf: children[next.id] ?? [])
        }
        return [node] + flat.sorted { $0.createdAt < $1.createdAt }.map { view($0, depth: depth) }
    }

    func view(_ c: Comment, depth: Int) -> CommentView {
        let byAuthor = c.userID == postAuthorID || (!postAuthorEmail.isEmpty && c.authorEmail.lowercased() == postAuthorEmail.lowercased())
        let mention = mentions[c.id]
        let photo = mention.map(\.authorPhoto).flatMap { $0.isEmpty ? nil : $0 }
        return CommentView(
            id: c.id, authorName: c.authorName, authorURL: c.authorURL, avatarURL: photo ?? readerFaces[c.id] ?? faces.url(email: c.authorEmail),
            dateText: dateFormat.string(from: c.createdAt), isoDate: ISO8601.string(c.createdAt), contentHTML: c.contentHTML,
            byPostAuthor: byAuthor, awaitingModeration: c.status == .pending || c.status == .spam,
            replyURL: postURL + "?replytocom=\(c.id)#respond", canReply: depth < maxDepth && c.status == .approved,
            depth: depth, replies: [], sourceURL: mention?.source ?? "")
    }
}

/// Which face a person gets on this site's pages: one the blog makes (`/avatar/KEY.svg`), or Gravatar's when the
/// owner chose it (`avatars` setting).
struct Faces: Sendable {
    let links: SiteLinks
    let secret: String
    let gravatar: Bool

    init(_ r: SiteRequest) {
        links = r.links
        secret = r.site.settings.secret
        gravatar = r.site.settings.gravatarFaces
    }

    func url(email: String, size: Int = 48) -> String {
        gravatar ? Avatar.url(email: email, size: size) : links.url(.avatar(key: Avatar.localKey(email: email, secret: secret)))
    }
}
