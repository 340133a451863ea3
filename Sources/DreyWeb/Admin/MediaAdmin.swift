import DreyApp
import DreyCore
import DreyStore
import Foundation
import Hummingbird

/// The media library: upload (a plain multipart form, streamed to disk), browse, describe, delete.
struct MediaAdmin {
    let controller: AdminController
    var drey: Drey { controller.drey }

    func library(_ a: AdminRequest, errors: [String] = [], typed: [String: String] = [:], status: HTTPResponse.Status? = nil) async throws
        -> PageResult
    {
        guard a.can(.uploadFiles) else { throw AdminRefusal.forbidden("upload or manage media") }
        let search = a.r.query["s"] ?? ""
        let asList = a.r.query["view"] == "list"
        let month = a.r.query["month"] ?? ""
        let type = a.r.query["type"] ?? ""
        let items = try await drey.media.library(siteID: a.r.site.id, search: search, month: month, mimePrefix: type, limit: 200)
        let rows = items.map { row($0, a) }
        let months = try await drey.store.mediaMonths(siteID: a.r.site.id).map { AdminOption(value: $0, label: $0, selected: $0 == month) }
        let types = [
            ("", "All types"), ("image/", "Images"), ("image/jpeg", "JPEG"), ("image/png", "PNG"), ("image/webp", "WebP"), ("image/gif", "GIF"),
        ]
        .map { AdminOption(value: $0.0, label: $0.1, selected: $0.0 == type) }
        let screen = MediaLibraryScreen(
            rows: rows, hasRows: !rows.isEmpty, search: search, asList: asList, asGrid: !asList, months: months, types: types,
            alt: typed["alt"] ?? "", title: typed["title"] ?? "", caption: typed["caption"] ?? "",
            postID: typed["post"] ?? a.r.query["post"] ?? "", maxMB: String(drey.config.maxUploadSize >> 20))
        var page = AdminPage(title: "Media", section: .media, screen)
        page.errors = errors
        page.flash = controller.flash(a)
        let code: HTTPResponse.Status = status ?? (errors.isEmpty ? .ok : .unprocessableContent)
        return .personal(status: code, body: controller.render(page, a))
    }

    func row(_ m: Media, _ a: AdminRequest) -> MediaLibraryScreen.Row {
        let base = a.r.links.base + "/wp-content/uploads/"
        let thumb =
            m.renditions.first { $0.size == "thumbnail" && $0.mimeType != "image/webp" }
            ?? m.renditions.first { $0.size == "medium" && $0.mimeType != "image/webp" }
        let isImage = m.mimeType.hasPrefix("image/")
        return MediaLibraryScreen.Row(
            id: String(m.id), title: m.title, file: m.file, alt: m.altText, caption: m.caption,
            url: m.file.isEmpty ? m.originalURL : base + m.file,
            thumb: thumb.map { base + $0.file } ?? (m.state == .ready && isImage && !m.file.isEmpty ? base + m.file : ""),
            size: m.width > 0 ? "\(m.width) × \(m.height)" : "", state: m.state.rawValue,
            processing: m.state == .processing, failed: m.state == .failed, message: m.stateMessage,
            date: String(ISO8601DateFormatter().string(from: m.publishedAt).prefix(10)),
            markdown: Self.markdown(m), html: Self.html(m))
    }

