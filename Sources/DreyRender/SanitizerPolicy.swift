import Foundation

/// What `HTMLSanitizer` lets through: an allowlist of elements and attributes, and the URL rules.
///
/// Names are lowercase. Whatever a policy says, the sanitizer never emits an `on*` or `style`
/// attribute nor an element of `SanitizerPolicy.forbiddenElements`, so a hand-made policy cannot
/// open a script context by mistake.
public struct SanitizerPolicy: Sendable {
    /// Allowed elements, each with the attributes it may carry besides `globalAttributes`.
    public var elements: [String: Set<String>]
    /// Attributes allowed on every allowed element.
    public var globalAttributes: Set<String>
    /// Attributes whose value is a URL and must pass the scheme check.
    public var urlAttributes: Set<String>
    /// Schemes an absolute URL may use, lowercase and without the colon.
    public var allowedSchemes: Set<String>
    /// Whether URLs without a scheme (`/path`, `page.html`, `#id`, `//host/path`) are kept.
    public var allowsRelativeURLs: Bool
    /// Whether an `a` with an absolute `href` gets `rel="nofollow ugc"`, unless to a trusted host.
    public var addsNofollowToExternalLinks: Bool
    /// Whether `<input type="checkbox">` survives, always disabled, for GFM task lists.
    public var allowsTaskListCheckboxes: Bool
    /// Elements removed together with everything inside them.
    public var contentDroppingElements: Set<String>

    public init(
        elements: [String: Set<String>],
        globalAttributes: Set<String> = [],
        urlAttributes: Set<String> = ["href", "src", "cite"],
        allowedSchemes: Set<String> = ["http", "https", "mailto"],
        allowsRelativeURLs: Bool,
        addsNofollowToExternalLinks: Bool = true,
        allowsTaskListCheckboxes: Bool = false,
        contentDroppingElements: Set<String> = SanitizerPolicy.standardContentDroppingElements
    ) {
        self.elements = elements
        self.globalAttributes = globalAttributes
        self.urlAttributes = urlAttributes
        self.allowedSchemes = allowedSchemes
        self.allowsRelativeURLs = allowsRelativeURLs
        self.addsNofollowToExternalLinks = addsNofollowToExternalLinks
        self.allowsTaskListCheckboxes = allowsTaskListCheckboxes
        self.contentDroppingElements = contentDroppingElements
    }
}

extension SanitizerPolicy {
    /// WordPress's comment allowlist (`$allowedtags`): inline markup, quotes and links only.
    public static let comment = SanitizerPolicy(
        elements: [
            "a": ["href", "title"],
            "abbr": ["title"],
            "b": [],
            "blockquote": ["cite"],
            "br": [],
            "cite": [],
            "code": [],
            "del": ["datetime"],
            "em": [],
            "i": [],
            "p": [],
            "q": ["cite"],
            "s": [],
            "strike": [],
            "strong": [],
        ],
        // A commenter has no business linking inside our own site with a bare path, and
        // `//host` would dodge the scheme check, so only absolute http(s) and mailto pass.
        allowsRelativeURLs: false
    )

    /// Post content and imported or federated HTML: structure, tables, figures and task lists.
    public static let content = SanitizerPolicy(
        elements: [
            "a": ["href", "title", "rel", "name", "id"],
            "abbr": ["title"],
            "b": [],
            "blockquote": ["cite"],
            "br": [],
            "caption": [],
            "cite": [],
            "code": [],
            "dd": [],
            "del": ["cite", "datetime"],
            "details": ["open"],
            "dfn": ["title"],
            "div": [],
            "dl": [],
            "dt": [],
            "em": [],
            "figcaption": [],
            "figure": [],
            "h1": ["id"], "h2": ["id"], "h3": ["id"], "h4": ["id"], "h5": ["id"], "h6": ["id"],
            "hr": [],
            "i": [],
            "img": ["src", "alt", "title", "width", "height", "loading"],
            "ins": ["cite", "datetime"],
            "kbd": [],
            "li": ["value"],
            "mark": [],
            "ol": ["start", "reversed", "type"],
            "p": [],
            "pre": [],
            "q": ["cite"],
            "s": [],
            "samp": [],
            "small": [],
            "span": [],
            "strike": [],
            "strong": [],
            "sub": [],
            "summary": [],
            "sup": [],
            "table": [],
            "tbody": [],
            "td": ["colspan", "rowspan", "align"],
            "tfoot": [],
            "th": ["colspan", "rowspan", "align", "scope"],
            "thead": [],
            "time": ["datetime"],
            "tr": [],
            "u": [],
            "ul": [],
            "var": [],
        ],
        globalAttributes: ["class"],
        allowsRelativeURLs: true,
        // Imported and federated posts come from outside, so their links are not endorsed either;
        // pass the site's own hosts as `trustedHosts` to keep internal links clean.
        addsNofollowToExternalLinks: true,
        allowsTaskListCheckboxes: true
    )

    /// Elements whose content is never shown: code, embedded documents, forms, foreign markup.
    public static let standardContentDroppingElements: Set<String> = [
        "applet", "datalist", "embed", "frame", "frameset", "iframe", "math", "noembed", "noframes",
        "noscript", "object", "optgroup", "option", "plaintext", "script", "select", "style", "svg",
        "template", "textarea", "title", "xmp",
    ]

    /// Elements no policy can allow: each either runs code, loads a document, or changes how a
    /// browser parses what follows it, which would break the sanitizer's well-formedness guarantee.
    public static let forbiddenElements: Set<String> = [
        "applet", "base", "embed", "form", "frame", "frameset", "iframe", "input", "link", "math",
        "meta", "noembed", "noframes", "noscript", "object", "plaintext", "script", "style", "svg",
        "template", "textarea", "title", "xmp",
    ]

    /// Schemes no policy can allow: each runs script, or smuggles a document, when followed.
    public static let forbiddenSchemes: Set<String> = ["data", "javascript", "vbscript"]

    /// `permitted` is the element's own list; `style` and event handlers are refused regardless.
    func allowsAttribute(_ name: String, permitted: Set<String>) -> Bool {
        if name == "style" || name.hasPrefix("on") { return false }
        return permitted.contains(name) || globalAttributes.contains(name)
    }
}
