import Foundation

/// Images a `[gallery]` can show: the content's attachment IDs resolved by whoever renders it.
public struct ShortcodeMedia: Sendable {
    public struct Image: Sendable, Equatable {
        public var url: String
        public var alt: String
        public var caption: String

        public init(url: String, alt: String = "", caption: String = "") {
            self.url = url
            self.alt = alt
            self.caption = caption
        }
    }

    /// Images by the IDs the content uses (WordPress attachment IDs for imported posts).
    public var byID: [Int64: Image]
    /// Images uploaded to the post being rendered, in order: what a bare `[gallery]` shows.
    public var ofPost: [Image]
    /// Whether the lookup is complete; when not, a gallery it cannot fill is left as written.
    public var isResolved: Bool

    public init(byID: [Int64: Image] = [:], ofPost: [Image] = [], isResolved: Bool = true) {
        self.byID = byID
        self.ofPost = ofPost
        self.isResolved = isResolved
    }

    public static let unresolved = ShortcodeMedia(isResolved: false)
}

/// What WordPress does to an HTML post before a theme shows it: block delimiters removed (block
/// content gets no autop, as in WordPress), video links and the shortcodes Drey knows turned into
/// HTML, then autop for classic content. Unknown shortcodes stay visible, as WordPress leaves them.
public enum WordPressMarkup {
    /// Shortcodes turned into HTML; `caption` and `wp_caption` are the same one.
    public static let handledShortcodes: Set<String> = ["caption", "wp_caption", "gallery", "embed", "video", "audio"]

    public static func html(_ source: String, media: ShortcodeMedia = .unresolved) -> String {
        let hasBlocks = FastText.contains(source, "<!-- wp:")
        var text = hasBlocks ? BlockMarkup.strip(source) : Embeds.expandLines(source)
        if FastText.contains(text, "<video") || FastText.contains(text, "<audio") { text = Embeds.replaceMediaElements(text) }
        if Self.mayHaveHandledShortcode(text) {
            text = ShortcodeScanner.replace(text, handled: handledShortcodes) { expand($0, media: media) }
        }
        return hasBlocks ? text : Autop.apply(text)
    }

    static func mayHaveHandledShortcode(_ text: String) -> Bool {
        FastText.contains(text, "[caption") || FastText.contains(text, "[wp_caption") || FastText.contains(text, "[gallery")
            || FastText.contains(text, "[embed") || FastText.contains(text, "[video") || FastText.contains(text, "[audio")
    }

    /// Shortcodes and dynamic blocks in `source` that are shown as written, by name, with counts.
    public static func unhandled(in source: String) -> [String: Int] {
        guard FastText.contains(source, "[") || FastText.contains(source, "<!-- wp:") else { return [:] }
        var counts: [String: Int] = [:]
        for name in ShortcodeScanner.names(in: source) where !handledShortcodes.contains(name) {
            counts["[\(name)]", default: 0] += 1
        }
        for name in BlockMarkup.dynamicBlocks(in: source) { counts["wp:\(name)", default: 0] += 1 }
        return counts
    }

    static func expand(_ code: Shortcode, media: ShortcodeMedia) -> String? {
        switch code.name {
        case "caption", "wp_caption": return caption(code)
        case "gallery": return gallery(code, media: media)
        case "embed":
            guard let url = code.content?.trimmingCharacters(in: .whitespacesAndNewlines), url.hasPrefix("http") else { return nil }
            return Embeds.html(for: url, always: true)
        case "video", "audio":
            let sources = ["src", "mp4", "m4v", "webm", "ogv", "mp3", "ogg", "wav", "m4a"]
            guard let url = sources.lazy.compactMap({ code.attributes[$0] }).first else { return nil }
            return Embeds.html(for: url, always: true)
        default: return nil
        }
    }

