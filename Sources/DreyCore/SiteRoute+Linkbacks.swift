import DreyCore
import Foundation

/// The addresses other blogs talk to: Pingback's XML-RPC, Trackback, Webmention and its status pages.
public enum LinkbackRoute: Sendable, Equatable {
    case xmlrpc
    /// `…/postname/trackback/`, with the post's own path.
    case trackback(postPath: String)
    case webmention
    case webmentionStatus(token: String)

    public static func match(_ path: String) -> LinkbackRoute? {
        if path == "/xmlrpc.php" { return .xmlrpc }
        if path == "/webmention" || path == "/webmention/" { return .webmention }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        if segments.count == 3, segments[0] == "webmention", segments[1] == "status" {
            return .webmentionStatus(token: String(segments[2]))
        }
        if segments.count >= 2, segments.last == "trackback" {
            return .trackback(postPath: "/" + segments.dropLast().joined(separator: "/") + "/")
        }
        return nil
    }
}

extension SiteLinks {
    public var xmlrpc: String { base + "/xmlrpc.php" }
    public var webmention: String { base + "/webmention" }
    public func webmentionStatus(_ token: String) -> String { base + "/webmention/status/\(token)" }
    public func trackback(postURL: String) -> String { postURL + "trackback/" }
    public var jsonFeed: String { feed(.json) }
}
