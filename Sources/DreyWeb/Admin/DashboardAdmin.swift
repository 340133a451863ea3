import DreyApp
import DreyCore
import DreyStore
import Foundation

struct DashboardAdmin {
    let controller: AdminController

    func show(_ a: AdminRequest) async throws -> PageResult {
        let store = controller.drey.store
        let site = a.r.site.id
        let reader = PostsAdmin.seesOthersUnpublished(a) ? nil : a.user.id
        let posts = try await store.postCounts(siteID: site, type: .post, onlyOwnUnpublished: reader)
        let pages = try await store.postCounts(siteID: site, type: .page, onlyOwnUnpublished: reader)
        let comments = try await store.commentCounts(siteID: site)
        var drafts = AdminPostFilter(siteID: site)
        drafts.status = .draft
        drafts.limit = 5
        if !a.can(.editOthersPosts) { drafts.authorID = a.user.id }
        let draftList = try await store.adminPosts(drafts).posts.map {
            DashboardScreen.Draft(id: $0.id, title: $0.title.isEmpty ? "(untitled)" : $0.title)
        }
        let pending = a.can(.moderateComments) ? try await store.comments(siteID: site, statuses: [.pending], limit: 5, offset: 0) : []
        let pendingRows = pending.map { c in
            DashboardScreen.Pending(
                author: c.authorName, excerpt: PlainText.fromHTML(c.contentHTML, maxWords: 20),
                note: c.moderationNote.isEmpty ? nil : c.moderationNote)
        }
        // What the spam filter did in the last 30 days without anyone seeing it: blatant spam is counted, not stored.
        var discarded: [String: Int] = [:]
        if a.can(.moderateComments) {
            let since = SpamFilter.day(controller.drey.config.clock.now().addingTimeInterval(-30 * 86400))
            for row in try await store.discards(siteID: site, sinceDay: since) { discarded[row.reason, default: 0] += row.count }
        }
        // Mail that could not be sent (a reset link, an invitation) waits for an operator to see it.
        var failedMail: (count: Int, newest: Job?) = (0, nil)
        if a.can(.manageOptions) { failedMail = try await store.jobSummary(kind: MailQueue.kind, state: .failed, siteID: site) }
        let discardRows = discarded.sorted { $0.key < $1.key }.map { DashboardScreen.Discard(reason: $0.key, count: $0.value) }
        let page = AdminPage(
            title: "Dashboard", section: .dashboard,
            DashboardScreen(
                addressNote: a.can(.manageOptions) ? Self.addressNote(a.r.site.settings) : nil,
                published: posts[.publish] ?? 0, drafts: posts[.draft] ?? 0, pendingPosts: posts[.pending] ?? 0, scheduled: posts[.future] ?? 0,
                pages: pages[.publish] ?? 0, approvedComments: comments[.approved] ?? 0, pendingComments: comments[.pending] ?? 0,
                spamComments: comments[.spam] ?? 0, draftList: draftList, hasDrafts: !draftList.isEmpty, pendingList: pendingRows,
                hasPending: !pendingRows.isEmpty, discards: discardRows, hasDiscards: !discardRows.isEmpty,
                discardTotal: discarded.values.reduce(0, +), retentionDays: a.r.site.settings.spamRetentionDays,
                hasFailedMail: failedMail.count > 0, failedMail: failedMail.count, failedMailPlural: failedMail.count != 1,
                failedMailJob: failedMail.newest.map { String($0.id) } ?? "", failedMailError: failedMail.newest?.lastError ?? ""))
        return .personal(status: .ok, body: controller.render(page, a))
    }

    /// Tells the administrator where the blog's address came from while no person has chosen it.
    static func addressNote(_ settings: SiteSettings) -> String? {
        let home = settings.homeURL
        if home.isEmpty {
            return
                "The blog's address is not known yet (no request came from this machine or a trusted proxy); links in mail use the site's host until you set it in Settings → General."
        }
        guard settings.values[SiteService.homeURLFromRequest] == home else { return nil }
        return "The blog's address was set to \(home) from the first request; change it in Settings → General."
    }
}

struct DashboardScreen: AdminBody {
    static let template = "dashboard"

    struct Draft {
        let id: Int64
        let title: String
    }

    /// A comment awaiting moderation; `note` says why the filter held it.
    struct Pending {
        let author: String
        let excerpt: String
        let note: String?
    }

    /// Comments the spam filter threw away unstored, by reason.
    struct Discard {
        let reason: String
        let count: Int
    }

    let addressNote: String?
    let published: Int
    let drafts: Int
    let pendingPosts: Int
    let scheduled: Int
    let pages: Int
    let approvedComments: Int
    let pendingComments: Int
    let spamComments: Int
    let draftList: [Draft]
    let hasDrafts: Bool
    let pendingList: [Pending]
    let hasPending: Bool
    let discards: [Discard]
    let hasDiscards: Bool
    let discardTotal: Int
    let retentionDays: Int
    let hasFailedMail: Bool
    let failedMail: Int
    let failedMailPlural: Bool
    let failedMailJob: String
    let failedMailError: String
}
