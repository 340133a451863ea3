import Foundation

/// A site's settings, typed; stored as key/value text rows so new settings need no migration.
public struct SiteSettings: Sendable, Equatable {
    public var values: [String: String]

    public init(values: [String: String] = [:]) { self.values = values }

    public subscript(key: SettingKey) -> String { values[key.rawValue] ?? key.defaultValue }

    public var title: String { self[.title] }
    public var tagline: String { self[.tagline] }
    public var homeURL: String { self[.homeURL] }
    public var timeZone: TimeZone { TimeZones.named(self[.timezone]) ?? TimeZones.utc }
    public var dateFormat: String { self[.dateFormat] }
    public var timeFormat: String { self[.timeFormat] }
    public var postsPerPage: Int { Int(self[.postsPerPage]) ?? 10 }
    public var permalinkStructure: PermalinkStructure {
        PermalinkStructure.parsed(self[.permalinkStructure]) ?? .dayAndName
    }
    /// Earlier structures, newest first, so old links can be redirected.
    public var permalinkHistory: [PermalinkStructure] {
        self[.permalinkHistory].split(separator: "\n").compactMap { PermalinkStructure(String($0)) }
    }
    public var commentModeration: Bool { self[.commentModeration] == "1" }
    public var commentPreviouslyApproved: Bool { self[.commentPreviouslyApproved] == "1" }
    /// WordPress's "Email me whenever a comment is held for moderation" (to every moderator).
    public var moderationNotify: Bool { self[.moderationNotify] == "1" }
    /// WordPress's "Email me whenever anyone posts a comment" (to the post's author, once it is approved).
    public var commentsNotify: Bool { self[.commentsNotify] == "1" }
    public var commentMaxLinks: Int { Int(self[.commentMaxLinks]) ?? 2 }
    public var moderationKeys: [String] { Self.lines(self[.moderationKeys]) }
    public var disallowedKeys: [String] { Self.lines(self[.disallowedKeys]) }
    public var threadDepth: Int { max(1, min(10, Int(self[.threadDepth]) ?? 5)) }
    public var commentOrderNewestFirst: Bool { self[.commentOrder] == "desc" }
    public var commentsOpenByDefault: Bool { self[.defaultCommentStatus] == "open" }
    public var commentMaxLength: Int { Int(self[.commentMaxLength]) ?? 65_525 }
    public var pageCacheEnabled: Bool { self[.pageCache] == "1" }
    public var secret: String { self[.secret] }
    public var customCSS: String { self[.customCSS] }
    public var dateLanguage: DateLanguage { DateLanguage(rawValue: self[.language]) ?? .english }
    /// A formatter for the site's time zone and language of dates.
    public func formatter(_ format: String) -> PHPDateFormat { PHPDateFormat(format, timeZone: timeZone, language: dateLanguage) }

    /// The page shown at `/` instead of the latest posts, if one is chosen.
    public var frontPageID: Int64? { self[.showOnFront] == "page" ? Int64(self[.pageOnFront]) : nil }
    /// Hosts and ranges inside the network this site may fetch from (tests, intranets).
    public var fetchAllow: [String] { self[.fetchAllow].split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init) }
    public var webmentionsEnabled: Bool { self[.webmentionEnabled] == "1" }
    public var pingbacksEnabled: Bool { self[.pingbackEnabled] == "1" }
    public var trackbacksEnabled: Bool { self[.trackbackEnabled] == "1" }
    public var sendsLinkbacks: Bool { self[.sendLinkbacks] == "1" }
    public var websubHub: String { self[.websubHub] }
    /// Whether the home page shows whole posts (WordPress's "full text") or their excerpts.
    public var homeShowsFullText: Bool { self[.homeShows] != "excerpt" }
    /// Faces from Gravatar (each page view then tells Gravatar who reads what) instead of made by the blog itself.
    public var gravatarFaces: Bool { self[.avatars] == "gravatar" }
    /// The menu the owner wrote; empty means the theme's own (pages and top categories).
    public var menuItems: [MenuItem] { MenuItem.parse(self[.menu]) }
    /// Readers may sign in with their own website (IndieAuth).
    public var signinIndieAuth: Bool { readersEnabled && self[.signinIndieAuth] == "1" }
    /// Readers may sign in at all; each method has its own switch besides.
    public var readersEnabled: Bool { self[.readersEnabled] == "1" }
    public var signinEmail: Bool { readersEnabled && self[.signinEmail] == "1" }

    public var typography: Typography {
        Typography(
            fontFamily: FontStack(rawValue: self[.fontFamily]), fontSize: Int(self[.fontSize]),
            lineHeight: Double(self[.lineHeight]), contentWidth: Int(self[.contentWidth])
        )
    }

    static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// Every setting a site has, with its default and its validation.
