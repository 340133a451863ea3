import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation

/// The moderation queue: pending, approved, spam and trash.
struct CommentsAdmin {
    let controller: AdminController
    var store: SQLStore { controller.drey.store }
    static let perPage = 30

    /// The tab a form was sent from, to go back to.
    static func from(_ a: AdminRequest) -> CommentStatus { CommentStatus(rawValue: a.form["from"] ?? "") ?? .pending }

    func list(_ a: AdminRequest) async throws -> PageResult {
        guard a.can(.moderateComments) else { throw AdminRefusal.forbidden("moderate comments") }
        guard case .comments(let status, let page) = AdminRoute.match("/comments", query: a.r.query) else {
            return .plain(status: .notFound, text: "Not found.")
        }
        let comments = try await store.comments(siteID: a.r.site.id, statuses: [status], limit: Self.perPage + 1, offset: (page - 1) * Self.perPage)
        let counts = try await store.commentCounts(siteID: a.r.site.id)
        var postTitles: [Int64: String] = [:]
        for id in Set(comments.map(\.postID)) { postTitles[id] = try await store.post(id: id, siteID: a.r.site.id)?.title ?? "(deleted)" }
        let tz = a.r.site.settings.timeZone
        let rows = comments.prefix(Self.perPage).map { c in
            CommentsScreen.Row(
                id: c.id, author: c.authorName, email: c.authorEmail, website: c.authorURL, hasWebsite: !c.authorURL.isEmpty, ip: c.authorIP,
                type: c.type.rawValue, isLinkback: c.type.isLinkback, contentHTML: c.contentHTML, postTitle: postTitles[c.postID] ?? "",
                postID: c.postID, note: c.moderationNote, hasNote: !c.moderationNote.isEmpty,
                score: c.spamScore.map { String(format: "%.2f", $0) },
                date: PHPDateFormat("Y/m/d \\a\\t g:i a", timeZone: tz).string(from: c.createdAt),
                avatar: Faces(a.r).url(email: c.authorEmail, size: 32), isPending: c.status == .pending, isApproved: c.status == .approved,
                isSpam: c.status == .spam, isTrash: c.status == .trash)
        }
        let tabs = [CommentStatus.pending, .approved, .spam, .trash].map { s in
            AdminTab(label: s.rawValue.capitalized, count: counts[s] ?? 0, url: AdminRoute.comments(s).path, current: s == status)
        }
        var view = AdminPage(
            title: "Comments", section: .comments,
            CommentsScreen(
                rows: rows, hasRows: !rows.isEmpty, tabs: tabs, status: status.rawValue, canEmpty: status == .spam || status == .trash,
                emptyLabel: status == .spam ? "Empty spam" : "Empty trash",
                prevURL: page > 1 ? AdminRoute.comments(status, page: page - 1).path : nil,
                nextURL: comments.count > Self.perPage ? AdminRoute.comments(status, page: page + 1).path : nil))
        view.flash = controller.flash(a)
        return .personal(status: .ok, body: controller.render(view, a))
    }

    /// One action on one or many comments: approve, unapprove, spam, not spam, trash, restore.
    func act(_ a: AdminRequest) async throws -> PageResult {
        guard a.can(.moderateComments) else { throw AdminRefusal.forbidden("moderate comments") }
        let back = AdminRoute.comments(Self.from(a))
        // A row's own button sends `do=action:ID`; the bulk form sends `action` and `ids[]`.
        var action = a.form["action"] ?? ""
        var ids = a.form.all("ids[]").compactMap(Int64.init)
        if let rowAction = a.form["do"], let colon = rowAction.firstIndex(of: ":"), let id = Int64(rowAction[rowAction.index(after: colon)...]) {
            action = String(rowAction[..<colon])
            ids = [id]
        }
        let target: CommentStatus
        switch action {
        case "approve", "notspam", "restore": target = .approved
        case "unapprove": target = .pending
        case "spam": target = .spam
        case "trash": target = .trash
        default: throw AdminRefusal(status: 422, message: "Choose an action for the selected comments.")
        }
        var n = 0
        for id in Set(ids) {
            guard let c = try await store.comment(id: id), c.siteID == a.r.site.id else { continue }
            _ = try await controller.drey.comments.setStatus(target, commentID: id)
            n += 1
        }
        return controller.done(a, back, "\(n) comment\(n == 1 ? "" : "s") marked \(target == .approved ? "approved" : target.rawValue).")
    }

