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
        let draftList = try await store.adminPosts(drafts).posts.map { ["id": String($0.id), "title": $0.title.isEmpty ? "(untitled)" : $0.title] }
        let pending = a.can(.moderateComments) ? try await store.comments(siteID: site, statuses: [.pending], limit: 5, offset: 0) : []
        let pendingRows = pending.map { c -> [String: Any] in
            ["id": String(c.id), "author": c.authorName, "excerpt": PlainText.fromHTML(c.contentHTML, maxWords: 20), "note": c.moderationNote.isEmpty ? false : c.moderationNote]
        }
        // What the spam filter did in the last 30 days without anyone seeing it: blatant spam is counted, not stored.
        var discarded: [String: Int] = [:]
        if a.can(.moderateComments) {
            let since = SpamFilter.day(controller.drey.config.clock.now().addingTimeInterval(-30 * 86400))
            for row in try await store.discards(siteID: site, sinceDay: since) { discarded[row.reason, default: 0] += row.count }
        }
        // Mail that could not be sent (a reset link, an invitation) waits for an operator to see it.
        var failedMail: [String: Any] = ["hasFailedMail": false]
        if a.can(.manageOptions) {
            let (count, newest) = try await store.jobSummary(kind: MailQueue.kind, state: .failed, siteID: site)
            if count > 0 {
                failedMail = [
                    "hasFailedMail": true, "failedMail": String(count), "failedMailPlural": count != 1,
                    "failedMailError": newest?.lastError ?? "", "failedMailJob": newest.map { String($0.id) } ?? "",
                ]
            }
        }
        let discardRows = discarded.sorted { $0.key < $1.key }.map { ["reason": $0.key, "count": String($0.value)] }
        var page = AdminPage(title: "Dashboard", section: "dashboard", [
            "addressNote": a.can(.manageOptions) ? Self.addressNote(a.r.site.settings) : false,
            "discards": discardRows, "hasDiscards": !discardRows.isEmpty,
            "discardTotal": String(discarded.values.reduce(0, +)), "retentionDays": String(a.r.site.settings.spamRetentionDays),
            "published": String(posts[.publish] ?? 0), "drafts": String(posts[.draft] ?? 0), "pendingPosts": String(posts[.pending] ?? 0),
            "scheduled": String(posts[.future] ?? 0), "pages": String(pages[.publish] ?? 0),
            "approvedComments": String(comments[.approved] ?? 0), "pendingComments": String(comments[.pending] ?? 0),
            "spamComments": String(comments[.spam] ?? 0), "draftList": draftList, "hasDrafts": !draftList.isEmpty,
            "pendingList": pendingRows, "hasPending": !pendingRows.isEmpty,
        ])
        page.values.merge(failedMail) { _, new in new }
        return .personal(status: .ok, body: controller.render(page, template: "dashboard", a))
    }

    /// Tells the administrator where the blog's address came from while no person has chosen it.
    static func addressNote(_ settings: SiteSettings) -> Any {
        let home = settings.homeURL
        if home.isEmpty {
            return "The blog's address is not known yet (no request came from this machine or a trusted proxy); links in mail use the site's host until you set it in Settings → General."
        }
        guard settings.values[SiteService.homeURLFromRequest] == home else { return false }
        return "The blog's address was set to \(home) from the first request; change it in Settings → General."
    }
}
