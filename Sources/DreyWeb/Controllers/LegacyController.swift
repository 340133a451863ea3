import DreyApp
import DreyCore
import DreyStore
import Foundation

/// Old WordPress addresses: query-string links, feed scripts, attachment pages and uploads, and
/// any post address an import recorded. Each answers with a 301 to where the thing is now.
struct LegacyController: Sendable {
    let store: SQLStore
    let posts: PostController
    let views: ViewFactory
    let config: AppConfig

    func answer(_ legacy: SiteRoute.LegacyQuery, _ r: SiteRequest) async throws -> PageResult? {
        guard let target = try await url(of: legacy, r) else { return nil }
        return .redirect(to: target, permanent: true)
    }

    /// Where an old link points now; nil when it names nothing a reader may see.
    func url(of legacy: SiteRoute.LegacyQuery, _ r: SiteRequest) async throws -> String? {
        let site = r.site.id
        switch legacy {
        case .post(let id), .page(let id):
            // WordPress IDs first (imported posts), then Drey's own (its shortlinks use them).
            var found = try await store.post(wordPressID: id, siteID: site)
            if found == nil { found = try await store.post(id: id, siteID: site) }
            guard let post = found, post.isVisible(at: r.now) else { return nil }
            return try await posts.canonicalURL(post, r)
        case .category(let id):
            guard let term = try await store.term(wordPressID: id, taxonomy: .category, siteID: site) else { return nil }
            let paths = try await views.categoryPaths(site, needed: [term])
            return r.links.term(.category, path: paths[term.id] ?? term.slug)
        case .tag(let slug):
            guard let term = try await store.term(slug: slug.lowercased(), taxonomy: .tag, siteID: site) else { return nil }
            return r.links.term(.tag, path: term.slug)
        case .author(let id):
            var user = try await store.user(wordPressAuthorID: id, siteID: site)
            if user == nil, let own = try await store.user(id: id), try await store.role(userID: id, siteID: site) != nil { user = own }
            return user.map { r.links.author($0.login) }
        case .month(let m):
            let digits = Array(m)
            guard let year = Int(String(digits[0..<4])) else { return nil }
            let month = digits.count >= 6 ? Int(String(digits[4..<6])) : nil
            let day = digits.count >= 8 ? Int(String(digits[6..<8])) : nil
            if let month, !(1...12).contains(month) { return nil }
            if let day, !(1...31).contains(day) { return nil }
            return r.links.date(year: year, month: month, day: day)
        case .attachment(let id):
            var media = try await store.media(wordPressID: id, siteID: site)
            if media == nil { media = try await store.media(id: id, siteID: site) }
            guard let media else { return nil }
            return try await url(of: media, r)
        case .feed(let kind, let of):
            let format: SiteRoute.FeedFormat = kind.hasSuffix("atom") ? .atom : .rss
            guard let of else { return kind.hasPrefix("comments") ? r.links.commentsFeed(format) : r.links.feed(format) }
            guard let under = try await url(of: of, r) else { return nil }
            if case .month = of { return under }  // WordPress has no date feeds; the archive is nearest
            return r.links.feed(under: under.hasSuffix("/") ? under : under + "/", format)
        case .path(let path):
            return r.links.base + path
        }
    }

    /// An attachment's page or file: the copy served here, else the post it belongs to, else the
    /// file where it was, unless that is this very site (which would loop).
    func url(of media: Media, _ r: SiteRequest) async throws -> String? {
        if let local = media.localPath { return r.links.base + local }
        if let postID = media.postID, let post = try await store.post(id: postID, siteID: r.site.id), post.isVisible(at: r.now) {
            return try await posts.canonicalURL(post, r)
        }
        guard let host = URLComponents(string: media.originalURL)?.host,
            host.lowercased() != URLComponents(string: r.links.base)?.host?.lowercased()
        else { return nil }
        return media.originalURL
    }

    /// An address that names nothing now but was recorded by an import: the old post URL of a
    /// site that kept its own permalinks, a renamed slug, an attachment page.
    func oldAddress(_ path: String, _ r: SiteRequest) async throws -> PageResult? {
        let key = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard key.count > 1, let target = try await store.legacyTarget(path: key, siteID: r.site.id) else { return nil }
        let url: String?
        switch target {
        case .post(let id):
            guard let post = try await store.post(id: id, siteID: r.site.id), post.isVisible(at: r.now) else { return nil }
            url = try await posts.canonicalURL(post, r)
        case .media(let id):
            guard let media = try await store.media(id: id, siteID: r.site.id) else { return nil }
            url = try await self.url(of: media, r)
        }
        guard let url, url != r.links.base + path else { return nil }
        return .redirect(to: url, permanent: true)
    }

    /// A copied upload, from `<data>/uploads/<site ID>/`.
    func upload(_ relative: String, _ r: SiteRequest) -> PageResult? {
        let segments = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.isEmpty, segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && !$0.contains("\\") }) else { return nil }
        let url = config.uploadsDirectory(siteID: r.site.id).appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        return .file(url, contentType: Self.uploadContentType(url.pathExtension))
    }

    /// Types for uploaded files. Anything a browser could run as a page of this site (HTML, SVG,
    /// XML) is sent as a download instead: uploads come from outside.
    static func uploadContentType(_ ext: String) -> String {
        switch ext.lowercased() {
        case "jpg", "jpeg", "jpe": return "image/jpeg"
        case "png": return "image/png"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "avif": return "image/avif"
        case "ico": return "image/x-icon"
        case "pdf": return "application/pdf"
        case "mp4", "m4v": return "video/mp4"
        case "webm": return "video/webm"
        case "ogv": return "video/ogg"
        case "mov": return "video/quicktime"
        case "mp3": return "audio/mpeg"
        case "m4a": return "audio/mp4"
        case "ogg", "oga": return "audio/ogg"
        case "wav": return "audio/wav"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }
}
