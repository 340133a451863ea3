import DreyCore
import Foundation

extension SiteSettings {
    /// Whether the blog and its authors can be followed from the fediverse; on unless the owner turns it off.
    public var fediverseEnabled: Bool { self[.fediverseEnabled] == "1" }
    /// The blog's own handle, `@blog@host` by default.
    public var fediverseBlogName: String { self[.fediverseBlogName] }
    /// Mastodon's "suggest account to others" and "include public posts in search results".
    public var fediverseDiscoverable: Bool { self[.fediverseDiscoverable] == "1" }
    public var fediverseIndexable: Bool { self[.fediverseIndexable] == "1" }
    /// Whether each author is an actor of their own; otherwise the blog speaks for everyone.
    public var fediverseAuthors: Bool { self[.fediverseAuthors] == "1" }
}