    /// What the editor inserts: Markdown with the alt text (escaped so it cannot close the brackets).
    static func markdown(_ m: Media) -> String {
        let alt = m.altText.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "[", with: "\\[")
            .replacingOccurrences(of: "]", with: "\\]").replacingOccurrences(of: "\n", with: " ")
        return "![\(alt)](/wp-content/uploads/\(m.file))"
    }

    /// The same for posts written in HTML; the page adds sizes and `srcset` when it is shown.
    static func html(_ m: Media) -> String {
        "<img src=\"/wp-content/uploads/\(ResponsiveImages.escape(m.file))\" alt=\"\(ResponsiveImages.escape(m.altText))\">"
    }

    /// `POST /admin/media/upload`, read here rather than as a URL-encoded form: the files stream to disk, and the
    /// body is refused at the upload limit without being read whole.
    func upload(_ r: SiteRequest) async throws -> PageResult {
        guard let token = r.request.cookie(AdminController.sessionCookie), let (user, _) = try await controller.auth.user(sessionToken: token) else {
            return .redirect(to: r.links.admin(.login), permanent: false)
        }
        let csrf = AdminRequest.csrf(r.signer, token)
        guard let role = try await drey.store.role(userID: user.id, siteID: r.site.id), role.can(.uploadFiles) else {
            return controller.refuse(.forbidden("upload files"), user: user, r, csrf: csrf)
        }
        let limit = drey.config.maxUploadSize
        let empty = AdminRequest(r: r, user: user, role: role, sessionToken: token, form: FormData(fields: [:]))
        guard let boundary = r.request.headers[.contentType].flatMap(MultipartUpload.boundary(contentType:)) else {
            return try await library(empty, errors: ["Send the files with the upload form (multipart/form-data)."])
        }
        // A declared size over the limit is refused before one byte of the body is read.
        if let length = r.request.headers[.contentLength].flatMap(Int.init), length > limit + (64 << 10) {
            return try await library(empty, errors: [Self.tooLarge(limit)], status: .contentTooLarge)
        }
        let directory = URL(fileURLWithPath: drey.config.dataDirectory).appendingPathComponent("uploads-incoming")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let parts: MultipartUpload
        do {
            parts = try await MultipartUpload.read(r.request.body, boundary: boundary, limit: limit + (64 << 10), directory: directory)
        } catch MultipartUpload.Failure.tooLarge {
            return try await library(empty, errors: [Self.tooLarge(limit)], status: .contentTooLarge)
        } catch let MultipartUpload.Failure.malformed(why) {
            return try await library(empty, errors: ["The upload could not be read: \(why)."])
        }
        defer { parts.discard() }
        let a = AdminRequest(r: r, user: user, role: role, sessionToken: token, form: FormData(fields: parts.fields))
        guard parts.fields["_csrf"] == csrf else {
            drey.logger.notice("refused upload without a valid CSRF token", metadata: ["user": "\(user.login)"])
            return controller.refuse(.badToken, user: user, r, csrf: csrf)
        }
        let typed = [
            "alt": parts.fields["alt"] ?? "", "title": parts.fields["title"] ?? "", "caption": parts.fields["caption"] ?? "",
            "post": parts.fields["post"] ?? "",
        ]
        let files = parts.files.filter { $0.field == "file" || $0.field == "files[]" }
        guard !files.isEmpty else { return try await library(a, errors: ["Choose an image to upload."], typed: typed) }
        let postText = (parts.fields["post"] ?? "").trimmingCharacters(in: .whitespaces)
        let postID = Int64(postText)
        if !postText.isEmpty {
            // Attaching to a post is changing it: only someone who may edit the post may.
            guard let postID, let post = try await drey.store.post(id: postID, siteID: r.site.id) else {
                return try await library(a, errors: ["There is no post with ID \(postText) to attach the images to."], typed: typed)
            }
            guard Authorization.canEdit(post, as: user.id, role: role) else {
                return try await library(a, errors: ["You may not attach images to “\(post.title)”: it is not yours to edit."], typed: typed)
            }
        }
        var added: [Media] = []
        var errors: [String] = []
        for part in files {
            if part.size > limit {
                errors.append("\(part.filename): " + Self.tooLarge(limit))
                continue
            }
            let upload = MediaService.Upload(
                file: part.file, consume: true, name: part.filename, title: typed["title"] ?? "", altText: typed["alt"] ?? "",
                caption: typed["caption"] ?? "", postID: postID, authorID: user.id)
            do {
                added.append(try await drey.media.add(upload, siteID: r.site.id))
            } catch let error as MediaError {
                errors.append(error.description)
            }
        }
        if wantsJSON(r) { return json(added: added, errors: errors) }
        if !errors.isEmpty {
            let note = added.isEmpty ? [] : ["Uploaded \(added.map(\.file).joined(separator: ", ")); the others were refused."]
            return try await library(a, errors: note + errors, typed: typed)
        }
        return controller.done(a, .media, "Uploaded \(added.map { "“\($0.title)”" }.joined(separator: ", ")); its sizes are being made.")
    }

    static func tooLarge(_ limit: Int) -> String {
        "The upload is larger than the \(limit >> 20) MB limit; make the image smaller and try again."
    }

    private func wantsJSON(_ r: SiteRequest) -> Bool {
        (r.request.headers[.accept] ?? "").contains("application/json")
    }

    /// The editor's script asks for JSON: what to insert for each file, and what was refused.
    private func json(added: [Media], errors: [String]) -> PageResult {
        let body: [String: Any] = [
            "added": added.map { ["id": $0.id, "file": $0.file, "markdown": Self.markdown($0)] as [String: Any] }, "errors": errors,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return .personal(
            status: errors.isEmpty ? .ok : .unprocessableContent, body: String(decoding: data, as: UTF8.self), contentType: "application/json")
    }

    func edit(_ a: AdminRequest, id: Int64, errors: [String] = []) async throws -> PageResult {
        guard a.can(.uploadFiles) else { throw AdminRefusal.forbidden("upload or manage media") }
        let media = try await load(a, id)
        let using = try await drey.store.postsUsing(media)
        let screen = MediaEditScreen(
            row(media, a), usedBy: using.map { .init(id: String($0.id), title: $0.title.isEmpty ? "(no title)" : $0.title) },
            deleteWarning: using.isEmpty
                ? "Delete “\(media.title)” and every size made of it?"
                : "“\(media.title)” is used by \(using.map { "“\($0.title)”" }.joined(separator: ", ")). Delete it anyway? Those posts will show a broken image.",
            sizes: media.renditions.map {
                .init(size: $0.size, type: $0.mimeType, dims: "\($0.width) × \($0.height)", url: a.r.links.base + "/wp-content/uploads/" + $0.file)
            })
        var page = AdminPage(title: "Edit media", section: .media, screen)
        page.errors = errors
        page.flash = controller.flash(a)
        return .personal(status: errors.isEmpty ? .ok : .unprocessableContent, body: controller.render(page, a))
    }

    func save(_ a: AdminRequest, id: Int64) async throws -> PageResult {
        guard a.can(.uploadFiles) else { throw AdminRefusal.forbidden("upload or manage media") }
        let media = try await load(a, id)
        switch a.form["action"] ?? "update" {
        case "delete":
            try await drey.media.delete(media)
            return controller.done(a, .media, "Deleted “\(media.title)”.")
        default:
            let title = (a.form["title"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let alt = (a.form["alt"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let caption = (a.form["caption"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard alt.count <= 1000, title.count <= 500, caption.count <= 5000 else {
                return try await edit(a, id: id, errors: ["The alt text, title or caption is too long."])
            }
            try await drey.media.update(media, title: title.isEmpty ? media.slug : title, altText: alt, caption: caption)
            return controller.done(a, .editMedia(id), "Saved.")
        }
    }

    /// Someone may change only their own uploads unless they may edit others' posts.
    private func load(_ a: AdminRequest, _ id: Int64) async throws -> Media {
        guard let media = try await drey.store.media(id: id, siteID: a.r.site.id) else {
            throw AdminRefusal(status: 404, message: "There is no media with ID \(id).")
        }
        guard media.authorID == a.user.id || a.can(.editOthersPosts) else { throw AdminRefusal.forbidden("change media others uploaded") }
        return media
    }
}

/// The media library: the upload form (as typed when it comes back) and the uploads, as a grid or a list.
struct MediaLibraryScreen: AdminBody {
    static let template = "media"

    struct Row {
        let id: String
        let title: String
        let file: String
        let alt: String
        let caption: String
        let url: String
        let thumb: String
        let size: String
        let state: String
        let processing: Bool
        let failed: Bool
        let message: String
        let date: String
        let markdown: String
        let html: String
    }

    let rows: [Row]
    let hasRows: Bool
    let search: String
    let asList: Bool
    let asGrid: Bool
    let months: [AdminOption]
    let types: [AdminOption]
    let alt: String
    let title: String
    let caption: String
    let postID: String
    let maxMB: String
}

/// One upload: its sizes, the posts that use it, its words to edit, and the warning shown before deleting it.
struct MediaEditScreen: AdminBody {
    static let template = "media-edit"

    struct UsedBy {
        let id: String
        let title: String
    }

    struct Size {
        let size: String
        let type: String
        let dims: String
        let url: String
    }

    /// The upload itself; the template reads it inside `{{#media}}`, so its names come first there.
    let media: MediaLibraryScreen.Row
    let usedBy: [UsedBy]
    let isUsed: Bool
    let deleteWarning: String
    let sizes: [Size]
    let hasSizes: Bool

    init(_ media: MediaLibraryScreen.Row, usedBy: [UsedBy], deleteWarning: String, sizes: [Size]) {
        self.media = media
        self.usedBy = usedBy
        isUsed = !usedBy.isEmpty
        self.deleteWarning = deleteWarning
        self.sizes = sizes
        hasSizes = !sizes.isEmpty
    }
}
