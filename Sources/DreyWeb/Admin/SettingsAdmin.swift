import DreyApp
import DreyCore
import DreyRender
import Foundation

/// Site settings by section; every value is validated and all of a section is saved, or none.
struct SettingsAdmin {
    let controller: AdminController

    static let sections: [String: (title: String, keys: [SettingKey])] = [
        "general": ("General", [.title, .tagline, .homeURL, .timezone, .dateFormat, .timeFormat, .language]),
        "reading": ("Reading", [.postsPerPage, .showOnFront, .pageOnFront, .homeShows, .menu, .pageCache]),
        "permalinks": ("Permalinks", [.permalinkStructure]),
        "discussion": (
            "Discussion",
            [
                .defaultCommentStatus, .commentModeration, .commentPreviouslyApproved, .moderationNotify, .commentsNotify,
                .commentMaxLinks, .commentMaxLength,
                .moderationKeys, .disallowedKeys, .threadDepth, .commentOrder, .commentFloodSeconds, .commentRateIPPerHour,
                .commentRateEmailPerHour, .commentFormMinSeconds, .commentFormMaxAgeHours, .spamHoldScore, .spamSpamScore,
                .spamRetentionDays,
                .readersEnabled, .signinEmail,
                .likesEnabled, .followsEnabled, .mailFrom,
            ]
        ),
        "appearance": ("Appearance", [.fontFamily, .fontSize, .lineHeight, .contentWidth, .customCSS]),
    ]

    func show(_ a: AdminRequest, section: String, errors: [String] = [], typed: [SettingKey: String]? = nil) async throws -> PageResult {
        guard a.can(.manageOptions) else { throw AdminRefusal.forbidden("change the site's settings") }
        guard let title = Self.sections[section]?.title else { throw AdminRefusal(status: 404, message: "There is no such settings page.") }
        let settings = a.r.site.settings
        // What was typed wins over what is saved, so a refused form comes back as it was sent.
        func value(_ key: SettingKey) -> String { typed?[key] ?? settings[key] }
        let fonts = FontStack.allCases.map { f in
            SettingsScreen.Font(value: f.rawValue, label: f.label, css: f.css, selected: f.rawValue == value(.fontFamily))
        }
        let current = value(.permalinkStructure)
        let common: [(String, String)] = [
            ("Day and name", PermalinkStructure.dayAndName.pattern), ("Month and name", PermalinkStructure.monthAndName.pattern),
            ("Numeric", PermalinkStructure.numeric.pattern), ("Post name", PermalinkStructure.postName.pattern),
        ]
        let isCommon = common.contains { $0.1 == current }
        let languages = DateLanguage.allCases.map { AdminOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == value(.language)) }
        let pages = try await controller.drey.store.posts(
            {
                var q = PostQuery(siteID: a.r.site.id)
                q.type = .page
                q.limit = 200
                return q
            }())
        let screen = SettingsScreen(
            section: section, isGeneral: section == "general", isReading: section == "reading", isPermalinks: section == "permalinks",
            isDiscussion: section == "discussion", isAppearance: section == "appearance",
            title: value(.title), tagline: value(.tagline), homeURL: value(.homeURL), timezone: value(.timezone), dateFormat: value(.dateFormat),
            timeFormat: value(.timeFormat), languages: languages,
            postsPerPage: value(.postsPerPage), showPosts: value(.showOnFront) != "page",
            pages: pages.map { SettingsScreen.Page(id: $0.id, title: $0.title, selected: String($0.id) == value(.pageOnFront)) },
            homeShowsExcerpt: value(.homeShows) == "excerpt", menu: value(.menu), pageCacheOn: value(.pageCache) == "1",
            structures: common.map { SettingsScreen.Structure(label: $0.0, value: $0.1, checked: $0.1 == current) },
            isCustomStructure: !isCommon, customStructure: isCommon ? "" : current,
            commentsOpen: value(.defaultCommentStatus) == "open", commentModerationOn: value(.commentModeration) == "1",
            commentPreviouslyApprovedOn: value(.commentPreviouslyApproved) == "1", moderationNotifyOn: value(.moderationNotify) == "1",
            commentsNotifyOn: value(.commentsNotify) == "1", commentMaxLinks: value(.commentMaxLinks),
            commentMaxLength: value(.commentMaxLength), moderationKeys: value(.moderationKeys), disallowedKeys: value(.disallowedKeys),
            threadDepth: value(.threadDepth), newestFirst: value(.commentOrder) == "desc", commentFloodSeconds: value(.commentFloodSeconds),
            commentRateIPPerHour: value(.commentRateIPPerHour), commentRateEmailPerHour: value(.commentRateEmailPerHour),
            commentFormMinSeconds: value(.commentFormMinSeconds), commentFormMaxAgeHours: value(.commentFormMaxAgeHours),
            spamHoldScore: value(.spamHoldScore), spamSpamScore: value(.spamSpamScore), spamRetentionDays: value(.spamRetentionDays),
            readersEnabledOn: value(.readersEnabled) == "1", signinEmailOn: value(.signinEmail) == "1",
            likesEnabledOn: value(.likesEnabled) == "1", followsEnabledOn: value(.followsEnabled) == "1", mailFrom: value(.mailFrom),
            fonts: fonts, fontSize: value(.fontSize), lineHeight: value(.lineHeight), contentWidth: value(.contentWidth),
            customCSS: value(.customCSS))
        var page = AdminPage(title: "\(title) settings", section: .settings, screen)
        page.errors = errors
        page.flash = controller.flash(a)
        return .personal(status: errors.isEmpty ? .ok : .unprocessableContent, body: controller.render(page, a))
    }

    func save(_ a: AdminRequest, section: String) async throws -> PageResult {
        guard a.can(.manageOptions) else { throw AdminRefusal.forbidden("change the site's settings") }
        guard let (_, keys) = Self.sections[section] else { throw AdminRefusal(status: 404, message: "There is no such settings page.") }
        var typed: [SettingKey: String] = [:]
        for key in keys {
            switch key {
            case .commentModeration, .commentPreviouslyApproved, .moderationNotify, .commentsNotify, .pageCache,
                .readersEnabled, .signinEmail, .likesEnabled, .followsEnabled:
                typed[key] = a.form[key.rawValue] == "1" ? "1" : "0"
            case .defaultCommentStatus:
                typed[key] = a.form[key.rawValue] == "open" ? "open" : "closed"
            case .homeShows:
                typed[key] = a.form[key.rawValue] ?? "full"
            case .permalinkStructure:
                let choice = a.form["permalink_choice"] ?? ""
                typed[key] = choice == "custom" ? (a.form["permalink_custom"] ?? "") : (choice.isEmpty ? (a.form[key.rawValue] ?? "") : choice)
            default:
                typed[key] = a.form[key.rawValue] ?? ""
            }
        }
        var errors: [String] = []
        for (key, value) in typed.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            do { _ = try key.validate(value) } catch { errors.append(error.message) }
        }
        if let hold = typed[.spamHoldScore].flatMap(Double.init), let spam = typed[.spamSpamScore].flatMap(Double.init), hold >= spam {
            errors.append("The score that holds a comment must be below the score that sends it to spam.")
        }
        if typed[.showOnFront] == "page", (typed[.pageOnFront] ?? "").isEmpty { errors.append("Choose the page to show on the front page.") }
        if !errors.isEmpty { return try await show(a, section: section, errors: errors, typed: typed) }
        try await controller.drey.siteService.set(typed, siteID: a.r.site.id)
        return controller.done(a, .settings(section: section), "Settings saved.")
    }
}

