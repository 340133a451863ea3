import DreyCore
import Foundation

/// How WordPress's values map onto Drey's.
enum ImportMapping {
    /// A post's status; nil for statuses WordPress never shows (auto-draft, inherit on a post).
    static func postStatus(_ raw: String) -> PostStatus? {
        switch raw {
        case "publish": return .publish
        case "draft", "": return .draft
        case "pending": return .pending
        case "private": return .private
        case "future": return .future
        case "trash": return .trash
        default: return nil
        }
    }

    static func commentStatus(_ raw: String) -> CommentStatus? {
        switch raw.lowercased() {
        case "1", "approve", "approved": return .approved
        case "0", "hold", "unapproved": return .pending
        case "spam": return .spam
        case "trash", "post-trashed": return .trash
        default: return nil
        }
    }

    static func commentType(_ raw: String) -> CommentType? {
        switch raw.lowercased() {
        case "", "comment": return .comment
        case "pingback": return .pingback
        case "trackback": return .trackback
        case "webmention": return .webmention
        default: return nil
        }
    }

    static func openStatus(_ raw: String) -> OpenStatus { raw == "open" ? .open : .closed }

    /// A slug Drey can route: WordPress's when it is plain lowercase ASCII, otherwise one made from
    /// it (percent-escaped UTF-8 slugs are decoded first, then transliterated) or from `fallback`.
    static func slug(_ raw: String, fallback: String) -> String {
        let decoded = (raw.removingPercentEncoding ?? raw).lowercased()
        if !decoded.isEmpty, decoded.count <= Slug.maxLength,
            decoded.unicodeScalars.allSatisfy({ ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || $0 == "-" || $0 == "_" })
        {
            return decoded
        }
        let made = Slug.make(from: decoded.isEmpty ? fallback : decoded)
        return made.isEmpty ? Slug.make(from: fallback) : made
    }

    /// Whether `url` may be shown as a link: http or https with a host and nothing that breaks out.
    static func isWebURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return false }
        return !text.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" })
    }

    static func mimeType(forPath path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "jpg", "jpeg", "jpe": return "image/jpeg"
        case "png": return "image/png"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "avif": return "image/avif"
        case "svg": return "image/svg+xml"
        case "ico": return "image/x-icon"
        case "bmp": return "image/bmp"
        case "pdf": return "application/pdf"
        case "mp4", "m4v": return "video/mp4"
        case "mov": return "video/quicktime"
        case "webm": return "video/webm"
        case "ogv": return "video/ogg"
        case "mp3": return "audio/mpeg"
        case "m4a": return "audio/mp4"
        case "ogg", "oga": return "audio/ogg"
        case "wav": return "audio/wav"
        case "zip": return "application/zip"
        case "txt": return "text/plain"
        case "doc": return "application/msword"
        case "docx": return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        default: return "application/octet-stream"
        }
    }

    /// The path of a link, percent-decoded as the web layer sees requests, without a trailing slash.
    static func legacyPath(_ link: String) -> String? {
        guard let components = URLComponents(string: link), components.query == nil || components.query!.isEmpty else { return nil }
        let path = components.percentEncodedPath.removingPercentEncoding ?? components.path
        guard path.count > 1 else { return nil }
        return path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