    /// `[caption align="alignright"]<a><img></a> Text[/caption]` as a figure with a figcaption.
    static func caption(_ code: Shortcode) -> String? {
        guard let content = code.content else { return nil }
        var image = ""
        var text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        // The image (possibly inside a link) leads; what follows it is the caption.
        if let imgStart = text.range(of: "<img"), let imgEnd = text[imgStart.upperBound...].firstIndex(of: ">") {
            var end = text.index(after: imgEnd)
            if text[end...].drop(while: \.isWhitespace).hasPrefix("</a>") {
                end = text[end...].range(of: "</a>")!.upperBound
            }
            image = String(text[..<end])
            text = String(text[end...]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let captionText = code.attributes["caption"] ?? text
        let align = code.attributes["align"].map { " " + HTMLEscape.text($0) } ?? ""
        let figcaption = captionText.isEmpty ? "" : "<figcaption class=\"wp-caption-text\">\(captionText)</figcaption>"
        return "<figure class=\"wp-caption\(align)\">\(image)\(figcaption)</figure>"
    }

    /// `[gallery ids="1,2" columns="3"]`, or a bare `[gallery]` for the post's own images.
    static func gallery(_ code: Shortcode, media: ShortcodeMedia) -> String? {
        let ids = (code.attributes["ids"] ?? code.attributes["include"] ?? "")
            .split(whereSeparator: { $0 == "," || $0 == " " }).compactMap { Int64($0) }
        let images = ids.isEmpty ? media.ofPost : ids.compactMap { media.byID[$0] }
        guard !images.isEmpty else { return media.isResolved ? "" : nil }
        let columns = max(1, min(9, Int(code.attributes["columns"] ?? "") ?? 3))
        var html = "<div class=\"gallery gallery-columns-\(columns)\">"
        for image in images {
            let src = HTMLEscape.text(image.url)
            html += "<figure class=\"gallery-item\"><a href=\"\(src)\"><img src=\"\(src)\" alt=\"\(HTMLEscape.text(image.alt))\"></a>"
            if !image.caption.isEmpty {
                html += "<figcaption class=\"wp-caption-text gallery-caption\">\(HTMLEscape.text(image.caption))</figcaption>"
            }
            html += "</figure>"
        }
        return html + "</div>"
    }
}

/// The block editor's `<!-- wp:name {…} -->` delimiters: the HTML between them is the content.
enum BlockMarkup {
    /// Content without block delimiters; URLs inside embed blocks become links.
    static func strip(_ source: String) -> String {
        var out = ""
        out.reserveCapacity(source.utf8.count)
        var rest = source[...]
        var embedDepth = 0
        var pending = ""  // text inside an embed block, expanded when the block closes
        while let open = rest.range(of: "<!--") {
            let before = rest[..<open.lowerBound]
            if embedDepth > 0 { pending += before } else { out += before }
            guard let close = rest[open.upperBound...].range(of: "-->") else {
                rest = rest[open.lowerBound...]
                break
            }
            let comment = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
            rest = rest[close.upperBound...]
            guard let delimiter = Delimiter(comment) else {
                let text = "<!--" + comment + "-->"
                if embedDepth > 0 { pending += text } else { out += text }
                continue
            }
            if delimiter.isEmbed && !delimiter.selfClosing {
                if delimiter.closing {
                    embedDepth = max(0, embedDepth - 1)
                    if embedDepth == 0 {
                        out += Embeds.expandLines(pending, inEmbedBlock: true)
                        pending = ""
                    }
                } else {
                    embedDepth += 1
                }
            }
            if delimiter.name == "more" && !delimiter.closing { out += "<!--more-->" }
        }
        out += pending
        out += rest
        return out
    }

    /// Self-closing blocks other than `more`: WordPress builds them from the database at view time.
    static func dynamicBlocks(in source: String) -> [String] {
        guard FastText.contains(source, "<!-- wp:") else { return [] }
        var names: [String] = []
        var rest = source[...]
        while let open = rest.range(of: "<!-- wp:"), let close = rest[open.upperBound...].range(of: "-->") {
            let comment = rest[open.lowerBound..<close.upperBound].dropFirst(4).dropLast(3).trimmingCharacters(in: .whitespacesAndNewlines)
            if let d = Delimiter(comment), d.selfClosing, !["more", "nextpage", "spacer", "separator", "shortcode"].contains(d.name) {
                names.append(d.name)
            }
            rest = rest[close.upperBound...]
        }
        return names
    }

    struct Delimiter {
        let name: String
        let closing: Bool
        let selfClosing: Bool

        var isEmbed: Bool { name == "embed" || name.hasPrefix("core-embed/") }

        /// Parses `wp:name {json}`, `/wp:name` or `wp:name {json} /`; nil for any other comment.
        init?(_ comment: String) {
            var text = comment[...]
            closing = text.hasPrefix("/wp:")
            if closing { text = text.dropFirst() }
            guard text.hasPrefix("wp:") else { return nil }
            text = text.dropFirst(3)
            let name = text.prefix { $0.isLetter || $0.isNumber || $0 == "/" || $0 == "-" || $0 == "_" }
            guard !name.isEmpty else { return nil }
            self.name = name.hasPrefix("core/") ? String(name.dropFirst(5)) : String(name)
            selfClosing = !closing && text.hasSuffix("/")
        }
    }
}
