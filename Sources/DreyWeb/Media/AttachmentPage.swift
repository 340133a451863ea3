import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation

/// An upload's own page: the image at its sizes with its alt text and caption, and the post it belongs to.
/// Only uploads that are ready, and whose post (if any) a reader may see, have one.
struct AttachmentPage: Sendable {
    let store: SQLStore
    let posts: PostController
    let views: ViewFactory
    let theme: Theme

    func render(_ id: Int64, _ r: SiteRequest) async throws -> PageResult? {
        guard let media = try await store.media(id: id, siteID: r.site.id), media.state == .ready, media.stored, !media.file.isEmpty else {
            return nil
        }
        var parent: [String: Any]? = nil
        if let postID = media.postID {
            guard let post = try await store.post(id: postID, siteID: r.site.id), post.isVisible(at: r.now), post.password.isEmpty else { return nil }
            parent = ["title": post.title.isEmpty ? "(untitled)" : post.title, "url": try await posts.canonicalURL(post, r)]
        }
        let title = media.title.isEmpty ? media.slug : media.title
        let url = r.links.base + ResponsiveImages.uploadsPrefix + media.file
        var body: String
        if media.mimeType.hasPrefix("image/") {
            let tag = "<img src=\"\(ResponsiveImages.escape(url))\" alt=\"\(ResponsiveImages.escape(media.altText))\">"
            body = ResponsiveImages.rewrite(tag, media: media, base: r.links.base, lazy: false)
        } else {
            body = "<a href=\"\(ResponsiveImages.escape(url))\">\(ResponsiveImages.escape(title))</a>"
        }
        if !media.caption.isEmpty { body = "<figure>\(body)<figcaption>\(ResponsiveImages.escape(media.caption))</figcaption></figure>" }
        var chrome = views.chrome(r, title: title, canonical: r.links.attachment(media.id), description: media.caption)
        chrome.menu = try await views.menu(r)
        if let featured = FeaturedImage(media, base: r.links.base) { chrome.extraHead += featured.openGraph }
        let values: [String: Any] = [
            "chrome": chrome, "title": title, "imageHTML": body, "fullURL": url, "size": media.width > 0 ? "\(media.width) × \(media.height)" : "",
            "parent": parent ?? false,
        ]
        let template = theme.hasTemplate("attachment") ? "attachment" : "404"
        let html = theme.render(values, template: template) ?? ""
        var scopes: Set<CacheScope> = [.lists]
        if let postID = media.postID { scopes.insert(.post(postID)) }
        return .html(status: .ok, body: html, scopes: scopes)
    }
}