public enum SettingKey: String, Sendable, CaseIterable {
    case title, tagline
    case homeURL = "home_url"
    case timezone
    case dateFormat = "date_format"
    case timeFormat = "time_format"
    case postsPerPage = "posts_per_page"
    case permalinkStructure = "permalink_structure"
    case permalinkHistory = "permalink_history"
    case commentModeration = "comment_moderation"
    case commentPreviouslyApproved = "comment_previously_approved"
    case commentMaxLinks = "comment_max_links"
    case commentMaxLength = "comment_max_length"
    case moderationKeys = "moderation_keys"
    case disallowedKeys = "disallowed_keys"
    case threadDepth = "thread_comments_depth"
    case commentOrder = "comment_order"
    case defaultCommentStatus = "default_comment_status"
    case fontFamily = "font_family"
    case fontSize = "font_size"
    case lineHeight = "line_height"
    case contentWidth = "content_width"
    case customCSS = "custom_css"
    case pageCache = "page_cache"
    case fetchAllow = "fetch_allow"
    case webmentionEnabled = "webmention_enabled"
    case pingbackEnabled = "pingback_enabled"
    case trackbackEnabled = "trackback_enabled"
    case sendLinkbacks = "send_linkbacks"
    case websubHub = "websub_hub"
    case secret
    case language
    case showOnFront = "show_on_front"
    case pageOnFront = "page_on_front"
    case commentFloodSeconds = "comment_flood_seconds"
    case commentRateIPPerHour = "comment_rate_ip_per_hour"
    case commentRateEmailPerHour = "comment_rate_email_per_hour"
    case commentFormMinSeconds = "comment_form_min_seconds"
    case commentFormMaxAgeHours = "comment_form_max_age_hours"
    case spamHoldScore = "spam_hold_score"
    case spamSpamScore = "spam_spam_score"
    case spamRetentionDays = "spam_retention_days"
    case homeShows = "home_shows"
    case menu
    case moderationNotify = "moderation_notify"
    case commentsNotify = "comments_notify"
    /// `local` (faces made by the blog) or `gravatar`.
    case avatars
    case signinIndieAuth = "signin_indieauth"
    /// Readers may sign in (to comment as themselves); `signin_email`: by a link and code sent to their address.
    case readersEnabled = "readers_enabled"
    case signinEmail = "signin_email"
    /// The fediverse (ActivityPub): on or off, the blog's handle, Mastodon's discoverable and indexable flags, and
    /// whether authors are actors of their own.
    case fediverseEnabled = "fediverse_enabled"
    case fediverseBlogName = "fediverse_blog_name"
    case fediverseDiscoverable = "fediverse_discoverable"
    case fediverseIndexable = "fediverse_indexable"
    case fediverseAuthors = "fediverse_authors"
    case likesEnabled = "likes_enabled"
    case followsEnabled = "follows_enabled"
    case mailFrom = "mail_from"

