import DreyApp
import DreyCore
import DreyRender
import Foundation

/// Shapes linkback comments for the post page: faces for likes and reposts, the rest listed apart.
enum LinkbackViewFactory {
    static func byComment(_ rows: [ReceivedWebmention]) -> [Int64: ReceivedWebmention] {
        Dictionary(rows.compactMap { row in row.commentID.map { ($0, row) } }, uniquingKeysWith: { a, _ in a })
    }

    /// Pingbacks, trackbacks, and Webmentions that are neither replies (in the thread) nor reactions (faces).
    static func listed(_ comments: [Comment], mentions: [Int64: ReceivedWebmention], settings: SiteSettings) -> [LinkbackView] {
        let date = PHPDateFormat(settings.dateFormat, timeZone: settings.timeZone)
        return comments.filter { $0.type.isLinkback && $0.status == .approved }.compactMap { c in
            guard let mention = mentions[c.id] else {
                return LinkbackView(
                    id: c.id, kindLabel: c.type.rawValue.capitalized, title: c.authorName, url: c.authorURL,
                    excerptHTML: c.contentHTML, dateText: date.string(from: c.createdAt))
            }
            guard mention.kind == .mention || mention.kind == .bookmark else { return nil }
            return LinkbackView(
                id: c.id, kindLabel: mention.kind == .bookmark ? "Bookmark" : "Mention", title: c.authorName, url: mention.source,
                excerptHTML: c.contentHTML, dateText: date.string(from: c.createdAt))
        }
    }

    static func reactions(_ comments: [Comment], mentions: [Int64: ReceivedWebmention], faces: Faces) -> ReactionsView {
        var view = ReactionsView()
        for c in comments where c.status == .approved {
            guard let mention = mentions[c.id], mention.kind.isReaction else { continue }
            let face = FaceView(
                id: c.id, name: c.authorName,
                photoURL: mention.authorPhoto.isEmpty ? faces.url(email: mention.authorURL) : mention.authorPhoto,
                sourceURL: mention.source, authorURL: mention.authorURL,
                property: mention.kind == .like ? "p-like" : "p-repost")
            if mention.kind == .like { view.likes.append(face) } else { view.reposts.append(face) }
        }
        return view
    }
}
