import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation
import Hummingbird

/// The personal parts of public pages for readers: the reader bar and the comment form's identity. Each is a plain
/// function of the reader (nil for a guest) and an argument fixed when the page was rendered, returning escaped HTML,
/// so a cached page can hold a placeholder filled per response (`PageHoles`).
enum ReaderHoles {
    static let readerBarHole = "reader-bar"
    static let commentIdentityHole = "comment-identity"

    /// The reader a response's cookie names, looked up once per response however many holes ask. Boxed: `once` keeps
    /// values as `any Sendable`, and a remembered-nothing would cast to an `Optional` as "looked up, nobody".
    static func reader(_ context: HoleContext) async -> ReaderSession? {
        if let known = knownReader(context) { return known }
        struct Lookup: Sendable { let session: ReaderSession? }
        return await context.once("reader-session") { () -> Lookup in
            do {
                let session = try await context.app.readerSession(context.request, site: context.site)
                if let token = context.readerToken {
                    context.app.readerMemory.remember(token: token, siteID: context.site.id, session: session)
                }
                return Lookup(session: session)
            } catch {
                context.app.drey.logger.error("looking up a reader's session failed: \(error)")
                return Lookup(session: nil)
            }
        }.session
    }

    /// The reader, when it is known without waiting: nobody for a request without the reader cookie, else what
    /// `ReaderMemory` remembers of the cookie; nil when it must be looked up.
    static func knownReader(_ context: HoleContext) -> ReaderSession?? {
        guard let token = context.readerToken else { return .some(nil) }
        if let found = context.knownReader { return found }
        // The app's clock, not the memory's, says when a session ends (tests move it).
        guard let known = context.app.readerMemory.session(token: token, siteID: context.site.id) else { return nil }
        if let session = known, session.expiresAt <= context.app.drey.config.clock.now() { return nil }
        context.knownReader = .some(known)
        return known
    }

    static func readerBarNow(_ hole: HoleContext) -> String? {
        guard hole.site.settings.readersEnabled else { return "" }
        guard let known = knownReader(hole) else { return nil }
        return readerBar(known, hole.request.uri.description, context(hole))
    }

    static func commentIdentityNow(_ hole: HoleContext, _ postID: Int64) -> String? {
        guard hole.site.settings.readersEnabled else { return commentIdentity(nil, hole.request.uri.path + "#respond", context(hole)) }
        guard let known = knownReader(hole) else { return nil }
        return commentIdentity(known, hole.request.uri.path + "#respond", context(hole))
    }

    /// What the fillers need of the site, from a hole's context: the links as the page was made with them.
    static func context(_ hole: HoleContext) -> Context {
        let home = hole.site.settings.homeURL
        let base = home.isEmpty ? (hole.request.isSecure ? "https://" : "http://") + (hole.request.requestedHost ?? hole.site.host) : home
        return Context(links: SiteLinks(base: base, settings: hole.site.settings), settings: hole.site.settings)
    }

    /// The `reader-bar` hole: the page's own address is where signing in or out comes back to.
    static func readerBar(_ hole: HoleContext) async -> String {
        guard hole.site.settings.readersEnabled else { return "" }
        return readerBar(await reader(hole), hole.request.uri.description, context(hole))
    }

    /// The `comment-identity` hole, argument the post: back to the form after signing in or out.
    static func commentIdentity(_ hole: HoleContext, _ postID: Int64) async -> String {
        let session = hole.site.settings.readersEnabled ? await reader(hole) : nil
        return commentIdentity(session, hole.request.uri.path + "#respond", context(hole))
    }
    /// What the fillers need of the site.
    struct Context: Sendable {
        let links: SiteLinks
        let settings: SiteSettings

        init(links: SiteLinks, settings: SiteSettings) {
            self.links = links
            self.settings = settings
        }

        init(_ r: SiteRequest) { self.init(links: r.links, settings: r.site.settings) }
    }

    /// What a guest typed into a form that came back refused.
    struct Typed: Sendable {
        var name = ""
        var email = ""
        var website = ""
    }

    static func e(_ s: String) -> String { HTMLEscape.text(s) }

    static func query(_ path: String) -> String { path.percentEncodedAlphanumerics }