    public var defaultValue: String {
        switch self {
        case .title: return "My Drey Blog"
        case .tagline: return "Just another Drey blog"
        case .homeURL: return ""
        case .timezone: return "UTC"
        case .dateFormat: return "F j, Y"
        case .timeFormat: return "g:i a"
        case .postsPerPage: return "10"
        case .permalinkStructure: return PermalinkStructure.dayAndName.pattern
        case .permalinkHistory: return ""
        case .commentModeration: return "0"
        case .moderationNotify, .commentsNotify: return "1"
        case .commentPreviouslyApproved: return "1"
        case .commentMaxLinks: return "2"
        case .commentMaxLength: return "65525"
        case .moderationKeys, .disallowedKeys: return ""
        case .threadDepth: return "5"
        case .commentOrder: return "asc"
        case .defaultCommentStatus: return "open"
        case .fontFamily: return Typography.standard.fontFamily!.rawValue
        case .fontSize: return String(Typography.standard.fontSize!)
        case .lineHeight: return Typography.format(Typography.standard.lineHeight!)
        case .contentWidth: return String(Typography.standard.contentWidth!)
        case .customCSS: return ""
        case .pageCache: return "1"
        case .fetchAllow, .websubHub: return ""
        case .webmentionEnabled, .pingbackEnabled, .trackbackEnabled, .sendLinkbacks: return "1"
        case .secret: return ""
        case .language: return DateLanguage.english.rawValue
        case .showOnFront: return "posts"
        case .pageOnFront: return ""
        case .commentFloodSeconds, .commentRateIPPerHour, .commentRateEmailPerHour, .commentFormMinSeconds,
            .commentFormMaxAgeHours, .spamHoldScore, .spamSpamScore, .spamRetentionDays:
            return spamDefault
        case .homeShows: return "full"
        case .menu: return ""
        case .avatars: return "local"
        case .signinIndieAuth: return "1"
        case .readersEnabled, .signinEmail: return "1"
        case .fediverseEnabled, .fediverseDiscoverable, .fediverseIndexable, .fediverseAuthors: return "1"
        case .fediverseBlogName: return "blog"
        case .likesEnabled, .followsEnabled, .mailFrom: return followsDefault
        }
    }

    /// Settings never printed by `site get` nor changed by `site set`.
    public var isInternal: Bool { self == .secret || self == .permalinkHistory }

