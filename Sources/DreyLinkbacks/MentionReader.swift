import DreyCore
import DreyRender
import Foundation

/// What a Webmention's source says, read from its microformats (or its title when it has none).
public struct Mention: Sendable, Equatable {
    public var kind: MentionKind
    public var authorName: String
    public var authorURL: String
    public var authorPhoto: String
    /// Sanitized HTML for the comment: the entry's content, or a line saying what it did.
    public var contentHTML: String
    public var title: String
    public var published: String
    /// The entry's own URL (the source, unless the page says otherwise).
    public var url: String
}

public enum MentionReader {
    /// The first `h-entry` that is the source page itself (its `url`), else the first `h-entry`.
    public static func entry(in items: [MF2Item], source: String) -> MF2Item? {
        let entries = Microformats.flatten(items).filter { $0.has(type: "h-entry") }
        return entries.first { e in (e.properties["url"] ?? []).contains { URLMatch.same($0.text, source) } } ?? entries.first
    }

    public static func read(_ page: SourcePage, target: String) -> Mention {
        let items = Microformats.parse(page.document, url: page.url)
        let host = URLMatch.host(page.url) ?? page.url
        guard let entry = entry(in: items, source: page.url) else {
            let title = page.title
            return Mention(
                kind: .mention, authorName: title.isEmpty ? host : title, authorURL: page.url, authorPhoto: "",
                contentHTML: page.excerpt(around: target).map { "<p>\(HTMLEscape.text($0))</p>" } ?? "",
                title: title, published: "", url: page.url)
        }
        let kind = kind(of: entry, target: target)
        var author = author(of: entry, items: items)
        if author.name.isEmpty { author.name = author.url.isEmpty ? host : (URLMatch.host(author.url) ?? host) }
        let name = entry.text("name") ?? ""
        var html = ""
        if let content = entry.first("content") {
            switch content {
            case .html(let markup, _): html = markup
            default: html = "<p>\(HTMLEscape.text(content.text))</p>"
            }
        } else if let summary = entry.text("summary") {
            html = "<p>\(HTMLEscape.text(summary))</p>"
        } else if !name.isEmpty {
            html = "<p>\(HTMLEscape.text(name))</p>"
        }
        switch kind {
        case .like: html = "<p>liked this</p>"
        case .repost: html = "<p>reposted this</p>"
        case .bookmark where html.isEmpty: html = "<p>bookmarked this</p>"
        default: break
        }
        if html.isEmpty { html = page.excerpt(around: target).map { "<p>\(HTMLEscape.text($0))</p>" } ?? "" }
        let url = entry.text("url").flatMap { URLMatch.resolve($0, against: page.url) } ?? page.url
        return Mention(
            kind: kind, authorName: author.name, authorURL: author.url, authorPhoto: author.photo,
            contentHTML: HTMLSanitizer.sanitize(html, policy: .comment), title: name, published: entry.text("published") ?? "",
            url: url)
    }

    /// Reply, repost, like or bookmark when the entry says so of the target; a mention otherwise.
    public static func kind(of entry: MF2Item, target: String) -> MentionKind {
        let order: [(String, MentionKind)] = [("in-reply-to", .reply), ("repost-of", .repost), ("like-of", .like), ("bookmark-of", .bookmark)]
        for (property, kind) in order {
            let values = entry.properties[property] ?? []
            if values.contains(where: { value in
                let url = value.item.flatMap { $0.text("url") } ?? value.text
                return URLMatch.same(url, target)
            }) {
                return kind
            }
        }
        return .mention
    }

    /// The entry's author as an h-card (name, url, photo); else the page's first top-level h-card.
    static func author(of entry: MF2Item, items: [MF2Item]) -> (name: String, url: String, photo: String) {
        if let value = entry.first("author") {
            if let card = value.item {
                return (card.text("name") ?? value.text, card.text("url") ?? "", card.text("photo") ?? "")
            }
            let text = value.text
            if text.hasPrefix("http://") || text.hasPrefix("https://") { return ("", text, "") }
            return (text, "", "")
        }
        if let card = items.first(where: { $0.has(type: "h-card") }) {
            return (card.text("name") ?? "", card.text("url") ?? "", card.text("photo") ?? "")
        }
        return ("", "", "")
    }
}