    func empty(_ a: AdminRequest) async throws -> PageResult {
        guard a.can(.moderateComments) else { throw AdminRefusal.forbidden("moderate comments") }
        guard let status = CommentStatus(rawValue: a.form["status"] ?? ""), status == .spam || status == .trash else {
            throw AdminRefusal(status: 422, message: "Only spam and trash can be emptied.")
        }
        try await controller.drey.comments.empty(status, siteID: a.r.site.id)
        return controller.done(a, .comments(status), "\(status == .spam ? "Spam" : "Trash") emptied.")
    }

    func editForm(_ a: AdminRequest, id: Int64, errors: [String] = [], typed: Comment? = nil) async throws -> PageResult {
        guard a.can(.moderateComments) else { throw AdminRefusal.forbidden("edit comments") }
        guard let c = try await store.comment(id: id), c.siteID == a.r.site.id else {
            throw AdminRefusal(status: 404, message: "There is no such comment.")
        }
        let shown = typed ?? c
        var page = AdminPage(
            title: "Edit comment", section: .comments,
            CommentEditScreen(id: c.id, author: shown.authorName, email: shown.authorEmail, website: shown.authorURL, text: shown.source))
        page.errors = errors
        return .personal(status: errors.isEmpty ? .ok : .unprocessableContent, body: controller.render(page, a))
    }

    func saveEdit(_ a: AdminRequest, id: Int64) async throws -> PageResult {
        guard a.can(.moderateComments) else { throw AdminRefusal.forbidden("edit comments") }
        guard let c = try await store.comment(id: id), c.siteID == a.r.site.id else {
            throw AdminRefusal(status: 404, message: "There is no such comment.")
        }
        do {
            let saved = try await controller.drey.comments.edit(
                c.id, siteID: a.r.site.id, name: a.form["author"] ?? "", email: a.form["email"] ?? "", url: a.form["url"] ?? "",
                text: a.form["comment"] ?? "")
            return controller.done(a, .comments(saved.status), "Comment updated.")
        } catch let rejection as CommentEditRejection {
            return try await editForm(a, id: id, errors: rejection.messages, typed: rejection.typed)
        }
    }

    /// A reply written in the queue: approved, and marked as the author's when the author writes it.
    func reply(_ a: AdminRequest, id: Int64) async throws -> PageResult {
        guard a.can(.moderateComments) else { throw AdminRefusal.forbidden("reply to comments here") }
        guard let parent = try await store.comment(id: id), parent.siteID == a.r.site.id else {
            throw AdminRefusal(status: 404, message: "There is no such comment.")
        }
        if parent.status != .approved { _ = try await controller.drey.comments.setStatus(.approved, commentID: parent.id) }
        var s = CommentSubmission(
            postID: parent.postID, parentID: parent.id, authorName: a.user.displayName, email: a.user.email, url: a.user.url,
            text: a.form["comment"] ?? "")
        s.userID = a.user.id
        s.byModerator = true
        s.forcedStatus = .approved
        do {
            _ = try await controller.drey.comments.submit(s, siteID: a.r.site.id)
        } catch let rejection as CommentRejection {
            throw AdminRefusal(status: 422, message: rejection.messages.joined(separator: " "))
        }
        return controller.done(a, .comments(Self.from(a)), "Reply published.")
    }
}

/// The moderation queue of one status.
struct CommentsScreen: AdminBody {
    static let template = "comments"

    /// A comment or linkback with its actions. It has no `status`: the row's forms send the list's own, to come back to it.
    struct Row {
        let id: Int64
        let author: String
        let email: String
        let website: String
        let hasWebsite: Bool
        let ip: String
        let type: String
        let isLinkback: Bool
        let contentHTML: String
        let postTitle: String
        let postID: Int64
        let note: String
        let hasNote: Bool
        /// The spam filter's score to two decimals; nil for a comment it did not score.
        let score: String?
        let date: String
        let avatar: String
        let isPending: Bool
        let isApproved: Bool
        let isSpam: Bool
        let isTrash: Bool
    }

    let rows: [Row]
    let hasRows: Bool
    let tabs: [AdminTab]
    let status: String
    let canEmpty: Bool
    let emptyLabel: String
    let prevURL: String?
    let nextURL: String?
}

/// Editing a comment's author, addresses and text.
struct CommentEditScreen: AdminBody {
    static let template = "comment-edit"
    let id: Int64
    let author: String
    let email: String
    let website: String
    let text: String
}
