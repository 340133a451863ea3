import DreyApp
import DreyCore
import DreyStore
import Foundation
import Hummingbird

/// Followers by email: who, in which state since when, each consent as given, a CSV export, blocking; and for one
/// post, who follows its thread. Administrators only (the list holds addresses).
struct SubscribersAdmin {
    let controller: AdminController
    var store: SQLStore { controller.drey.store }

    func show(_ a: AdminRequest) async throws -> PageResult {
        guard a.can(.listUsers) else { throw AdminRefusal.forbidden("see the subscribers") }
        let site = a.r.site.id
        let status = a.r.query["status"].flatMap(Subscriber.Status.init(rawValue:))
        let list = try await store.subscribers(siteID: site, status: status)
        let format = DateFormatter()
        format.dateFormat = "yyyy-MM-dd HH:mm"
        format.timeZone = a.r.site.settings.timeZone
        if a.r.query["format"] == "csv" {
            var csv = "email,status,follows_blog,requested_at,confirmed_at,changed_at\r\n"
            let iso = ISO8601DateFormatter()
            for s in list {
                csv +=
                    [
                        Self.csvField(s.email), s.status.rawValue, s.followsBlog ? "1" : "0", iso.string(from: s.requestedAt),
                        s.confirmedAt.map(iso.string(from:)) ?? "", iso.string(from: s.changedAt),
                    ].joined(separator: ",") + "\r\n"
            }
            return .custom(
                status: .ok, contentType: "text/csv; charset=utf-8", body: csv,
                headers: [.contentDisposition: "attachment; filename=\"subscribers.csv\"", .cacheControl: "private, no-store"])
        }
        var history: [SubscribersScreen.Consent] = []
        var historyOf = ""
        if let id = a.r.query["id"].flatMap(Int64.init), let s = try await store.subscriber(id: id), s.siteID == site {
            historyOf = s.email
            history = try await store.consents(subscriberID: id).map {
                SubscribersScreen.Consent(
                    when: format.string(from: $0.createdAt), action: $0.action.rawValue, scope: $0.scope, page: $0.page, wording: $0.wording,
                    ip: $0.ip, mailed: $0.mailed)
            }
        }
        var threadOf = ""
        var likers: [String] = []
        var thread: [SubscribersScreen.Row] = []
        if let postID = a.r.query["post"].flatMap(Int64.init), let post = try await store.post(id: postID, siteID: site) {
            threadOf = post.title
            likers = try await store.likers(postID: postID, limit: 1000).map { "\($0.name)" + ($0.website.map { " (\($0))" } ?? "") }
            thread = try await store.threadFollowersForAdmin(postID: postID).map {
                SubscribersScreen.Row(
                    id: $0.subscriberID, email: $0.email, status: $0.status.rawValue, since: format.string(from: $0.since), blog: false,
                    blocked: $0.status == .blocked)
            }
        }
        let counts = try await store.subscriberCounts(siteID: site)
        let rows = list.map {
            SubscribersScreen.Row(
                id: $0.id, email: $0.email, status: $0.status.rawValue, since: format.string(from: $0.confirmedAt ?? $0.requestedAt),
                blog: $0.followsBlog, blocked: $0.status == .blocked)
        }
        var page = AdminPage(
            title: "Subscribers", section: .users,
            SubscribersScreen(
                rows: rows, summary: Subscriber.Status.allCases.map { "\($0.rawValue): \(counts[$0] ?? 0)" }.joined(separator: " · "),
                history: history, historyOf: historyOf, hasHistory: !historyOf.isEmpty, thread: thread, threadOf: threadOf,
                hasThread: !threadOf.isEmpty, likers: likers))
        page.flash = controller.flash(a)
        return .personal(status: .ok, body: controller.render(page, a))
    }

    func act(_ a: AdminRequest) async throws -> PageResult {
        guard a.can(.listUsers) else { throw AdminRefusal.forbidden("manage the subscribers") }
        guard let id = a.form["id"].flatMap(Int64.init), let action = a.form["action"], action == "block" || action == "unblock" else {
            throw AdminRefusal(status: 422, message: "Choose an address and an action.")
        }
        do {
            try await controller.drey.follows.setBlocked(action == "block", subscriberID: id, siteID: a.r.site.id, by: a.user.login)
        } catch is StoreError {
            throw AdminRefusal(status: 404, message: "There is no such subscriber.")
        }
        return controller.done(
            a, .subscribers, action == "block" ? "Blocked: that address gets nothing more." : "Unblocked; the address may follow again.")
    }

    /// A spreadsheet must not take a cell for a formula (`=…`).
    static func csvField(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        return value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline })
            ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }
}

struct SubscribersScreen: AdminBody {
    static let template = "subscribers"

    struct Row {
        let id: Int64
        let email: String
        let status: String
        let since: String
        let blog: Bool
        let blocked: Bool
    }

    struct Consent {
        let when: String
        let action: String
        let scope: String
        let page: String
        let wording: String
        let ip: String
        let mailed: Bool
    }

    let rows: [Row]
    let summary: String
    let history: [Consent]
    let historyOf: String
    let hasHistory: Bool
    let thread: [Row]
    let threadOf: String
    let hasThread: Bool
    /// The readers who like the post, by name (and site).
    let likers: [String]
}
