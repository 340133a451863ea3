import DreyRender
import Foundation

/// A page that claims to link to one of our posts: does it, and what does it say around the link?
public struct SourcePage {
    public let url: String
    public let document: HTMLNode
    public let isHTML: Bool
    let raw: String

    public init(body: String, url: String, isHTML: Bool = true) {
        self.url = url
        self.raw = body
        self.isHTML = isHTML
        self.document = HTMLDocument.parse(isHTML ? body : "")
    }

    /// Elements whose link or embedded resource is `target` (a, area, img, audio, video, source, iframe).
    public func elements(linkingTo target: String) -> [HTMLNode] {
        document.descendants.filter { node in
            let value: String?
            switch node.name {
            case "a", "area": value = node.attribute("href")
            case "img", "audio", "video", "source", "iframe": value = node.attribute("src")
            default: value = nil
            }
            guard let value, let absolute = URLMatch.resolve(value, against: url) else { return false }
            return URLMatch.same(absolute, target)
        }
    }

    /// Whether the page links to `target`; a plain-text or JSON source counts when it contains the URL.
    public func links(to target: String) -> Bool {
        if !isHTML { return raw.contains(target) }
        return !elements(linkingTo: target).isEmpty
    }

    /// The `<title>`, whitespace collapsed.
    public var title: String {
        MF2Parser.clean(document.first("title")?.textContent ?? "")
    }

    static let blocks: Set<String> = [
        "p", "li", "td", "th", "dd", "dt", "pre", "caption", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "div",
        "article", "section", "body", "figcaption",
    ]

    /// WordPress's pingback excerpt: up to 100 characters either side of the first link to `target`
    /// in its paragraph, as "[…] text […]"; nil when no `<a>` links there.
    public func excerpt(around target: String) -> String? {
        guard let anchor = elements(linkingTo: target).first(where: { $0.name == "a" }) else { return nil }
        var block = anchor.parent
        while let b = block, !Self.blocks.contains(b.name), b.parent != nil { block = b.parent }
        guard let paragraph = block else { return nil }
        var linkText = MF2Parser.clean(anchor.textWithImageAlts)
        if linkText.count > 100 { linkText = String(linkText.prefix(100)) + "…" }
        let marker = "\u{E000}"
        var text = ""
        collect(paragraph, anchor: anchor, marker: marker, into: &text)
        text = MF2Parser.clean(text)
        guard let range = text.range(of: marker) else { return nil }
        let before = Self.tail(String(text[..<range.lowerBound]), limit: 100)
        let after = Self.head(String(text[range.upperBound...]), limit: 100)
        let excerpt = (before + linkText + after).trimmingCharacters(in: .whitespaces)
        return "[…] \(excerpt) […]"
    }

    private func collect(_ node: HTMLNode, anchor: HTMLNode, marker: String, into out: inout String) {
        for child in node.children {
            if child === anchor {
                out += marker
            } else if child.isText {
                out += child.text
            } else if child.name == "script" || child.name == "style" {
                continue
            } else {
                if Self.blocks.contains(child.name) || child.name == "br" { out += " " }
                collect(child, anchor: anchor, marker: marker, into: &out)
            }
        }
    }

    /// The last `limit` characters, starting at a word.
    static func tail(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        let cut = String(text.suffix(limit))
        guard let space = cut.firstIndex(of: " ") else { return cut }
        return String(cut[space...])
    }

    /// The first `limit` characters, ending at a word.
    static func head(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        let cut = String(text.prefix(limit))
        guard let space = cut.lastIndex(of: " ") else { return cut }
        return String(cut[..<space])
    }
}
