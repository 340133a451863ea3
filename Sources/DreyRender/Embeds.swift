import Foundation

/// Turns video links WordPress would have embedded into plain, safe HTML: the sanitizer lets no
/// `<iframe>` or `<video>` through (a page must not run or load other sites' players), so a video
/// becomes a captioned link to where it plays.
enum Embeds {
    /// Hosts whose pages are videos, with the name a reader knows them by.
    static let videoProviders: [(suffix: String, name: String)] = [
        ("youtube.com", "YouTube"), ("youtu.be", "YouTube"), ("vimeo.com", "Vimeo"),
        ("dailymotion.com", "Dailymotion"), ("dai.ly", "Dailymotion"), ("wordpress.tv", "WordPress.tv"),
        ("videopress.com", "VideoPress"), ("ted.com", "TED"), ("tiktok.com", "TikTok"), ("twitch.tv", "Twitch"),
    ]
    static let videoExtensions: Set<String> = ["mp4", "m4v", "webm", "ogv", "mov", "wmv", "flv", "3gp"]
    static let audioExtensions: Set<String> = ["mp3", "m4a", "ogg", "oga", "wav", "flac", "wma"]

    enum Kind { case video(provider: String?), audio, other }

    static func kind(of url: String) -> Kind {
        guard let components = URLComponents(string: url), let host = components.host?.lowercased() else { return .other }
        let ext = (components.path as NSString).pathExtension.lowercased()
        if videoExtensions.contains(ext) { return .video(provider: nil) }
        if audioExtensions.contains(ext) { return .audio }
        for (suffix, name) in videoProviders where host == suffix || host.hasSuffix("." + suffix) {
            return .video(provider: name)
        }
        return .other
    }

    /// HTML for a URL WordPress would embed; nil when the URL is not a video and `always` is false.
    static func html(for rawURL: String, always: Bool) -> String? {
        let url = rawURL.replacingOccurrences(of: "&amp;", with: "&").trimmingCharacters(in: .whitespaces)
        let href = HTMLEscape.text(url)
        switch kind(of: url) {
        case .video(let provider?):
            let slug = provider.lowercased().replacingOccurrences(of: ".", with: "-")
            return
                "<figure class=\"wp-block-embed is-type-video is-provider-\(slug)\"><a href=\"\(href)\">Watch the video on \(HTMLEscape.text(provider))</a></figure>"
        case .video(nil):
            return "<figure class=\"wp-block-video\"><a href=\"\(href)\">Watch the video (\(HTMLEscape.text(fileName(url))))</a></figure>"
        case .audio:
            return "<figure class=\"wp-block-audio\"><a href=\"\(href)\">Listen (\(HTMLEscape.text(fileName(url))))</a></figure>"
        case .other:
            return always ? "<figure class=\"wp-block-embed\"><a href=\"\(href)\">\(href)</a></figure>" : nil
        }
    }

    static func fileName(_ url: String) -> String {
        let path = URLComponents(string: url)?.path ?? url
        let name = (path as NSString).lastPathComponent
        return name.isEmpty ? url : name
    }

    /// A URL alone on its line becomes a video link, as WordPress's auto-embed does; inside an
    /// embed block any URL does, since the block says it is meant to be embedded.
    static func expandLines(_ text: String, inEmbedBlock: Bool = false) -> String {
        guard FastText.hasURLLine(text) else { return text }
        var changed = false
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("http://") || trimmed.hasPrefix("https://"),
                !trimmed.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" }),
                let html = html(for: trimmed, always: inEmbedBlock)
            else { return line }
            changed = true
            return Substring(html)
        }
        return changed ? lines.joined(separator: "\n") : text
    }

    /// `<video src=…>` and `<audio src=…>` elements (from the block editor) as links.
    static func replaceMediaElements(_ text: String) -> String {
        guard text.contains("<video") || text.contains("<audio") else { return text }
        var out = ""
        var rest = text[...]
        while let open = rest.range(of: "<video") ?? rest.range(of: "<audio") {
            let element = rest[open.lowerBound...].hasPrefix("<video") ? "video" : "audio"
            guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">") else { break }
            let closeTag = "</\(element)>"
            let end = rest[tagEnd...].range(of: closeTag)?.upperBound ?? rest.index(after: tagEnd)
            let tag = String(rest[open.lowerBound...tagEnd])
            out += rest[..<open.lowerBound]
            if let src = attribute("src", in: tag) ?? attribute("src", in: String(rest[tagEnd..<end])) {
                out += html(for: src, always: true) ?? ""
            }
            rest = rest[end...]
        }
        out += rest
        return out
    }

    /// The value of `name="…"` in a tag's text.
    static func attribute(_ name: String, in tag: String) -> String? {
        for quote in ["\"", "'"] {
            if let start = tag.range(of: " \(name)=\(quote)") {
                let rest = tag[start.upperBound...]
                if let end = rest.firstIndex(of: Character(quote)) { return String(rest[..<end]) }
            }
        }
        return nil
    }
}
