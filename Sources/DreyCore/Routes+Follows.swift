import Foundation

/// A reader's likes and follows: `POST /like/12`, `POST /follow`, `/follow/confirm?t=…` (a page whose button
/// POSTs), `/unsubscribe?t=…` (a page whose button POSTs; RFC 8058's one-click POST goes to the same address).
public enum FollowRoute: Sendable, Equatable {
    case like(postID: Int64)
    case follow
    case confirm(token: String)
    case unsubscribe(token: String)

    public static func match(method: String, path: String, query: [String: String]) -> FollowRoute? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        if method == "POST", segments.count == 2, segments[0] == "like", let id = Int64(segments[1]), id > 0 { return .like(postID: id) }
        switch path {
        case "/follow", "/follow/": return method == "POST" ? .follow : nil
        case "/follow/confirm": return .confirm(token: query["t"] ?? "")
        case "/unsubscribe": return .unsubscribe(token: query["t"] ?? "")
        default: return nil
        }
    }

    public var path: String {
        func q(_ token: String) -> String { token.addingPercentEncoding(withAllowedCharacters: Self.tokenCharacters) ?? "" }
        switch self {
        case .like(let id): return "/like/\(id)"
        case .follow: return "/follow"
        case .confirm(let token): return "/follow/confirm?t=" + q(token)
        case .unsubscribe(let token): return "/unsubscribe?t=" + q(token)
        }
    }

    static let tokenCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
}
