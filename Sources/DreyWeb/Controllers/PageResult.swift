import DreyApp
import DreyCore
import Foundation
import Hummingbird

/// What a controller answers; the responder turns it into bytes, caching what may be cached.
public enum PageResult: Sendable {
    case html(status: HTTPResponse.Status, body: String, scopes: Set<CacheScope>, cacheable: Bool = true, form: FormSlot? = nil)
    case feed(body: String, contentType: String, scopes: Set<CacheScope>)
    case redirect(to: String, permanent: Bool, cookies: [String] = [])
    case file(URL, contentType: String)
    case plain(status: HTTPResponse.Status, text: String)
    /// A page made for one signed-in person: never cached, never framed.
    case personal(status: HTTPResponse.Status, body: String, contentType: String = "text/html; charset=utf-8", cookies: [String] = [])
    /// A protocol answer (XML-RPC, Trackback, Webmention): never cached, with its own type and headers.
    case custom(status: HTTPResponse.Status, contentType: String, body: String, headers: HTTPFields)
}

/// One request as a controller sees it: the site, its links, and what the visitor carries.
public struct SiteRequest: Sendable {
    public let site: Site
    public let links: SiteLinks
    public let request: Request
    public let query: [String: String]
    public let now: Date
    public let signer: Signer
    /// IDs of held comments this visitor wrote (from a signed cookie), shown to them only.
    public let ownPendingComments: Set<Int64>
    /// Post IDs whose password this visitor gave.
    public let unlockedPosts: Set<Int64>
    /// The visitor's address as far as we can trust it ("" when unknown), for rate limits and the spam filter.
    public let clientIP: String

    /// The site's address for links that leave it (mail, pings, feeds sent out): `home_url`, which the first trusted
    /// request fixes; until then the site's own host, never a name a client sent.
    public var canonicalBase: String { site.settings.homeURL.isEmpty ? "http://\(site.host)" : site.settings.homeURL }

    /// The signed-in member of the site's staff, for the admin bar; nil for everyone else. Only requests with a
    /// session cookie look it up, and they never use the page cache (`WebApp.bypassesCache`).
    public var staff: StaffMember? = nil
    /// The signed-in reader (`drey_reader` cookie), resolved once per request; pages stay cached for them, their
    /// personal parts being filled per response (`ReaderWeb`).
    public var reader: ReaderSession? = nil
}

/// A signed-in member of a site who may use its admin (every role but subscriber).
public struct StaffMember: Sendable {
    public let user: User
    public let role: Role
}

/// A page holds a comment form whose token (the `form-token` hole, see `PageHoles`) is minted per response.
public struct FormSlot: Sendable, Equatable {
    public var postID: Int64
    /// When the reader first saw the form; nil for now. A form sent back with errors keeps the original time.
    public var shownAt: Date?
}
