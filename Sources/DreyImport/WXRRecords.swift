import Foundation

/// The channel header of a WXR file: which WordPress site it came from.
public struct WXRChannel: Sendable, Equatable {
    public var title = ""
    public var link = ""
    public var description = ""
    public var language = ""
    public var version = ""
    public var baseSiteURL = ""
    public var baseBlogURL = ""

    public init() {}

    /// The blog's address, for telling its own links from others'.
    public var blogURL: String { baseBlogURL.isEmpty ? (link.isEmpty ? baseSiteURL : link) : baseBlogURL }
}

/// A `<wp:author>` entry.
public struct WXRAuthor: Sendable, Equatable {
    public var id: Int64?
    public var login = ""
    public var email = ""
    public var displayName = ""
    public var firstName = ""
    public var lastName = ""
    public var line = 0

    public init() {}
}

/// A `<wp:category>`, `<wp:tag>` or `<wp:term>` entry; `parent` is the parent's slug.
public struct WXRTerm: Sendable, Equatable {
    /// Which element declared it: `category`, `tag` or `term`.
    public var element = ""
    /// WordPress's taxonomy name: `category`, `post_tag`, or another (`nav_menu`, `post_format`…).
    public var taxonomy = ""
    public var id: Int64?
    public var slug = ""
    public var name = ""
    public var parent = ""
    public var description = ""
    public var line = 0

    public init() {}
}

public struct WXRMeta: Sendable, Equatable {
    public var key = ""
    public var value = ""

    public init(key: String = "", value: String = "") {
        self.key = key
        self.value = value
    }
}

/// A `<category domain="…" nicename="…">Name</category>` on an item.
public struct WXRItemTerm: Sendable, Equatable {
    public var domain: String
    public var slug: String
    public var name: String
}

public struct WXRComment: Sendable, Equatable {
    public var id: Int64?
    public var author = ""
    public var authorEmail = ""
    public var authorURL = ""
    public var authorIP = ""
    public var date = ""
    public var dateGMT = ""
    public var content = ""
    public var approved = ""
    public var type = ""
    public var parent: Int64 = 0
    public var userID: Int64 = 0
    public var meta: [WXRMeta] = []
    public var line = 0

    public init() {}
}

/// An `<item>`: a post, page, attachment, menu item or any other post type, with its comments.
public struct WXRItem: Sendable, Equatable {
    public var title = ""
    public var link = ""
    public var pubDate = ""
    public var creator = ""
    public var guid = ""
    public var content = ""
    public var excerpt = ""
    public var id: Int64?
    public var date = ""
    public var dateGMT = ""
    public var modified = ""
    public var modifiedGMT = ""
    public var commentStatus = ""
    public var pingStatus = ""
    public var name = ""
    public var status = ""
    public var parent: Int64 = 0
    public var menuOrder = 0
    public var type = ""
    public var password = ""
    public var isSticky = false
    public var attachmentURL = ""
    public var terms: [WXRItemTerm] = []
    public var meta: [WXRMeta] = []
    public var comments: [WXRComment] = []
    public var line = 0

    public init() {}

    public func meta(_ key: String) -> String? { meta.first { $0.key == key }?.value }

    /// How the item names itself in messages: its type, WordPress ID and title.
    public var label: String {
        let kind = type.isEmpty ? "item" : type
        let idText = id.map { " \($0)" } ?? ""
        let titleText = title.isEmpty ? "" : " “\(title.prefix(60))”"
        return "\(kind)\(idText)\(titleText) (line \(line))"
    }
}

/// What the reader hands over, in file order.
public enum WXREvent: Sendable {
    /// The header; sent once, before the first author, term or item.
    case channel(WXRChannel)
    case author(WXRAuthor)
    case term(WXRTerm)
    case item(WXRItem)

    /// The line the event ended on, for progress.
    var line: Int {
        switch self {
        case .channel: return 0
        case .author(let a): return a.line
        case .term(let t): return t.line
        case .item(let i): return i.line
        }
    }
}
