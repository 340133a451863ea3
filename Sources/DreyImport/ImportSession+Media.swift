import DreyCore
import DreyRender
import DreyStore
import Foundation

extension ImportSession {
    /// Where a file copied into Drey first came from, so a round trip keeps it.
    static let originalURLMeta = "_drey_original_url"

    /// An attachment becomes a media record; with `--media-dir` its file is copied in.
    func importMedia(_ item: WXRItem) async throws {
        summary[.attachments].inFile += 1
        skipComments(of: item, reason: "on an attachment page (Drey has none)")
        let wpID = item.id ?? -Int64(item.line)
        if let existing = existingMediaByWPID[wpID] ?? (item.guid.isEmpty ? nil : existingMediaByGUID[item.guid]) {
            summary[.attachments].existing += 1
            if let path = ImportMapping.legacyPath(item.link) { legacyPaths.append((path, .media(existing))) }
            return
        }
        let url = item.attachmentURL.isEmpty ? item.guid : item.attachmentURL
        guard ImportMapping.isWebURL(url) else {
            summary.skip(.attachments, "no file URL")
            summary.warn("\(item.label) has no file URL; skipped")
            return
        }
        let file = item.meta("_wp_attached_file").flatMap(UploadsCopier.safeRelativePath) ?? Self.uploadsPath(of: url) ?? ""
        var stored = false
        if let copier, !file.isEmpty {
            if url.hasSuffix("/" + file) { copier.addBase(String(url.dropLast(file.count))) }
            stored = try copier.copy(file)
        }
        let published = date(gmt: item.dateGMT, local: item.date, rss: item.pubDate, label: item.label, fallback: options.now)
        let title = item.title
        let media = Media(
            siteID: writer.siteID, authorID: try await author(of: item),
            slug: ImportMapping.slug(item.name, fallback: title.isEmpty ? (file as NSString).lastPathComponent : title),
            title: title, caption: item.excerpt, description: item.content,
            altText: item.meta("_wp_attachment_image_alt") ?? "", mimeType: ImportMapping.mimeType(forPath: file.isEmpty ? url : file),
            originalURL: item.meta(Self.originalURLMeta) ?? url, file: file, stored: stored, guid: item.guid, publishedAt: published,
            modifiedAt: WXRDates.utc(item.modifiedGMT) ?? published)
        let id = try await writer.insertMedia(media, wpID: wpID)
        summary[.attachments].imported += 1
        if item.parent != 0 { pendingMediaParents.append(PendingParent(id: id, wpParent: item.parent, label: item.label)) }
        if let path = ImportMapping.legacyPath(item.link) { legacyPaths.append((path, .media(id))) }
        if media.mimeType.hasPrefix("image/") {
            let image = ShortcodeMedia.Image(url: media.localPath ?? url, alt: media.altText, caption: media.caption)
            images[wpID] = image
            if item.parent != 0 { imagesByParent[item.parent, default: []].append((item.menuOrder, wpID, image)) }
        }
    }

    /// The path below the uploads folder that a WordPress file URL names.
    static func uploadsPath(of url: String) -> String? {
        guard let components = URLComponents(string: url), let host = components.host else { return nil }
        let path = components.path
        if let range = path.range(of: "/wp-content/uploads/") {
            return UploadsCopier.safeRelativePath(String(path[range.upperBound...]))
        }
        if host.hasSuffix(".files.wordpress.com") { return UploadsCopier.safeRelativePath(String(path.drop { $0 == "/" })) }
        return nil
    }
}
