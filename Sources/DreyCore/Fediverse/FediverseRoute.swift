import Foundation

/// The fediverse's addresses: discovery under `/.well-known/`, NodeInfo, and the ActivityPub objects under `/ap/`.
/// Ids use numbers, never slugs or logins, so they stay the same when a post or an author is renamed.
///
///   /.well-known/webfinger?resource=…   /.well-known/nodeinfo   /nodeinfo/2.1
///   /ap/blog  /ap/users/ID  /ap/application            actors (…/inbox  …/outbox  …/followers)
///   /ap/inbox                                           the shared inbox
///   /ap/posts/ID                                        a post as an `Article` (…/replies  …/likes  …/shares)
public enum FediverseRoute: Sendable, Equatable {
    case webfinger
    case nodeinfoIndex
    case nodeinfo
    case actor(FediverseActor)
    case inbox(FediverseActor)
    case sharedInbox
    case outbox(FediverseActor)
    case followers(FediverseActor)
    case object(postID: Int64)
    case collection(postID: Int64, FediverseCollection)
    /// The actor's face as a PNG (Mastodon shows no SVG icons).
    case icon(FediverseActor)

    public static func match(_ path: String) -> FediverseRoute? {
        switch path {
        case "/.well-known/webfinger": return .webfinger
        case "/.well-known/nodeinfo": return .nodeinfoIndex
        case "/nodeinfo/2.1": return .nodeinfo
        case "/ap/inbox": return .sharedInbox
        default: break
        }
        guard path.hasPrefix("/ap/") else { return nil }
        var parts = path.dropFirst(4).split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        func id(_ text: String) -> Int64? { Int64(text).flatMap { $0 > 0 && text.first != "0" ? $0 : nil } }
        if parts.count >= 2, parts[0] == "posts", let postID = id(parts[1]) {
            if parts.count == 2 { return .object(postID: postID) }
            if parts.count == 3, let which = FediverseCollection(rawValue: parts[2]) { return .collection(postID: postID, which) }
            return nil
        }
        let actor: FediverseActor
        if parts.first == "blog" {
            actor = .blog
            parts.removeFirst()
        } else if parts.first == "application" {
            actor = .application
            parts.removeFirst()
        } else if parts.count >= 2, parts[0] == "users", let userID = id(parts[1]) {
            actor = .author(userID: userID)
            parts.removeFirst(2)
        } else {
            return nil
        }
        switch parts {
        case []: return .actor(actor)
        case ["inbox"]: return .inbox(actor)
        case ["outbox"]: return .outbox(actor)
        case ["followers"]: return .followers(actor)
        case ["icon.png"]: return .icon(actor)
        default: return nil
        }
    }

    public var path: String {
        switch self {
        case .webfinger: return "/.well-known/webfinger"
        case .nodeinfoIndex: return "/.well-known/nodeinfo"
        case .nodeinfo: return "/nodeinfo/2.1"
        case .actor(let actor): return actor.path
        case .inbox(let actor): return actor.path + "/inbox"
        case .sharedInbox: return "/ap/inbox"
        case .outbox(let actor): return actor.path + "/outbox"
        case .followers(let actor): return actor.path + "/followers"
        case .icon(let actor): return actor.path + "/icon.png"
        case .object(let postID): return "/ap/posts/\(postID)"
        case .collection(let postID, let which): return "/ap/posts/\(postID)/\(which.rawValue)"
        }
    }
}

/// Who speaks for the blog: the blog itself, one of its authors, or the application that signs fetches.
public enum FediverseActor: Sendable, Hashable {
    case blog
    case author(userID: Int64)
    case application

    public var path: String {
        switch self {
        case .blog: return "/ap/blog"
        case .author(let userID): return "/ap/users/\(userID)"
        case .application: return "/ap/application"
        }
    }

    /// The actor's column value in the fediverse tables: `blog`, `application` or `user:ID`.
    public var key: String {
        switch self {
        case .blog: return "blog"
        case .application: return "application"
        case .author(let userID): return "user:\(userID)"
        }
    }

    public init?(key: String) {
        switch key {
        case "blog": self = .blog
        case "application": self = .application
        default:
            guard key.hasPrefix("user:"), let id = Int64(key.dropFirst(5)), id > 0 else { return nil }
            self = .author(userID: id)
        }
    }
}

/// What a post's object links to: its approved replies, and counts of likes and boosts.
public enum FediverseCollection: String, Sendable, CaseIterable {
    case replies, likes, shares
}
