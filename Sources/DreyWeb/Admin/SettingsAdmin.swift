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
        "discussion": ("Discussion", [
            .defaultCommentStatus, .commentModeration, .commentPreviouslyApproved, .commentMaxLinks, .commentMaxLength,
            .moderationKeys, .disallowedKeys, .threadDepth, .commentOrder, .commentFloodSeconds, .commentRateIPPerHour,
            .commentRateEmailPerHour, .commentFormMinSeconds, .commentFormMaxAgeHours, .spamHoldScore, .spamSpamScore,
            .spamRetentionDays,
        ]),
        "appearance": ("Appearance", [.fontFamily, .fontSize, .lineHeight, .contentWidth, .customCSS]),
    ]

    func show(_ a: AdminRequest, section: String, errors: [String] = [], typed: [SettingKey: String]? = nil) async throws -> PageResult {
        guard a.can(.manageOptions) else { throw AdminRefusal.forbidden("change the site's settings") }
        guard let (title, keys) = Self.sections[section] else { throw AdminRefusal(status: 404, message: "There is no such settings page.") }
        let settings = a.r.site.settings
        var values: [String: Any] = ["section": section, "sectionTitle": title, "is_" + section: true]
        for key in keys { values[key.rawValue] = typed?[key] ?? settings[key] }
        values["fonts"] = FontStack.allCases.map { f -> [String: Any] in
            ["value": f.rawValue, "label": f.label, "css": f.css, "selected": f.rawValue == (typed?[.fontFamily] ?? settings[.fontFamily])]
        }
        let current = typed?[.permalinkStructure] ?? settings[.permalinkStructure]
        let common: [(String, String)] = [
            ("Day and name", PermalinkStructure.dayAndName.pattern), ("Month and name", PermalinkStructure.monthAndName.pattern),
            ("Numeric", PermalinkStructure.numeric.pattern), ("Post name", PermalinkStructure.postName.pattern),
        ]
        values["structures"] = common.map { ["label": $0.0, "value": $0.1, "checked": $0.1 == current] }
        values["customStructure"] = common.contains { $0.1 == current } ? "" : current
        values["isCustomStructure"] = !common.contains { $0.1 == current }
        values["languages"] = DateLanguage.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0.rawValue == (typed?[.language] ?? settings[.language])] }
        let pages = try await controller.drey.store.posts({ var q = PostQuery(siteID: a.r.site.id); q.type = .page; q.limit = 200; return q }())
        values["pages"] = pages.map { ["id": String($0.id), "title": $0.title, "selected": String($0.id) == (typed?[.pageOnFront] ?? settings[.pageOnFront])] }
        values["showPosts"] = (typed?[.showOnFront] ?? settings[.showOnFront]) != "page"
        values["homeShowsExcerpt"] = (typed?[.homeShows] ?? settings[.homeShows]) == "excerpt"
        for flag in [SettingKey.commentModeration, .commentPreviouslyApproved, .pageCache] {
            values[flag.rawValue + "_on"] = (typed?[flag] ?? settings[flag]) == "1"
        }
        values["commentsOpen"] = (typed?[.defaultCommentStatus] ?? settings[.defaultCommentStatus]) == "open"
        values["newestFirst"] = (typed?[.commentOrder] ?? settings[.commentOrder]) == "desc"
        values["previewURL"] = a.r.links.home
        var page = AdminPage(title: "\(title) settings", section: "settings", values)
        page.errors = errors
        page.flash = controller.flash(a)
        return .personal(status: errors.isEmpty ? .ok : .unprocessableContent, body: controller.render(page, template: "settings", a))
    }

    func save(_ a: AdminRequest, section: String) async throws -> PageResult {
        guard a.can(.manageOptions) else { throw AdminRefusal.forbidden("change the site's settings") }
        guard let (_, keys) = Self.sections[section] else { throw AdminRefusal(status: 404, message: "There is no such settings page.") }
        var typed: [SettingKey: String] = [:]
        for key in keys {
            switch key {
            case .commentModeration, .commentPreviouslyApproved, .pageCache:
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
