import DreyApp
import DreyCore
import Foundation

/// A post's featured image as the theme shows it and as link previews (OpenGraph) and feeds name it.
struct FeaturedImage: Sendable {
    let media: Media
    let base: String

    init?(_ media: Media?, base: String) {
        guard let media, media.state == .ready, !media.file.isEmpty else { return nil }
        self.media = media
        self.base = base
    }

    var url: String { base + ResponsiveImages.uploadsPrefix + media.file }

    /// The copy a link preview or feed reader should fetch: the large size when there is one (a sensible
    /// download), in the original's format (WebP is not read everywhere).
    var preview: (url: String, width: Int, height: Int) {
        if let large = media.renditions.first(where: { $0.size == "large" && $0.mimeType == media.mimeType }) {
            return (base + ResponsiveImages.uploadsPrefix + large.file, large.width, large.height)
        }
        return (url, media.width, media.height)
    }

    /// The `<img>` (in a `<picture>` with its WebP sizes) at the top of the post; it loads at once.
    var html: String {
        let tag = "<img src=\"\(ResponsiveImages.escape(url))\" alt=\"\(ResponsiveImages.escape(media.altText))\" class=\"u-featured\">"
        return ResponsiveImages.rewrite(tag, media: media, base: base, lazy: false)
    }

    /// For feed readers: one plain `<img>` of the large copy ahead of the text (readers drop `<picture>` and `srcset`).
    var feedHTML: String {
        let p = preview
        return
            "<p><img src=\"\(ResponsiveImages.escape(p.url))\" alt=\"\(ResponsiveImages.escape(media.altText))\" width=\"\(p.width)\" height=\"\(p.height)\"></p>\n"
    }

    var openGraph: String {
        let p = preview
        var meta = "<meta property=\"og:image\" content=\"\(ResponsiveImages.escape(p.url))\">\n"
        meta += "<meta property=\"og:image:width\" content=\"\(p.width)\">\n<meta property=\"og:image:height\" content=\"\(p.height)\">\n"
        if !media.altText.isEmpty { meta += "<meta property=\"og:image:alt\" content=\"\(ResponsiveImages.escape(media.altText))\">\n" }
        return meta
    }
}