    /// Checks and normalises a value typed by a person; the error says what is allowed.
    public func validate(_ raw: String) throws(SettingError) -> String {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        switch self {
        case .title:
            guard !value.isEmpty, value.count <= 200 else { throw SettingError("title must be 1 to 200 characters") }
            return value
        case .tagline:
            guard value.count <= 300 else { throw SettingError("tagline must be at most 300 characters") }
            return value
        case .websubHub:
            if value.isEmpty { return "" }
            guard let url = URL(string: value), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                url.host != nil
            else { throw SettingError("websub_hub must be an absolute http or https URL, or empty for none") }
            return value
        case .fetchAllow:
            let entries = value.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
            for entry in entries where !Self.isHostOrRange(entry) {
                throw SettingError("fetch_allow: '\(entry)' is neither a host name, an IP address nor a CIDR range")
            }
            return entries.joined(separator: " ")
        case .homeURL:
            if value.isEmpty { return "" }
            guard let url = URL(string: value), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                url.host != nil
            else { throw SettingError("home_url must be an absolute http or https URL, or empty to follow the request") }
            return value.hasSuffix("/") ? String(value.dropLast()) : value
        case .timezone:
            guard TimeZone(identifier: value) != nil else {
                throw SettingError("unknown timezone '\(value)'; use an IANA name such as Europe/London or UTC")
            }
            return value
        case .dateFormat, .timeFormat:
            guard !value.isEmpty, value.count <= 60 else { throw SettingError("\(rawValue) must be 1 to 60 characters of PHP date format") }
            return value
        case .postsPerPage:
            return try Self.integer(value, in: 1...100, name: rawValue)
        case .permalinkStructure:
            guard let structure = PermalinkStructure(value) else {
                throw SettingError(
                    "permalink_structure must start and end with '/', use only WordPress tags (%year% %monthnum% %day% %hour% %minute% %second% %postname% %post_id% %category% %author%) and include %postname% or %post_id%"
                )
            }
            return structure.pattern
        case .commentModeration, .commentPreviouslyApproved, .moderationNotify, .commentsNotify, .pageCache, .webmentionEnabled, .pingbackEnabled,
            .trackbackEnabled, .sendLinkbacks, .signinIndieAuth, .fediverseEnabled, .fediverseDiscoverable, .fediverseIndexable,
            .fediverseAuthors:
            switch value.lowercased() {
            case "1", "on", "true", "yes": return "1"
            case "0", "off", "false", "no": return "0"
            default: throw SettingError("\(rawValue) must be on or off (1 or 0)")
            }
        case .commentMaxLinks: return try Self.integer(value, in: 0...1000, name: rawValue)
        case .commentMaxLength: return try Self.integer(value, in: 100...1_000_000, name: rawValue)
        case .threadDepth: return try Self.integer(value, in: 1...10, name: rawValue)
        case .commentOrder:
            guard value == "asc" || value == "desc" else { throw SettingError("comment_order must be asc or desc") }
            return value
        case .defaultCommentStatus:
            guard value == "open" || value == "closed" else { throw SettingError("default_comment_status must be open or closed") }
            return value
        case .moderationKeys, .disallowedKeys, .customCSS, .permalinkHistory, .secret:
            return raw.replacingOccurrences(of: "\r\n", with: "\n")
        case .fontFamily:
            guard FontStack(rawValue: value) != nil else {
                throw SettingError("font_family must be one of \(FontStack.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        case .language:
            guard DateLanguage(rawValue: value) != nil else {
                throw SettingError("language must be one of \(DateLanguage.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        case .showOnFront:
            guard value == "posts" || value == "page" else { throw SettingError("show_on_front must be posts or page") }
            return value
        case .pageOnFront:
            guard value.isEmpty || Int64(value) != nil else { throw SettingError("page_on_front must be a page ID") }
            return value
        case .fontSize: return String(try Typography.validateFontSize(value))
        case .lineHeight: return Typography.format(try Typography.validateLineHeight(value))
        case .contentWidth: return String(try Typography.validateContentWidth(value))
        case .commentFloodSeconds, .commentRateIPPerHour, .commentRateEmailPerHour, .commentFormMinSeconds,
            .commentFormMaxAgeHours, .spamHoldScore, .spamSpamScore, .spamRetentionDays:
            return try validateSpam(value)
        case .homeShows:
            guard value == "full" || value == "excerpt" else { throw SettingError("home_shows must be full or excerpt") }
            return value
        case .readersEnabled, .signinEmail: return try Self.onOff(value, name: rawValue)
        case .avatars:
            guard value == "local" || value == "gravatar" else { throw SettingError("avatars must be local or gravatar") }
            return value
        case .menu:
            return try MenuItem.validate(value)
        case .fediverseBlogName:
            let name = value.lowercased()
            guard (1...30).contains(name.count), name.allSatisfy({ ($0.isLetter || $0.isNumber || $0 == "_") && $0.isASCII }) else {
                throw SettingError("fediverse_blog_name must be 1 to 30 letters, digits or underscores (the blog is @name@host)")
            }
            return name
        case .likesEnabled, .followsEnabled, .mailFrom:
            return try validateFollows(value)
        }
    }

    /// A host name, or something shaped like an address or CIDR range (the fetcher checks it fully).
    static func isHostOrRange(_ entry: String) -> Bool {
        guard !entry.isEmpty, entry.count <= 253 else { return false }
        if entry.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." || $0 == "/" }) && entry.contains(where: { $0 == "." || $0 == ":" }) {
            return true
        }
        return entry.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "." }
    }

    static func onOff(_ value: String, name: String) throws(SettingError) -> String {
        switch value.lowercased() {
        case "1", "on", "true", "yes": return "1"
        case "0", "off", "false", "no": return "0"
        default: throw SettingError("\(name) must be on or off (1 or 0)")
        }
    }

    static func integer(_ value: String, in range: ClosedRange<Int>, name: String) throws(SettingError) -> String {
        guard let n = Int(value), range.contains(n) else {
            throw SettingError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return String(n)
    }
}
