import Mustache

public struct TermLink: Sendable, Hashable, MustacheParent {
    public var name: String
    public var url: String
    /// Whether another link follows in the same list (for the separating comma).
    public var more: Bool

    public init(name: String, url: String, more: Bool = false) {
        self.name = name
        self.url = url
        self.more = more
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "name": return self.name
        case "url": return url
        case "more": return more
        default: return nil
        }
    }

    /// Marks every link but the last as followed by another.
    public static func list(_ links: [TermLink]) -> [TermLink] {
        links.enumerated().map { i, link in
            var l = link
            l.more = i < links.count - 1
            return l
        }
    }
}

/// A post as a list or a single page shows it.
///
/// Compared field by field (`FragmentMemo` keys rendered pieces by the view), but hashed by a few fields that tell
/// posts apart cheaply: hashing the whole text, with Swift's Unicode-aware string hashing, was a twentieth of an
/// uncached home page. Equal views still hash alike, as `Hashable` requires.
public struct PostView: Sendable, Hashable, MustacheParent {
    public var id: Int64
    public var title: String
    public var url: String
    public var dateText: String
    public var timeText: String
    public var isoPublished: String
    public var isoModified: String
    public var authorName: String
    public var authorURL: String
    public var contentHTML: String
    public var excerptText: String
    public var categories: [TermLink]
    public var tags: [TermLink]
    public var commentCountText: String
    public var commentsURL: String
    public var sticky: Bool
    public var isPage: Bool
    /// `style` attribute value overriding the site's typography for this post, or empty.
    public var typographyStyle: String
    public var passwordRequired: Bool
    /// Lists show whole posts on the home page and summaries elsewhere.
    public var showFull: Bool = false
    /// The post's featured image, ready to place (`<picture>` or `<img>`), or empty.
    public var featuredImageHTML: String = ""

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(isoModified)
        hasher.combine(contentHTML.utf8.count)
        hasher.combine(excerptText.utf8.count)
        hasher.combine(showFull)
        hasher.combine(passwordRequired)
    }

    public init(
        id: Int64, title: String, url: String, dateText: String, timeText: String, isoPublished: String,
        isoModified: String, authorName: String, authorURL: String, contentHTML: String, excerptText: String,
        categories: [TermLink], tags: [TermLink], commentCountText: String, commentsURL: String, sticky: Bool,
        isPage: Bool, typographyStyle: String, passwordRequired: Bool = false
    ) {
        self.id = id
        self.title = title
        self.url = url
        self.dateText = dateText
        self.timeText = timeText
        self.isoPublished = isoPublished
        self.isoModified = isoModified
        self.authorName = authorName
        self.authorURL = authorURL
        self.contentHTML = contentHTML
        self.excerptText = excerptText
        self.categories = TermLink.list(categories)
        self.tags = TermLink.list(tags)
        self.commentCountText = commentCountText
        self.commentsURL = commentsURL
        self.sticky = sticky
        self.isPage = isPage
        self.typographyStyle = typographyStyle
        self.passwordRequired = passwordRequired
    }

    /// Roughly what the view holds in memory (what `FragmentMemo` counts for its key).
    var weight: Int {
        [title, url, dateText, timeText, isoPublished, isoModified, authorName, authorURL, contentHTML, excerptText, commentCountText]
            .reduce(256) { $0 + $1.utf8.count } + (categories + tags).reduce(0) { $0 + $1.name.utf8.count + $1.url.utf8.count + 32 }
            + commentsURL.utf8.count + typographyStyle.utf8.count + featuredImageHTML.utf8.count
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "id": return String(id)
        case "title": return title.isEmpty ? "(untitled)" : title
        case "url": return url
        case "dateText": return dateText
        case "timeText": return nonEmpty(timeText)
        case "isoPublished": return isoPublished
        case "isoModified": return isoModified
        case "authorName": return nonEmpty(authorName)
        case "authorURL": return nonEmpty(authorURL)
        case "contentHTML": return contentHTML
        case "excerptText": return nonEmpty(excerptText)
        case "categories": return categories
        case "tags": return tags
        case "hasTerms": return !categories.isEmpty || !tags.isEmpty
        case "hasCategories": return !categories.isEmpty
        case "hasTags": return !tags.isEmpty
        case "showFull": return showFull
        case "featuredImageHTML": return nonEmpty(featuredImageHTML)
        case "commentCountText": return nonEmpty(commentCountText)
        case "commentsURL": return commentsURL
        case "sticky": return sticky
        case "isPage": return isPage
        case "typographyStyle": return nonEmpty(typographyStyle)
        case "passwordRequired": return passwordRequired
        default: return nil
        }
    }
}

public struct Pagination: Sendable, MustacheParent {
    public var newerURL: String
    public var olderURL: String
    public var current: Int
    public var total: Int

    public init(newerURL: String, olderURL: String, current: Int, total: Int) {
        self.newerURL = newerURL
        self.olderURL = olderURL
        self.current = current
        self.total = total
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "newerURL": return nonEmpty(newerURL)
        case "olderURL": return nonEmpty(olderURL)
        case "current": return String(current)
        case "total": return String(total)
        case "several": return total > 1
        default: return nil
        }
    }
}

/// Home, archives and search results.
public struct ListPage: Sendable, MustacheParent {
    public var chrome: Chrome
    public var heading: String
    public var headingKind: String
    public var descriptionHTML: String
    public var posts: [PostView]
    public var pagination: Pagination
    public var emptyMessage: String
    public var isSearch: Bool
    /// The posts rendered through the theme's `post-summary` partial (`Theme.renderSummaries`); themes may show
    /// `{{{postsHTML}}}` or loop over `posts` themselves.
    public var postsHTML: String = ""

    public init(
        chrome: Chrome, heading: String, headingKind: String, descriptionHTML: String, posts: [PostView],
        pagination: Pagination, emptyMessage: String, isSearch: Bool = false
    ) {
        self.chrome = chrome
        self.heading = heading
        self.headingKind = headingKind
        self.descriptionHTML = descriptionHTML
        self.posts = posts
        self.pagination = pagination
        self.emptyMessage = emptyMessage
        self.isSearch = isSearch
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "chrome": return chrome
        case "heading": return nonEmpty(heading)
        case "headingKind": return nonEmpty(headingKind)
        case "descriptionHTML": return nonEmpty(descriptionHTML)
        case "posts": return posts
        case "postsHTML": return postsHTML
        case "pagination": return pagination
        case "emptyMessage": return emptyMessage
        case "isSearch": return isSearch
        default: return nil
        }
    }
}

/// The themed "not found" page.
public struct NotFoundPage: Sendable, MustacheParent {
    public var chrome: Chrome
    public var message: String

    public init(chrome: Chrome, message: String) {
        self.chrome = chrome
        self.message = message
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "chrome": return chrome
        case "message": return message
        default: return nil
        }
    }
}
