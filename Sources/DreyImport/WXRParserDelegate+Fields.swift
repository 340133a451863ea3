import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Where each WXR element's text goes, and the trim every field gets.
extension WXRParserDelegate {
    func setAuthorField(_ name: String, _ value: String) {
        let v = Self.trimmed(value)
        switch name {
        case "author_id": author?.id = Int64(v)
        case "author_login": author?.login = v
        case "author_email": author?.email = v
        case "author_display_name": author?.displayName = v
        case "author_first_name": author?.firstName = v
        case "author_last_name": author?.lastName = v
        default: break
        }
    }

    func setTermField(_ name: String, _ value: String) {
        let v = Self.trimmed(value)
        switch name {
        case "term_id": term?.id = Int64(v)
        case "category_nicename", "tag_slug", "term_slug": term?.slug = v
        case "category_parent", "term_parent": term?.parent = v
        case "cat_name", "tag_name", "term_name": term?.name = v
        case "category_description", "tag_description", "term_description": term?.description = v
        case "term_taxonomy": term?.taxonomy = v
        default: break
        }
    }

    func endItemChild(_ frame: Frame, _ value: String) {
        if frame.vocabulary == .rss && frame.name == "category" {
            if let (domain, slug) = itemTerm, !domain.isEmpty {
                item?.terms.append(WXRItemTerm(domain: domain, slug: slug, name: Self.trimmed(value)))
            }
            itemTerm = nil
            return
        }
        if frame.vocabulary == .wp && frame.name == "postmeta" {
            if let meta { item?.meta.append(meta) }
            meta = nil
            return
        }
        if frame.vocabulary == .wp && frame.name == "comment" {
            if let comment { item?.comments.append(comment) }
            comment = nil
            return
        }
        // The first of two elements with the same meaning wins, as with WordPress's own reader.
        let key = "\(frame.vocabulary)\(frame.name)"
        guard assigned.insert(key).inserted else { return }
        let v = Self.trimmed(value)
        switch (frame.vocabulary, frame.name) {
        case (.rss, "title"): item?.title = v
        case (.rss, "link"): item?.link = v
        case (.rss, "pubDate"): item?.pubDate = v
        case (.rss, "guid"): item?.guid = v
        case (.dc, "creator"): item?.creator = v
        case (.content, "encoded"): item?.content = value
        case (.excerpt, "encoded"): item?.excerpt = value
        case (.wp, "post_id"): item?.id = Int64(v)
        case (.wp, "post_date"): item?.date = v
        case (.wp, "post_date_gmt"): item?.dateGMT = v
        case (.wp, "post_modified"): item?.modified = v
        case (.wp, "post_modified_gmt"): item?.modifiedGMT = v
        case (.wp, "comment_status"): item?.commentStatus = v
        case (.wp, "ping_status"): item?.pingStatus = v
        case (.wp, "post_name"): item?.name = v
        case (.wp, "status"): item?.status = v
        case (.wp, "post_parent"): item?.parent = Int64(v) ?? 0
        case (.wp, "menu_order"): item?.menuOrder = Int(v) ?? 0
        case (.wp, "post_type"): item?.type = v
        case (.wp, "post_password"): item?.password = value
        case (.wp, "is_sticky"): item?.isSticky = v == "1"
        case (.wp, "attachment_url"): item?.attachmentURL = v
        default: assigned.remove(key)
        }
    }

    func setCommentField(_ name: String, _ value: String) {
        let v = Self.trimmed(value)
        switch name {
        case "comment_id": comment?.id = Int64(v)
        case "comment_author": comment?.author = v
        case "comment_author_email": comment?.authorEmail = v
        case "comment_author_url": comment?.authorURL = v
        case "comment_author_IP": comment?.authorIP = v
        case "comment_date": comment?.date = v
        case "comment_date_gmt": comment?.dateGMT = v
        case "comment_content": comment?.content = value
        case "comment_approved": comment?.approved = v
        case "comment_type": comment?.type = v
        case "comment_parent": comment?.parent = Int64(v) ?? 0
        case "comment_user_id": comment?.userID = Int64(v) ?? 0
        case "commentmeta":
            if let meta { comment?.meta.append(meta) }
            meta = nil
        default: break
        }
    }

    func setMetaField(_ frame: Frame, _ value: String) {
        guard frame.vocabulary == .wp else { return }
        if frame.name == "meta_key" { meta?.key = Self.trimmed(value) }
        if frame.name == "meta_value" { meta?.value = value }
    }

    /// Text without the whitespace around it (what PHP's `trim` removes). Called for every field
    /// of every comment, so it works on bytes instead of Foundation's `trimmingCharacters`.
    static func trimmed(_ text: String) -> String {
        let utf8 = text.utf8
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == 0x0B || b == 0x00 }
        guard let first = utf8.first, let last = utf8.last, isSpace(first) || isSpace(last) else { return text }
        guard let start = utf8.firstIndex(where: { !isSpace($0) }), let end = utf8.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[start...end])
    }
}
