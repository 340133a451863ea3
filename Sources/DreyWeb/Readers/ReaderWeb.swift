import DreyApp
import DreyCore
import Foundation
import Hummingbird

/// Readers on the web: their cookie, the session it names, and where a sign-in lands.
public enum ReaderWeb {
    /// Holds a random token; the table keeps its SHA-256 only. Never the staff cookie: a reader session opens no admin.
    public static let cookie = "drey_reader"

    /// Signs the reader in on this response: sets the cookie and goes back to `returnTo` when it is a path on this
    /// site, else home (never an outside address).
    public static func signedIn(token: String, returnTo: String?, r: SiteRequest) -> PageResult {
        let cookie = setCookie(
            Self.cookie, token, maxAge: Int(ReaderService.sessionLifetime), secure: r.request.isSecure || r.links.base.hasPrefix("https://"))
        return .redirect(to: r.links.base + safePath(returnTo), permanent: false, cookies: [cookie])
    }

    /// The cookie that forgets the session in the browser.
    static func clearedCookie(_ r: SiteRequest) -> String {
        setCookie(Self.cookie, "", maxAge: 0, secure: r.request.isSecure || r.links.base.hasPrefix("https://"))
    }

    /// `path` when it is a path on this site ("/…", not "//host" nor "/\\host", no scheme, no control characters), else "/".
    public static func safePath(_ path: String?) -> String {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.hasPrefix("/\\") else { return "/" }
        // Printable ASCII without a backslash, the common case, is checked by its bytes: the reader's holes ask on
        // every response, and the checks below walk the text by Unicode characters.
        if path.utf8.count <= 2000, path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) { return path }
        guard path.count <= 2000,
            !path.contains(where: { $0.isNewline || $0 == "\\" || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } ?? false) })
        else { return "/" }
        return path
    }
}

extension WebApp {
    /// The signed-in reader a request's `drey_reader` cookie names on this site, if the session lives.
    func readerSession(_ request: Request, site: Site) async throws -> ReaderSession? {
        guard let token = request.cookie(ReaderWeb.cookie), !token.isEmpty else { return nil }
        return try await drey.readers.session(siteID: site.id, token: token)
    }
}
