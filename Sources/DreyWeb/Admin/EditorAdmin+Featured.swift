import DreyCore
import Foundation

/// The featured image picker of the editor: a plain select of the site's images, so it works without script.
extension EditorAdmin {
    /// The image chosen in the form; a choice that names no image of this site is a problem to show.
    func featuredChoice(_ a: AdminRequest, problems: inout [String]) async throws -> Int64? {
        let text = (a.form["featured_media"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        guard let id = Int64(text), let media = try await store.media(id: id, siteID: a.r.site.id), media.mimeType.hasPrefix("image/") else {
            problems.append("The featured image chosen no longer exists; choose another.")
            return nil
        }
        return media.id
    }

    func featuredChoices(_ a: AdminRequest, post: Post?) async throws -> [EditorScreen.FeaturedChoice] {
        guard a.can(.uploadFiles) else { return [] }
        var current: Media? = nil
        if let post { current = try await store.featuredMedia(postID: post.id, siteID: a.r.site.id) }
        let typed = a.form["featured_media"].flatMap(Int64.init)
        let selected = typed ?? current?.id
        var images = try await store.mediaLibrary(siteID: a.r.site.id, limit: 100).filter { $0.mimeType.hasPrefix("image/") && $0.state != .failed }
        if let current, !images.contains(where: { $0.id == current.id }) { images.append(current) }
        return images.map { EditorScreen.FeaturedChoice(id: $0.id, title: $0.title, file: $0.file, selected: $0.id == selected) }
    }
}
