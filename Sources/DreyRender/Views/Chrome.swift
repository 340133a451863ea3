import Mustache

/// What every page shares: the site's name, the document head and the typography.
public struct Chrome: Sendable {
    public var siteTitle: String
    public var tagline: String
    public var homeURL: String
    public var language: String
    /// `<title>` of this page.
    public var documentTitle: String
    public var canonicalURL: String
    public var description: String
    public var ogType: String
    public var ogTitle: String
    /// CSS custom properties for the site's typography (`--drey-font-size: 19px; …`).
    public var typographyCSS: String
    public var customCSS: String
    public var feeds: [FeedLink]
    public var noindex: Bool
    public var searchQuery: String
    public var assetBase: String
    public var extraHead: String
    /// Where other blogs send Webmentions and Pingbacks; empty when the site takes none.
    public var webmentionURL: String = ""
    public var pingbackURL: String = ""
    /// Links into the admin for a signed-in staff member; nil on every page a reader (or the page cache) gets.
    public var adminBar: AdminBarView? = nil
    /// The site's menu: pages and top categories, or the links the owner chose.
    public var menu: [TermLink] = []
    /// Who is signed in as a reader, or a sign-in link: escaped HTML (or its placeholder on a cached page).
    public var readerBar: String = ""

    public init(
        siteTitle: String, tagline: String, homeURL: String, language: String = "en", documentTitle: String,
        canonicalURL: String, description: String, ogType: String = "website", ogTitle: String,
        typographyCSS: String, customCSS: String = "", feeds: [FeedLink] = [], noindex: Bool = false,
        searchQuery: String = "", assetBase: String = "/assets/default", extraHead: String = ""
    ) {
        self.siteTitle = siteTitle
        self.tagline = tagline
        self.homeURL = homeURL
        self.language = language
        self.documentTitle = documentTitle
        self.canonicalURL = canonicalURL
        self.description = description
        self.ogType = ogType
        self.ogTitle = ogTitle
        self.typographyCSS = typographyCSS
        self.customCSS = customCSS
        self.feeds = feeds
        self.noindex = noindex
        self.searchQuery = searchQuery
        self.assetBase = assetBase
        self.extraHead = extraHead
    }
}

extension Chrome: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "siteTitle": return siteTitle
        case "tagline": return nonEmpty(tagline)
        case "homeURL": return homeURL
        case "language": return language
        case "documentTitle": return documentTitle
        case "canonicalURL": return nonEmpty(canonicalURL)
        case "description": return nonEmpty(description)
        case "ogType": return ogType
        case "ogTitle": return ogTitle
        case "typographyCSS": return typographyCSS
        case "customCSS": return nonEmpty(customCSS)
        case "feeds": return feeds
        case "noindex": return noindex
        case "searchQuery": return searchQuery
        case "assetBase": return assetBase
        case "extraHead": return nonEmpty(extraHead)
        case "webmentionURL": return nonEmpty(webmentionURL)
        case "pingbackURL": return nonEmpty(pingbackURL)
        case "adminBar": return adminBar.map { $0 as Any } ?? false
        case "menu": return menu
        case "readerBar": return nonEmpty(readerBar)
        case "hasMenu": return !menu.isEmpty
        case "feedLinks": return feeds.filter { !$0.footerName.isEmpty }
        default: return nil
        }
    }
}

/// The admin bar a signed-in staff member sees at the top of public pages.
public struct AdminBarView: Sendable, MustacheParent {
    public var name: String
    public var dashboardURL: String
    public var newPostURL = ""
    public var editURL = ""
    public var editLabel = ""

    public init(name: String, dashboardURL: String) {
        self.name = name
        self.dashboardURL = dashboardURL
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "name": return self.name
        case "dashboardURL": return dashboardURL
        case "newPostURL": return nonEmpty(newPostURL)
        case "editURL": return nonEmpty(editURL)
        case "editLabel": return editLabel
        default: return nil
        }
    }
}

public struct FeedLink: Sendable, MustacheParent {
    public var title: String
    public var url: String
    public var type: String
    /// How the footer names this feed in plain words ("Posts (RSS)"); empty keeps it out of the footer.
    public var footerName: String = ""

    public init(title: String, url: String, type: String, footerName: String = "") {
        self.title = title
        self.url = url
        self.type = type
        self.footerName = footerName
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "title": return title
        case "url": return url
        case "type": return type
        case "footerName": return footerName
        default: return nil
        }
    }
}

/// Text that a template can both print and test with `{{#x}}`: empty counts as absent.
/// It is never nil, because Mustache looks a nil name up in the enclosing contexts, and a reply
/// without a website would then show its parent's.
public struct OptionalText: Sendable, MustacheCustomRenderable {
    public let text: String
    public var renderText: String { text }
    public var isNull: Bool { text.isEmpty }
}

func nonEmpty(_ s: String) -> OptionalText { OptionalText(text: s) }
