import Foundation

/// A signed-in reader's own pages, under `/account`.
public enum AccountRoute: String, Sendable, Equatable, CaseIterable {
    /// Sign-in methods, likes, follows, the picture, export and deletion.
    case overview = ""
    /// Everything held about the reader, as JSON.
    case export
    /// POST: the name and website shown with comments.
    case profile
    /// POST: an uploaded picture as the reader's face (or back to the generated one).
    case picture
    /// POST: deletes the account.
    case delete
    /// POST: stops following the blog or a thread.
    case unfollow
}

extension SiteRoute {
    /// The readers' addresses; nil for any other path. Methods are the controller's to check, so a POST here is
    /// never answered "this address does not accept forms".
    static func readerRoute(path: String, query: [String: String]) -> SiteRoute? {
        switch path {
        case "/signin", "/signin/": return .signIn(returnTo: query["return_to"].flatMap { $0.isEmpty ? nil : $0 })
        case "/signin/email": return .signInEmail
        case "/signin/email/confirm": return .signInEmailConfirm
        case "/signout": return .signOut
        case "/account", "/account/": return .account(.overview)
        default: break
        }
        if path.hasPrefix("/account/"), let sub = AccountRoute(rawValue: String(path.dropFirst("/account/".count))), sub != .overview {
            return .account(sub)
        }
        if path.hasPrefix("/faces/") {
            let name = String(path.dropFirst("/faces/".count))
            if ReaderFaceName.isValid(name) { return .readerFace(name: name) }
        }
        return nil
    }
}

extension SiteLinks {
    static func readerPath(_ route: SiteRoute) -> String {
        switch route {
        case .signIn(let returnTo):
            guard let returnTo else { return "/signin" }
            return "/signin?return_to=" + returnTo.percentEncodedAlphanumerics
        case .signInEmail: return "/signin/email"
        case .signInEmailConfirm: return "/signin/email/confirm"
        case .signOut: return "/signout"
        case .account(let sub): return sub == .overview ? "/account" : "/account/\(sub.rawValue)"
        case .readerFace(let name): return "/faces/\(name)"
        default: return "/"
        }
    }

    /// The sign-in page, coming back to `returnTo` (a path on this site) afterwards.
    public func signIn(returnTo: String? = nil) -> String { url(.signIn(returnTo: returnTo)) }
    public var signOut: String { url(.signOut) }
    public func account(_ sub: AccountRoute = .overview) -> String { url(.account(sub)) }
}

/// The stored name of a reader's uploaded picture: random hex and an image extension, nothing a path could escape with.
public enum ReaderFaceName {
    public static let extensions = ["jpg", "png", "webp", "gif"]

    public static func isValid(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, extensions.contains(String(parts[1])), (16...64).contains(parts[0].count) else { return false }
        return parts[0].allSatisfy { $0.isHexDigit && ($0.isNumber || $0.isLowercase) }
    }
}
