import DreyCore
import DreyRender
import Foundation

extension FediverseService {
    /// A `Note` replying to one of our posts, or to a comment on one: a comment in the thread, through the same
    /// checks, spam filter and moderation as every comment. An `Update` from the same actor edits it.
    func receiveReply(_ site: Site, note: JSONObject, actorURI: String, isUpdate: Bool) async throws {
        let ids = FediverseIDs(site: site)
        guard let noteID = note["id"] as? String, Self.sameOrigin(noteID, actorURI),
            Self.id(note["attributedTo"]) ?? actorURI == actorURI
        else { return }
        let html = note["content"] as? String ?? ""
        // Kept as the limited HTML comments allow: links and paragraphs survive, anything executable does not.
        let text = HTMLSanitizer.sanitize(html, policy: .comment)
        if isUpdate {
            guard let commentID = try await store.commentID(noteID: noteID, siteID: site.id),
                let existing = try await store.comment(id: commentID), let linked = try await store.noteID(commentID: commentID),
                linked.actorURI == actorURI
            else { return }
            _ = try await comments.edit(
                commentID, siteID: site.id, name: existing.authorName, email: existing.authorEmail, url: existing.authorURL, text: text)
            return
        }
        if try await store.commentID(noteID: noteID, siteID: site.id) != nil { return }
        guard let inReplyTo = Self.id(note["inReplyTo"]) else { return }
        var postID = postID(inReplyTo, ids: ids)
        var parentID: Int64? = nil
        if postID == nil, let parent = try await store.commentID(noteID: inReplyTo, siteID: site.id),
            let comment = try await store.comment(id: parent)
        {
            (postID, parentID) = (comment.postID, parent)
        } else if postID == nil, let hash = inReplyTo.range(of: "#comment-"), let id = Int64(inReplyTo[hash.upperBound...]),
            let comment = try await store.comment(id: id), comment.siteID == site.id
        {
            // A reply to one of our own comments, by the address `replies` lists for it.
            (postID, parentID) = (comment.postID, id)
        }
        guard let postID, let post = try await store.post(id: postID, siteID: site.id), Self.federates(post, now: clock.now()),
            let author = try await remoteActor(site, uri: actorURI)
        else { return }
        // Before the comment: the page it refreshes shows the face.
        await refreshFace(site, actor: author)
        let host = URLComponents(string: actorURI)?.host ?? "fediverse"
        let local = author.handle.split(separator: "@").first.map(String.init) ?? "someone"
        var submission = CommentSubmission(
            postID: post.id, authorName: String((author.name.isEmpty ? author.handle : author.name).prefix(CommentService.maxNameLength)),
            email: "\(local)@\(host)", url: author.url.count <= CommentService.maxURLLength ? author.url : "", text: text)
        submission.parentID = parentID
        submission.userAgent = "ActivityPub from \(host)"
        if let published = (note["published"] as? String).flatMap(Self.parseISO), published < clock.now() {
            submission.createdAt = published
        }
        let comment: Comment
        do {
            comment = try await comments.submit(submission, siteID: site.id)
        } catch let rejection as CommentRejection {
            logger.info("a fediverse reply was refused: \(rejection.messages.joined(separator: " "))", metadata: ["note": "\(noteID)"])
            return
        }
        try await store.linkNote(commentID: comment.id, siteID: site.id, noteID: noteID, actorURI: actorURI)
    }

    /// A `Delete` of a reply by the actor who wrote it: the comment goes to the trash, as a moderator's delete does.
    func deleteReply(_ site: Site, noteID: String, actorURI: String) async throws {
        guard let commentID = try await store.commentID(noteID: noteID, siteID: site.id),
            let linked = try await store.noteID(commentID: commentID), linked.actorURI == actorURI
        else { return }
        _ = try await comments.setStatus(.trash, commentID: commentID)
    }

    /// `2024-05-01T10:00:00Z` (fractions and offsets other than Z are read as UTC to the second).
    static func parseISO(_ text: String) -> Date? {
        let digits = text.prefix(19).split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
        guard digits.count == 6 else { return nil }
        return HTTPSignatures.utcDate(digits[0], digits[1], digits[2], digits[3], digits[4], digits[5])
    }
}
