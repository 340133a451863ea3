import DreyCore
import DreyRender
import DreyStore
import Foundation

extension ImportSession {
    static let userAgentMeta = "_drey_user_agent"
    static let moderationNoteMeta = "_drey_moderation_note"

    /// The approved comments and linkbacks of an item that will be imported: its post's count,
    /// known before the post is written.
    static func approvedCount(_ item: WXRItem) -> Int {
        item.comments.filter { ImportMapping.commentType($0.type) != nil && ImportMapping.commentStatus($0.approved) == .approved }.count
    }

    /// Prepares an item's comments for the next batch; ones already imported are counted and left.
    func queueComments(of item: WXRItem, postID: Int64, postDate: Date, existed: Bool) async throws {
        guard !item.comments.isEmpty else { return }
        var known: [Int64: Int64] = [:]
        if existed {
            known = try await writer.commentIDs(postID: postID)
            existingCommentIDs[postID] = known
            postsToRecount.insert(postID)
        }
        for c in item.comments {
            countInFile(c)
            let label = "comment \(c.id.map(String.init) ?? "without ID") on \(item.label)"
            guard let type = ImportMapping.commentType(c.type) else {
                summary.skip(.comments, "type “\(c.type)” is not a comment, pingback or trackback")
                continue
            }
            let wpID = c.id ?? -Int64(c.line)
            if known[wpID] != nil {
                summary[.comments].existing += 1
                continue
            }
            var status = ImportMapping.commentStatus(c.approved) ?? .pending
            if ImportMapping.commentStatus(c.approved) == nil {
                summary.warn("\(label): approval “\(c.approved)” is not 1, 0, spam or trash; held for moderation")
                status = .pending
            }
            let created = date(gmt: c.dateGMT, local: c.date, label: label, fallback: postDate)
            var url = c.authorURL.trimmingCharacters(in: .whitespaces)
            if !url.isEmpty && !ImportMapping.isWebURL(url) {
                summary.warn("\(label): website “\(url.prefix(80))” is not an http(s) address; left out")
                url = ""
            }
            let note = c.meta.first { $0.key == Self.moderationNoteMeta }?.value ?? ""
            let comment = Comment(
                siteID: writer.siteID, postID: postID, type: type, status: status,
                authorName: c.author.isEmpty ? "Anonymous" : String(c.author.prefix(245)), authorEmail: c.authorEmail,
                authorURL: url, authorIP: c.authorIP, userAgent: c.meta.first { $0.key == Self.userAgentMeta }?.value ?? "",
                userID: c.userID == 0 ? nil : authorsByWPID[c.userID], source: c.content,
                contentHTML: ContentRenderer.comment(c.content), createdAt: created, moderationNote: note)
            pendingComments.append(PendingComment(comment: comment, wpID: wpID, wpParent: c.parent, label: label))
        }
    }

    /// Inserts the waiting comments, parents before replies, many rows per statement (and the
    /// waiting post–term links).
    func flushComments() async throws {
        try await writer.addTerms(pendingTermLinks)
        pendingTermLinks = []
        var remaining = pendingComments
        pendingComments = []
        // The new ID of every comment of these posts by WordPress ID, including earlier imports'.
        var ids: [Int64: (post: Int64, id: Int64)] = [:]
        for (postID, map) in existingCommentIDs {
            for (wpID, id) in map { ids[wpID] = (postID, id) }
        }
        existingCommentIDs = [:]
        while !remaining.isEmpty {
            let waitingIDs = Set(remaining.map(\.wpID))
            var ready: [PendingComment] = []
            var waiting: [PendingComment] = []
            for var pending in remaining {
                if pending.wpParent == 0 {
                    ready.append(pending)
                } else if let parent = ids[pending.wpParent], parent.post == pending.comment.postID {
                    pending.comment.parentID = parent.id
                    ready.append(pending)
                } else if waitingIDs.contains(pending.wpParent) && pending.wpParent != pending.wpID {
                    waiting.append(pending)
                } else {
                    summary.warn("\(pending.label): its parent comment \(pending.wpParent) is not in the file; imported as a top-level comment")
                    ready.append(pending)
                }
            }
            if ready.isEmpty {
                // Replies that only answer each other (a cycle): break it at the oldest.
                var oldest = waiting.removeFirst()
                summary.warn("\(oldest.label): its parent \(oldest.wpParent) is one of its own replies; imported as a top-level comment")
                oldest.comment.parentID = nil
                ready.append(oldest)
            }
            let inserted = try await writer.insertComments(ready.map { ($0.comment, $0.wpID) })
            for pending in ready {
                if let id = inserted[pending.wpID] {
                    ids[pending.wpID] = (pending.comment.postID, id)
                    summary[.comments].imported += 1
                    let c = pending.comment
                    if c.type == .comment, c.status == .approved || c.status == .spam {
                        summary.decidedComments.append(
                            .init(text: c.source, author: c.authorName, email: c.authorEmail, url: c.authorURL, isSpam: c.status == .spam))
                    }
                } else {
                    summary[.comments].existing += 1
                    postsToRecount.insert(pending.comment.postID)
                }
            }
            remaining = waiting
        }
    }
}
