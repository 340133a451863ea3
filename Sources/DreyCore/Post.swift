import Foundation

public enum PostType: String, Sendable, Codable, CaseIterable { case post, page }

public enum PostStatus: String, Sendable, Codable, CaseIterable {
    case draft, pending, `private`, publish, future, trash

    /// Whether anonymous readers may see a post in this status.
    public var isPublic: Bool { self == .publish }
}

public enum SourceFormat: String, Sendable, Codable, CaseIterable { case markdown, html }

/// Whether comments or pings are accepted on a post (WordPress's `open`/`closed`).
public enum OpenStatus: String, Sendable, Codable { case open, closed }

/// A post or page as the blog knows it; `contentHTML` is rendered and sanitized at save time.
public struct Post: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var siteID: Int64
    public var type: PostType
    public var status: PostStatus
    public var slug: String
    public var title: String
    public var format: SourceFormat
    public var source: String
    public var contentHTML: String
    public var excerpt: String
    public var authorID: Int64
    public var parentID: Int64?
    public var menuOrder: Int
    public var publishedAt: Date
    public var modifiedAt: Date
    public var sticky: Bool
    public var commentStatus: OpenStatus
    public var pingStatus: OpenStatus
    public var password: String
    /// Per-post typography override; empty means the site's settings apply.
    public var typography: Typography
    /// Stable identity for feeds; never changes after the first save.
    public var guid: String
    /// Approved comments and linkbacks, as WordPress counts them.
    public var commentCount: Int
    /// The post's featured image, set apart from the post (`MediaStore`); read with it, so a post without one costs
    /// no look for it.
    public var featuredMediaID: Int64?

    public init(
        id: Int64 = 0, siteID: Int64, type: PostType = .post, status: PostStatus = .draft, slug: String,
        title: String, format: SourceFormat = .markdown, source: String, contentHTML: String = "",
        excerpt: String = "", authorID: Int64, parentID: Int64? = nil, menuOrder: Int = 0,
        publishedAt: Date, modifiedAt: Date? = nil, sticky: Bool = false, commentStatus: OpenStatus = .open,
        pingStatus: OpenStatus = .open, password: String = "", typography: Typography = Typography(),
        guid: String = "", commentCount: Int = 0, featuredMediaID: Int64? = nil
    ) {
        self.id = id
        self.siteID = siteID
        self.type = type
        self.status = status
        self.slug = slug
        self.title = title
        self.format = format
        self.source = source
        self.contentHTML = contentHTML
        self.excerpt = excerpt
        self.authorID = authorID
        self.parentID = parentID
        self.menuOrder = menuOrder
        self.publishedAt = publishedAt
        self.modifiedAt = modifiedAt ?? publishedAt
        self.sticky = sticky
        self.commentStatus = commentStatus
        self.pingStatus = pingStatus
        self.password = password
        self.typography = typography
        self.guid = guid
        self.commentCount = commentCount
        self.featuredMediaID = featuredMediaID
    }

    /// Whether a reader without an account can open this post.
    public func isVisible(at now: Date) -> Bool {
        status == .publish || (status == .future && publishedAt <= now)
    }
}
