import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation

/// Images in a post's HTML made to load well: each `<img>` of an upload gets its width and height (no layout
/// shift), a `srcset` of its sizes with `sizes`, a WebP `<source>`, and `loading="lazy"` after the first.
struct ResponsiveImages: Sendable {
    let store: SQLStore

    static let uploadsPrefix = "/wp-content/uploads/"

    /// Rewrites `html`; `eager` is how many images at the top load at once (the first of a page, none further down a list).
    func apply(_ html: String, siteID: Int64, base: String, eager: Int = 1) async throws -> String {
        guard FastText.contains(html, "<img") else { return html }
        let tags = Self.imgTags(in: html)
        guard !tags.isEmpty else { return html }
        let files = Set(tags.compactMap { Self.uploadFile(Self.attribute("src", in: String(html[$0])) ?? "", base: base) })
        let media = try await store.media(files: Array(files), siteID: siteID)
        let byFile = Dictionary(media.map { ($0.file, $0) }, uniquingKeysWith: { a, _ in a })
        var out = ""
        var cursor = html.startIndex
        for (index, range) in tags.enumerated() {
            out += html[cursor..<range.lowerBound]
            let tag = String(html[range])
            let file = Self.uploadFile(Self.attribute("src", in: tag) ?? "", base: base)
            out += Self.rewrite(tag, media: file.flatMap { byFile[$0] }, base: base, lazy: index >= eager)
            cursor = range.upperBound
        }
        out += html[cursor...]
        return out
    }

    /// One `<img>` tag rewritten; a tag that is not of a ready upload only gets its loading hint.
    static func rewrite(_ tag: String, media: Media?, base: String, lazy: Bool) -> String {
        var extra = ""
        if lazy, attribute("loading", in: tag) == nil { extra += " loading=\"lazy\"" }
        if attribute("decoding", in: tag) == nil { extra += " decoding=\"async\"" }
        guard let media, media.state == .ready, media.width > 0 else { return insert(extra, into: tag) }
        if attribute("width", in: tag) == nil, attribute("height", in: tag) == nil {
            extra += " width=\"\(media.width)\" height=\"\(media.height)\""
        }
        let url = { (file: String) in base + uploadsPrefix + file }
        // The cropped thumbnail has another shape: it is no candidate for the same picture.
        let same = media.renditions.filter { $0.size != "thumbnail" && $0.mimeType == media.mimeType }
        let webp = media.renditions.filter { $0.size != "thumbnail" && $0.mimeType == "image/webp" }
        let sizes = "(max-width: \(media.width)px) 100vw, \(media.width)px"
        func srcset(_ list: [MediaRendition]) -> String {
            list.sorted { $0.width < $1.width }.map { "\(url($0.file)) \($0.width)w" }.joined(separator: ", ")
        }
        if same.count > 1, attribute("srcset", in: tag) == nil {
            extra += " srcset=\"\(escape(srcset(same)))\" sizes=\"\(sizes)\""
        }
        let img = insert(extra, into: tag)
        // An animated GIF stays a GIF: its WebP copies are stills.
        guard !webp.isEmpty, media.mimeType != "image/gif" else { return img }
        return "<picture><source type=\"image/webp\" srcset=\"\(escape(srcset(webp)))\" sizes=\"\(sizes)\">\(img)</picture>"
    }

    static func insert(_ extra: String, into tag: String) -> String {
        guard !extra.isEmpty else { return tag }
        var body = tag
        var end = ">"
        if body.hasSuffix("/>") {
            body.removeLast(2)
            end = " />"
        } else {
            body.removeLast()
        }
        while body.hasSuffix(" ") { body.removeLast() }
        return body + extra + end
    }

    /// The path below the uploads folder that `src` names on this site, if any.
    static func uploadFile(_ src: String, base: String) -> String? {
        var path = src
        if path.hasPrefix(base) { path = String(path.dropFirst(base.count)) }
        guard path.hasPrefix(uploadsPrefix) else { return nil }
        var file = String(path.dropFirst(uploadsPrefix.count))
        if let q = file.firstIndex(where: { $0 == "?" || $0 == "#" }) { file = String(file[..<q]) }
        return file.removingPercentEncoding ?? file
    }

    /// Ranges of the `<img …>` tags, outside comments.
    static func imgTags(in html: String) -> [Range<String.Index>] {
        var found: [Range<String.Index>] = []
        var cursor = html.startIndex
        while let open = html.range(of: "<img", options: .caseInsensitive, range: cursor..<html.endIndex) {
            if let comment = html.range(of: "<!--", range: cursor..<open.lowerBound) {
                cursor = html.range(of: "-->", range: comment.upperBound..<html.endIndex)?.upperBound ?? html.endIndex
                continue
            }
            guard open.upperBound < html.endIndex, html[open.upperBound].isWhitespace || html[open.upperBound] == "/" else {
                cursor = open.upperBound
                continue
            }
            guard let close = closingBracket(html, from: open.upperBound) else { break }
            found.append(open.lowerBound..<html.index(after: close))
            cursor = html.index(after: close)
        }
        return found
    }

    /// The `>` ending a tag, skipping any inside quoted attribute values.
    static func closingBracket(_ html: String, from start: String.Index) -> String.Index? {
        var quote: Character? = nil
        var i = start
        while i < html.endIndex {
            let c = html[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == ">" {
                return i
            }
            i = html.index(after: i)
        }
        return nil
    }

    /// An attribute's value (entities decoded for `&amp;` only, which is all an upload path can hold).
    static func attribute(_ name: String, in tag: String) -> String? {
        var i = tag.index(tag.startIndex, offsetBy: 4, limitedBy: tag.endIndex) ?? tag.endIndex
        while i < tag.endIndex {
            while i < tag.endIndex, tag[i].isWhitespace || tag[i] == "/" { i = tag.index(after: i) }
            let nameStart = i
            while i < tag.endIndex, !tag[i].isWhitespace, tag[i] != "=", tag[i] != ">", tag[i] != "/" { i = tag.index(after: i) }
            let key = tag[nameStart..<i].lowercased()
            if key.isEmpty { return nil }
            while i < tag.endIndex, tag[i].isWhitespace { i = tag.index(after: i) }
            var value = ""
            if i < tag.endIndex, tag[i] == "=" {
                i = tag.index(after: i)
                while i < tag.endIndex, tag[i].isWhitespace { i = tag.index(after: i) }
                if i < tag.endIndex, tag[i] == "\"" || tag[i] == "'" {
                    let q = tag[i]
                    let valueStart = tag.index(after: i)
                    let valueEnd = tag[valueStart...].firstIndex(of: q) ?? tag.endIndex
                    value = String(tag[valueStart..<valueEnd])
                    i = valueEnd < tag.endIndex ? tag.index(after: valueEnd) : valueEnd
                } else {
                    let valueStart = i
                    while i < tag.endIndex, !tag[i].isWhitespace, tag[i] != ">" { i = tag.index(after: i) }
                    value = String(tag[valueStart..<i])
                }
            }
            if key == name { return value.replacingOccurrences(of: "&amp;", with: "&") }
        }
        return nil
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
