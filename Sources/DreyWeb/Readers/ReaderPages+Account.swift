import DreyApp
import DreyCore
import DreyRender
import Foundation
import HTTPTypes
import Hummingbird

/// A part of `/account` another feature owns (likes, follows): what the page shows of it, what the export holds of
/// it, and what deleting the account must do beyond the rows that go with the reader by foreign key.
struct AccountSection: Sendable {
    var name: String
    /// Escaped HTML for the page, or nil to show nothing.
    var html: @Sendable (ReaderSession, SiteRequest, Drey) async throws -> String?
    /// The section's records for the export (one dictionary a record).
    var export: @Sendable (Reader, Drey) async throws -> [[String: String]]
    var onDelete: (@Sendable (Reader, Drey) async throws -> Void)? = nil
}

extension ReaderPages {
    /// The extension point of `/account`: likes and follows add their section here (one line each).
    static var accountSections: [AccountSection] { [.likes, .follows] }

    func account(_ sub: AccountRoute, method: HTTPRequest.Method, _ r: SiteRequest) async throws -> PageResult? {
        if sub == .picture && method == .post { return try await picture(r) }
        guard let session = r.reader else {
            if method == .post { _ = try await WebApp.readForm(r.request, limit: drey.config.maxBodySize) }
            return .redirect(to: r.links.signIn(returnTo: "/account"), permanent: false)
        }
        switch (sub, method) {
        case (.overview, .get), (.overview, .head): return try await accountPage(r, session)
        case (.unfollow, .post): return try await unfollow(r, session)
        case (.export, .get):
            var more: [String: [[String: String]]] = [:]
            for section in Self.accountSections { more[section.name] = try await section.export(session.reader, drey) }
            let data = try await drey.readers.export(session.reader, more: more)
            return .custom(
                status: .ok, contentType: "application/json; charset=utf-8", body: String(decoding: data, as: UTF8.self),
                headers: [
                    .cacheControl: "private, no-store", .contentDisposition: "attachment; filename=\"account.json\"",
                    .init("X-Content-Type-Options")!: "nosniff",
                ])
        case (.profile, .post):
            let form = try await WebApp.readForm(r.request, limit: drey.config.maxBodySize)
            guard checkCSRF(r, form["_csrf"]) else { return try await accountPage(r, session, errors: [Self.staleForm], status: .forbidden) }
            do {
                _ = try await drey.readers.updateProfile(session.reader, name: form["name"] ?? "", website: form["website"] ?? "")
            } catch let error as SettingError {
                return try await accountPage(
                    r, session, errors: [error.message], typed: (form["name"] ?? "", form["website"] ?? ""), status: .unprocessableContent)
            }
            return .redirect(to: r.links.account() + "?saved=profile", permanent: false)
        case (.delete, .post):
            let form = try await WebApp.readForm(r.request, limit: drey.config.maxBodySize)
            guard checkCSRF(r, form["_csrf"]) else { return try await accountPage(r, session, errors: [Self.staleForm], status: .forbidden) }
            guard form["confirm"] == "yes" else {
                return try await accountPage(
                    r, session, errors: ["Tick the box to confirm that you want to delete your account."], status: .unprocessableContent)
            }
            for section in Self.accountSections { try await section.onDelete?(session.reader, drey) }
            try await drey.readers.delete(session.reader)
            return page(
                r, title: "Account deleted",
                body: "<p>Your account was deleted. Your comments stay on the blog under the name you gave, no longer linked to an account.</p>"
                    + "<p><a href=\"\(Self.e(r.links.home))\">Back to the blog</a></p>",
                cookies: [ReaderWeb.clearedCookie(r)])
        default:
            if method == .post { _ = try await WebApp.readForm(r.request, limit: drey.config.maxBodySize) }
            return .redirect(to: r.links.account(), permanent: false)
        }
    }

    static let staleForm = "The form could not be verified (it may be from an older session). Please try again."

    /// A reader's forms carry a signature of their session, so another site cannot post them in the reader's name.
    static func csrf(_ r: SiteRequest) -> String {
        guard let token = r.request.cookie(ReaderWeb.cookie) else { return "" }
        return r.signer.signature("reader:" + ReaderService.hash(token), purpose: .csrf)
    }

    func checkCSRF(_ r: SiteRequest, _ given: String?) -> Bool {
        let expected = Self.csrf(r)
        return !expected.isEmpty && given == expected
    }