/// One section of the settings; the template shows the fields of `section` only, each as typed or as saved.
struct SettingsScreen: AdminBody {
    static let template = "settings"

    struct Font {
        let value: String
        let label: String
        /// The font stack, for the live preview.
        let css: String
        let selected: Bool
    }

    /// A permalink structure offered by name.
    struct Structure {
        let label: String
        let value: String
        let checked: Bool
    }

    /// A page that can be the front page.
    struct Page {
        let id: Int64
        let title: String
        let selected: Bool
    }

    let section: String
    let isGeneral: Bool
    let isReading: Bool
    let isPermalinks: Bool
    let isDiscussion: Bool
    let isAppearance: Bool
    // General
    let title: String
    let tagline: String
    let homeURL: String
    let timezone: String
    let dateFormat: String
    let timeFormat: String
    let languages: [AdminOption]
    // Reading
    let postsPerPage: String
    let showPosts: Bool
    let pages: [Page]
    let homeShowsExcerpt: Bool
    let menu: String
    let pageCacheOn: Bool
    // Permalinks
    let structures: [Structure]
    let isCustomStructure: Bool
    let customStructure: String
    // Discussion
    let commentsOpen: Bool
    let commentModerationOn: Bool
    let commentPreviouslyApprovedOn: Bool
    let moderationNotifyOn: Bool
    let commentsNotifyOn: Bool
    let commentMaxLinks: String
    let commentMaxLength: String
    let moderationKeys: String
    let disallowedKeys: String
    let threadDepth: String
    let newestFirst: Bool
    let commentFloodSeconds: String
    let commentRateIPPerHour: String
    let commentRateEmailPerHour: String
    let commentFormMinSeconds: String
    let commentFormMaxAgeHours: String
    let spamHoldScore: String
    let spamSpamScore: String
    let spamRetentionDays: String
    // Discussion: readers who sign in
    let readersEnabledOn: Bool
    let signinEmailOn: Bool
    let likesEnabledOn: Bool
    let followsEnabledOn: Bool
    let mailFrom: String
    // Appearance
    let fonts: [Font]
    let fontSize: String
    let lineHeight: String
    let contentWidth: String
    let customCSS: String
}
