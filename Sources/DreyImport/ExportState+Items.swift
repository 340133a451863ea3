import DreyCore
import DreyStore
import Foundation

extension ExportState {
    /// The post's address on the site now, as WordPress would put it in `<link>`.
    func link(_ post: Post, termIDs: [Int64]) -> String {
        let base = exporter.baseURL
        guard post.status == .publish || post.status == .future || post.status == .private else {
            return base + (post.type == .page ? "/?page_id=" : "/?p=") + String(postID(post.id))
        }
        var ancestors: [String] = []
        var cursor = post.type == .page ? post.parentID : nil
        while let id = cursor, let parent = outline[id], ancestors.count < 10 {
            ancestors.insert(parent.slug, at: 0)
            cursor = parent.parentID
        }
        let category = termIDs.filter { termsByID[$0]?.taxonomy == .category }.min().flatMap { categoryPaths[$0] } ?? "uncategorized"
        let place = PostPlace(categoryPath: category, authorLogin: logins[post.authorID] ?? "author", ancestors: ancestors)
        return SiteLinks(base: base, settings: exporter.site.settings).post(post, at: place)
    }

    mutating func writePost(
        _ post: Post, wpID: Int64?, termIDs: [Int64], comments: [(comment: Comment, wpID: Int64?)], to out: WXROutput
    ) throws {
        let id = postID(post.id)
        let tz = exporter.site.settings.timeZone
        let guid = post.guid.isEmpty ? exporter.baseURL + "/?p=\(post.id)" : post.guid
        let content = post.format == .markdown ? post.contentHTML : post.source
        var text = "\t<item>\n"
        text += "\t\t\(WXRMarkup.element("title", cdata: post.title))\n"
        text += "\t\t<link>\(WXRMarkup.escape(link(post, termIDs: termIDs)))</link>\n"
        text += "\t\t<pubDate>\(WXRDates.rfc822String(post.publishedAt))</pubDate>\n"
        text += "\t\t\(WXRMarkup.element("dc:creator", cdata: logins[post.authorID] ?? ""))\n"
        text += "\t\t<guid isPermaLink=\"false\">\(WXRMarkup.escape(guid))</guid>\n"
        text += "\t\t<description></description>\n"
        text += "\t\t\(WXRMarkup.element("content:encoded", cdata: content))\n"
        text += "\t\t\(WXRMarkup.element("excerpt:encoded", cdata: post.excerpt))\n"
        text += "\t\t\(WXRMarkup.element("wp:post_id", id))\n"
        text += dates(post.publishedAt, post.modifiedAt, tz)
        text += "\t\t\(WXRMarkup.element("wp:comment_status", cdata: post.commentStatus.rawValue))\n"
        text += "\t\t\(WXRMarkup.element("wp:ping_status", cdata: post.pingStatus.rawValue))\n"
        text += "\t\t\(WXRMarkup.element("wp:post_name", cdata: post.slug))\n"
        text += "\t\t\(WXRMarkup.element("wp:status", cdata: post.status.rawValue))\n"
        text += "\t\t\(WXRMarkup.element("wp:post_parent", post.parentID.map(postID) ?? 0))\n"
        text += "\t\t\(WXRMarkup.element("wp:menu_order", post.menuOrder))\n"
        text += "\t\t\(WXRMarkup.element("wp:post_type", cdata: post.type.rawValue))\n"
        text += "\t\t\(WXRMarkup.element("wp:post_password", cdata: post.password))\n"
        text += "\t\t\(WXRMarkup.element("wp:is_sticky", post.sticky ? 1 : 0))\n"
        for termID in termIDs.sorted(by: { (exportedTermIDs[$0] ?? 0) < (exportedTermIDs[$1] ?? 0) }) {
            guard let term = termsByID[termID] else { continue }
            let domain = term.taxonomy == .category ? "category" : "post_tag"
            text += "\t\t<category domain=\"\(domain)\" nicename=\"\(WXRMarkup.escape(term.slug))\">\(WXRMarkup.cdata(term.name))</category>\n"
        }
        if post.format == .markdown { text += WXRMarkup.meta(ImportSession.markdownMeta, post.source) }
        let typography = post.typography.storageString
        if !typography.isEmpty { text += WXRMarkup.meta(ImportSession.typographyMeta, typography) }
        try out.write(text)
        try writeComments(comments, to: out)
        try out.write("\t</item>\n")
        if post.type == .page { counts.pages += 1 } else { counts.posts += 1 }
    }

    func dates(_ published: Date, _ modified: Date, _ tz: TimeZone) -> String {
        "\t\t\(WXRMarkup.element("wp:post_date", cdata: WXRDates.string(published, timeZone: tz)))\n"
            + "\t\t\(WXRMarkup.element("wp:post_date_gmt", cdata: WXRDates.string(published)))\n"
            + "\t\t\(WXRMarkup.element("wp:post_modified", cdata: WXRDates.string(modified, timeZone: tz)))\n"
            + "\t\t\(WXRMarkup.element("wp:post_modified_gmt", cdata: WXRDates.string(modified)))\n"
    }