    func accountPage(
        _ r: SiteRequest, _ session: ReaderSession, errors: [String] = [], typed: (name: String, website: String)? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> PageResult {
        let reader = session.reader
        let csrf = Self.e(Self.csrf(r))
        let context = ReaderHoles.Context(r)
        var body = Self.errors(errors)
        switch r.query["saved"] {
        case "profile": body += "<p class=\"notice\" role=\"status\">Your name and website were saved.</p>"
        case "picture": body += "<p class=\"notice\" role=\"status\">Your picture was changed.</p>"
        case "unfollowed": body += "<p class=\"notice\" role=\"status\">You no longer follow it.</p>"
        default: break
        }
        let name = typed?.name ?? reader.name
        let website = typed?.website ?? (reader.website ?? "")
        body += """
            <section class="account-profile"><h2>You</h2>
            <p><img class="avatar" src="\(Self.e(ReaderFaces.url(reader, context, size: 96)))" alt="Your picture" width="96" height="96"></p>
            <p>Signed in with your \(Self.e(session.provider)) account\(reader.email.map { " · " + Self.e($0) } ?? "").</p>
            <form method="post" action="\(Self.e(r.links.account(.profile)))">
            <input type="hidden" name="_csrf" value="\(csrf)">
            <p><label for="account-name">Name (shown with your comments)</label>
            <input id="account-name" name="name" type="text" value="\(Self.e(name))" maxlength="245" required></p>
            <p><label for="account-website">Website</label>
            <input id="account-website" name="website" type="url" value="\(Self.e(website))" maxlength="200"></p>
            <p><button type="submit">Save</button></p>
            </form>
            <form method="post" action="\(Self.e(r.links.account(.picture)))" enctype="multipart/form-data">
            <input type="hidden" name="_csrf" value="\(csrf)">
            <p><label for="account-picture">Picture (JPEG, PNG, WebP or GIF, up to \(Self.pictureLimit >> 20) MB)</label>
            <input id="account-picture" name="picture" type="file" accept="image/jpeg,image/png,image/webp,image/gif"></p>
            <p><button type="submit">Upload picture</button>\(reader.avatar == nil ? "" : " <button type=\"submit\" name=\"remove\" value=\"1\">Use the blog’s face instead</button>")</p>
            </form>
            </section>
            """
        let identities = try await drey.store.readerIdentities(readerID: reader.id)
        let format = r.site.settings.formatter(r.site.settings.dateFormat)
        body += "<section class=\"account-methods\"><h2>How you sign in</h2><ul>"
        for identity in identities {
            let what = identity.method == .email ? identity.subject : identity.method == .indieauth ? identity.subject : identity.provider
            body +=
                "<li>\(Self.e(identity.provider)): \(Self.e(what)) · since \(Self.e(format.string(from: identity.createdAt)))"
                + ", last used \(Self.e(format.string(from: identity.lastUsedAt)))</li>"
        }
        body += "</ul></section>"
        for section in Self.accountSections {
            if let html = try await section.html(session, r, drey) { body += html }
        }
        body += """
            <section class="account-data"><h2>Your data</h2>
            <p><a href="\(Self.e(r.links.account(.export)))" download>Download everything this blog holds about you (JSON)</a></p>
            <form method="post" action="\(Self.e(r.links.account(.delete)))">
            <input type="hidden" name="_csrf" value="\(csrf)">
            <p><label><input type="checkbox" name="confirm" value="yes"> I want to delete my account</label></p>
            <p>Your sign-in methods, sessions and likes are deleted and your address follows nothing more; your comments stay under the name they were written with.</p>
            <p><button type="submit">Delete my account</button></p>
            </form>
            <form method="post" action="\(Self.e(r.links.signOut))"><p><button type="submit">Sign out</button></p></form>
            </section>
            """
        return page(r, title: "Your account", body: body, status: status)
    }

    static let pictureLimit = 5 << 20

    /// `POST /account/picture`: a multipart form streamed to disk under its own limit, as the media library's uploads.
    func picture(_ r: SiteRequest) async throws -> PageResult {
        guard let session = r.reader else {
            return .redirect(to: r.links.signIn(returnTo: "/account"), permanent: false)
        }
        let limit = min(Self.pictureLimit, drey.config.maxUploadSize)
        let tooLarge = "The picture is larger than \(limit >> 20) MB."
        guard let boundary = r.request.headers[.contentType].flatMap(MultipartUpload.boundary(contentType:)) else {
            return try await accountPage(r, session, errors: ["Send the picture with the form on this page."], status: .badRequest)
        }
        if let length = r.request.headers[.contentLength].flatMap(Int.init), length > limit + (64 << 10) {
            return try await accountPage(r, session, errors: [tooLarge], status: .contentTooLarge)
        }
        let directory = URL(fileURLWithPath: drey.config.dataDirectory).appendingPathComponent("uploads-incoming")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let parts: MultipartUpload
        do {
            parts = try await MultipartUpload.read(r.request.body, boundary: boundary, limit: limit + (64 << 10), directory: directory)
        } catch MultipartUpload.Failure.tooLarge {
            return try await accountPage(r, session, errors: [tooLarge], status: .contentTooLarge)
        } catch let MultipartUpload.Failure.malformed(why) {
            return try await accountPage(r, session, errors: ["The picture could not be read: \(why)."], status: .badRequest)
        }
        defer { parts.discard() }
        guard checkCSRF(r, parts.fields["_csrf"]) else { return try await accountPage(r, session, errors: [Self.staleForm], status: .forbidden) }
        if parts.fields["remove"] == "1" {
            _ = try await drey.readers.removePicture(session.reader)
            return .redirect(to: r.links.account() + "?saved=picture", permanent: false)
        }
        guard let file = parts.files.first(where: { $0.field == "picture" && $0.size > 0 }) else {
            return try await accountPage(r, session, errors: ["Choose a picture to upload."], status: .unprocessableContent)
        }
        guard file.size <= limit else { return try await accountPage(r, session, errors: [tooLarge], status: .contentTooLarge) }
        do {
            _ = try await drey.readers.setPicture(session.reader, file: file.file)
        } catch let error as SettingError {
            return try await accountPage(r, session, errors: [error.message], status: .unprocessableContent)
        }
        return .redirect(to: r.links.account() + "?saved=picture", permanent: false)
    }

    /// `/faces/NAME`: a reader's uploaded picture. Names are random and never reused, so browsers may keep it.
    func face(_ name: String) -> PageResult? {
        guard let file = drey.readers.faceFile(name) else { return nil }
        let types = ["jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"]
        return .file(file, contentType: types[file.pathExtension] ?? "application/octet-stream")
    }
}