    /// `reader-bar`: who is signed in, with their account and sign-out; or a sign-in link. `argument`: the page's path.
    static func readerBar(_ reader: ReaderSession?, _ argument: String, _ c: Context) -> String {
        guard c.settings.readersEnabled else { return "" }
        let back = ReaderWeb.safePath(argument)
        guard let reader else {
            return
                "<nav class=\"reader-bar\" aria-label=\"Reader\"><a class=\"reader-signin\" href=\"\(e(c.links.signIn(returnTo: back)))\">Reader sign-in</a></nav>"
        }
        return "<nav class=\"reader-bar\" aria-label=\"Reader\">"
            + "<img class=\"avatar\" src=\"\(e(ReaderFaces.url(reader.reader, c, size: 24)))\" alt=\"\" width=\"24\" height=\"24\"> "
            + "<span class=\"reader-bar-who\">Signed in as \(e(reader.reader.name))</span> "
            + "<a href=\"\(e(c.links.account()))\">Your account</a> "
            + "<form class=\"reader-signout\" method=\"post\" action=\"\(e(c.links.signOut))?return_to=\(e(query(back)))\">"
            + "<button type=\"submit\" class=\"link-button\">Sign out</button></form></nav>"
    }

    /// `comment-identity`: inside the comment form, "You are commenting using your … account" for a reader, else the
    /// guest's name, email and website fields. `argument`: the post's path, to come back to after signing in or out.
    static func commentIdentity(_ reader: ReaderSession?, _ argument: String, _ c: Context, typed: Typed = Typed()) -> String {
        let back = ReaderWeb.safePath(argument)
        if let reader, c.settings.readersEnabled {
            let r = reader.reader
            return "<p class=\"comment-identity logged-in-as\">"
                + "<img class=\"avatar\" src=\"\(e(ReaderFaces.url(r, c, size: 32)))\" alt=\"\" width=\"32\" height=\"32\"> "
                + "You are commenting using your \(e(reader.provider)) account (\(e(r.name))). "
                + "<button type=\"submit\" class=\"link-button\" formaction=\"\(e(c.links.signOut))?return_to=\(e(query(back)))\" "
                + "formmethod=\"post\" formnovalidate>Log out</button> / "
                + "<a href=\"\(e(c.links.signIn(returnTo: back)))\">Change</a></p>"
        }
        var out =
            "<p class=\"comment-notes\">Your email address will not be published. Required fields are marked <span aria-hidden=\"true\">*</span>"
        if c.settings.readersEnabled, c.settings.signinEmail || !ReaderPages.extraSignInMethods(c.settings).isEmpty {
            out += " Or <a class=\"comment-signin\" href=\"\(e(c.links.signIn(returnTo: back)))\">sign in</a> to comment as yourself."
        }
        out += "</p>\n"
        out += """
            <p class="comment-form-author"><label for="author">Name <span aria-hidden="true">*</span></label>
            <input id="author" name="author" type="text" value="\(e(typed.name))" size="30" maxlength="245" autocomplete="name" required></p>
            <p class="comment-form-email"><label for="email">Email <span aria-hidden="true">*</span></label>
            <input id="email" name="email" type="email" value="\(e(typed.email))" size="30" maxlength="100" autocomplete="email" required></p>
            <p class="comment-form-url"><label for="url">Website</label>
            <input id="url" name="url" type="url" value="\(e(typed.website))" size="30" maxlength="200" autocomplete="url"></p>
            """
        return out
    }
}

/// A reader's face: their uploaded picture, else the face the blog makes (or Gravatar's, when the owner chose it).
enum ReaderFaces {
    static func url(_ reader: Reader, _ c: ReaderHoles.Context, size: Int = 48) -> String {
        if let avatar = reader.avatar, ReaderFaceName.isValid(avatar) { return c.links.url(.readerFace(name: avatar)) }
        return generated(reader, links: c.links, settings: c.settings, size: size)
    }

    /// The faces of the readers who wrote `comments` (a post's, read for display, which says who wrote each), by
    /// comment ID; one query, only when some comment has a reader.
    static func forComments(on postID: Int64, _ comments: [Comment], store: SQLStore, _ r: SiteRequest) async throws -> [Int64: String] {
        guard comments.contains(where: { $0.readerID != nil }) else { return [:] }
        let readers = try await store.commentReaders(postID: postID)
        guard !readers.isEmpty else { return [:] }
        let context = ReaderHoles.Context(r)
        return readers.mapValues { url($0, context) }
    }

    /// The face a reader has without a picture: the one their verified address has on the blog, so their comments from
    /// before they signed in look the same; a reader without an address gets one of their own.
    static func generated(_ reader: Reader, links: SiteLinks, settings: SiteSettings, size: Int = 48) -> String {
        let key = reader.email ?? "reader-\(reader.id)@readers.invalid"
        if settings.gravatarFaces, reader.email != nil { return Avatar.url(email: key, size: size) }
        return links.url(.avatar(key: Avatar.localKey(email: key, secret: settings.secret)))
    }
}