    mutating func writeComments(_ comments: [(comment: Comment, wpID: Int64?)], to out: WXROutput) throws {
        let tz = exporter.site.settings.timeZone
        var ids: [Int64: Int64] = [:]
        for (c, wpID) in comments { ids[c.id] = wpID.flatMap { $0 > 0 ? $0 : nil } ?? commentOffset + c.id }
        let ordered = comments.map(\.comment).sorted { ($0.createdAt, ids[$0.id]!) < ($1.createdAt, ids[$1.id]!) }
        for c in ordered {
            var text = "\t\t<wp:comment>\n"
            text += "\t\t\t\(WXRMarkup.element("wp:comment_id", ids[c.id]!))\n"
            text += "\t\t\t\(WXRMarkup.element("wp:comment_author", cdata: c.authorName))\n"
            text += "\t\t\t\(WXRMarkup.element("wp:comment_author_email", cdata: c.authorEmail))\n"
            text += "\t\t\t\(WXRMarkup.element("wp:comment_author_url", WXRMarkup.escape(c.authorURL)))\n"
            text += "\t\t\t\(WXRMarkup.element("wp:comment_author_IP", cdata: c.authorIP))\n"
            text += "\t\t\t\(WXRMarkup.element("wp:comment_date", cdata: WXRDates.string(c.createdAt, timeZone: tz)))\n"
            text += "\t\t\t\(WXRMarkup.element("wp:comment_date_gmt", cdata: WXRDates.string(c.createdAt)))\n"
            text += "\t\t\t\(WXRMarkup.element("wp:comment_content", cdata: c.source))\n"
            text += "\t\t\t\(WXRMarkup.element("wp:comment_approved", cdata: Self.approved(c.status)))\n"
            text += "\t\t\t\(WXRMarkup.element("wp:comment_type", cdata: c.type.rawValue))\n"
            text += "\t\t\t\(WXRMarkup.element("wp:comment_parent", c.parentID.flatMap { ids[$0] } ?? 0))\n"
            text += "\t\t\t\(WXRMarkup.element("wp:comment_user_id", c.userID.flatMap { authorIDs[$0] } ?? 0))\n"
            if !c.userAgent.isEmpty { text += "\t" + WXRMarkup.meta(ImportSession.userAgentMeta, c.userAgent, tag: "commentmeta") }
            if !c.moderationNote.isEmpty { text += "\t" + WXRMarkup.meta(ImportSession.moderationNoteMeta, c.moderationNote, tag: "commentmeta") }
            text += "\t\t</wp:comment>\n"
            try out.write(text)
            counts.comments += 1
        }
    }

    static func approved(_ status: CommentStatus) -> String {
        switch status {
        case .approved: return "1"
        case .pending: return "0"
        case .spam: return "spam"
        case .trash: return "trash"
        }
    }

    mutating func writeMedia(_ media: Media, wpID: Int64?, to out: WXROutput) throws {
        let id = wpID.flatMap { $0 > 0 ? $0 : nil } ?? mediaOffset + media.id
        let url = media.localPath.map { exporter.baseURL + $0 } ?? media.originalURL
        let tz = exporter.site.settings.timeZone
        var text = "\t<item>\n"
        text += "\t\t\(WXRMarkup.element("title", cdata: media.title))\n"
        text += "\t\t<link>\(WXRMarkup.escape(exporter.baseURL))/?attachment_id=\(id)</link>\n"
        text += "\t\t<pubDate>\(WXRDates.rfc822String(media.publishedAt))</pubDate>\n"
        text += "\t\t\(WXRMarkup.element("dc:creator", cdata: media.authorID.flatMap { logins[$0] } ?? ""))\n"
        text += "\t\t<guid isPermaLink=\"false\">\(WXRMarkup.escape(media.guid.isEmpty ? url : media.guid))</guid>\n"
        text += "\t\t<description></description>\n"
        text += "\t\t\(WXRMarkup.element("content:encoded", cdata: media.description))\n"
        text += "\t\t\(WXRMarkup.element("excerpt:encoded", cdata: media.caption))\n"
        text += "\t\t\(WXRMarkup.element("wp:post_id", id))\n"
        text += dates(media.publishedAt, media.modifiedAt, tz)
        text += "\t\t\(WXRMarkup.element("wp:comment_status", cdata: "closed"))\n\t\t\(WXRMarkup.element("wp:ping_status", cdata: "closed"))\n"
        text += "\t\t\(WXRMarkup.element("wp:post_name", cdata: media.slug))\n"
        text += "\t\t\(WXRMarkup.element("wp:status", cdata: "inherit"))\n"
        text += "\t\t\(WXRMarkup.element("wp:post_parent", media.postID.map(postID) ?? 0))\n"
        text += "\t\t\(WXRMarkup.element("wp:menu_order", 0))\n"
        text += "\t\t\(WXRMarkup.element("wp:post_type", cdata: "attachment"))\n"
        text += "\t\t\(WXRMarkup.element("wp:post_password", cdata: ""))\n"
        text += "\t\t\(WXRMarkup.element("wp:is_sticky", 0))\n"
        text += "\t\t\(WXRMarkup.element("wp:attachment_url", cdata: url))\n"
        if !media.file.isEmpty { text += WXRMarkup.meta("_wp_attached_file", media.file) }
        if !media.altText.isEmpty { text += WXRMarkup.meta("_wp_attachment_image_alt", media.altText) }
        if media.localPath != nil { text += WXRMarkup.meta(ImportSession.originalURLMeta, media.originalURL) }
        text += "\t</item>\n"
        try out.write(text)
        counts.attachments += 1
    }
}
