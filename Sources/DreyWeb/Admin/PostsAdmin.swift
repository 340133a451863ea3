import DreyApp
import DreyCore
import DreyStore
import Foundation

/// The list of posts or pages, with filters, search, pagination and bulk actions.
struct PostsAdmin {
    let controller: AdminController
    static let perPage = 20

    func list(_ a: AdminRequest) async throws -> PageResult {
        let store = controller.drey.store
        let type = PostType(rawValue: a.r.query["type"] ?? "post") ?? .post
        var filter = AdminPostFilter(siteID: a.r.site.id)
        filter.type = type
        filter.status = a.r.query["status"].flatMap(PostStatus.init(rawValue:))
        filter.search = String((a.r.query["s"] ?? "").prefix(200))
        filter.authorID = a.r.query["author"].flatMap(Int64.init)
        filter.termID = a.r.query["category"].flatMap(Int64.init)
        // WordPress's read capabilities: others' drafts, pending, scheduled, private and trashed posts
        // (their titles and counts too) are for those who may read and edit them.
        filter.onlyOwnUnpublished = Self.seesOthersUnpublished(a) ? nil : a.user.id
        let page = max(1, min(100_000, Int(a.r.query["paged"] ?? "") ?? 1))
        filter.limit = Self.perPage
        filter.offset = (page - 1) * Self.perPage
        let (posts, total) = try await store.adminPosts(filter)
        let counts = try await store.postCounts(siteID: a.r.site.id, type: type, onlyOwnUnpublished: filter.onlyOwnUnpublished)
        let authors = try await store.users(ids: posts.map(\.authorID))
        let terms = try await store.terms(postIDs: posts.map(\.id))
        let tz = a.r.site.settings.timeZone
        let rows = posts.map { p in
            PostsScreen.Row(
                id: p.id, title: p.title.isEmpty ? "(untitled)" : p.title, status: p.status.rawValue, statusLabel: Self.label(p.status),
                author: authors[p.authorID]?.displayName ?? "—",
                categories: (terms[p.id] ?? []).filter { $0.taxonomy == .category }.map(\.name).joined(separator: ", "),
                date: PHPDateFormat("Y/m/d g:i a", timeZone: tz).string(from: p.publishedAt), comments: p.commentCount, sticky: p.sticky,
                canEdit: Authorization.canEdit(p, as: a.user.id, role: a.role))
        }
        let tabs = ([nil] + [PostStatus.publish, .future, .draft, .pending, .private, .trash]).map { s in
            let n = s.map { counts[$0] ?? 0 } ?? counts.filter { $0.key != .trash }.values.reduce(0, +)
            return AdminTab(label: s.map(Self.label) ?? "All", count: n, url: AdminRoute.posts(type, status: s).path, current: s == filter.status)
        }
        let categories = try await store.terms(siteID: a.r.site.id, taxonomy: .category).map { t in
            PostsScreen.Choice(id: t.id, name: t.name, selected: t.id == filter.termID)
        }
        let members = try await store.members(siteID: a.r.site.id).map { u, _ in
            PostsScreen.Choice(id: u.id, name: u.displayName, selected: u.id == filter.authorID)
        }
        let pages = max(1, (total + Self.perPage - 1) / Self.perPage)
        var base = AdminRoute.posts(type, status: filter.status).path
        if !filter.search.isEmpty { base += "&s=" + filter.search.percentEncodedAlphanumerics }
        if let au = filter.authorID { base += "&author=\(au)" }
        if let c = filter.termID { base += "&category=\(c)" }
        var view = AdminPage(
            title: type == .page ? "Pages" : "Posts", section: type == .page ? .pages : .posts,
            PostsScreen(
                type: type.rawValue, isPage: type == .page, rows: rows, hasRows: !rows.isEmpty, tabs: tabs, search: filter.search,
                categories: categories, authors: members, total: total, page: page, pages: pages,
                prevURL: page > 1 ? base + "&paged=\(page - 1)" : nil, nextURL: page < pages ? base + "&paged=\(page + 1)" : nil,
                statusFilter: filter.status?.rawValue ?? "", inTrash: filter.status == .trash))
        view.flash = controller.flash(a)
        return .personal(status: .ok, body: controller.render(view, a))
    }

    /// Publish, draft, trash or restore many posts; each one is checked against the person's role.
    func bulk(_ a: AdminRequest) async throws -> PageResult {
        let action = a.form["action"] ?? ""
        let ids = a.form.all("ids[]").compactMap(Int64.init)
        let type = PostType(rawValue: a.form["type"] ?? "post") ?? .post
        let target: PostStatus
        switch action {
        case "publish": target = .publish
        case "draft", "restore": target = .draft
        case "trash": target = .trash
        default: throw AdminRefusal(status: 422, message: "Choose an action for the selected items.")
        }
        guard !ids.isEmpty else { return controller.done(a, .posts(type), "Nothing was selected.") }
        var changed: [Int64] = []
        for id in ids {
            guard let post = try await controller.drey.store.post(id: id, siteID: a.r.site.id) else { continue }
            guard Authorization.canEdit(post, as: a.user.id, role: a.role) else { throw AdminRefusal.forbidden("change “\(post.title)”") }
            if target == .publish, !Authorization.canPublish(type: post.type, role: a.role) { throw AdminRefusal.forbidden("publish posts") }
            changed.append(id)
        }
        let status: PostStatus = target == .publish ? .publish : target
        try await controller.drey.posts.setStatus(status, postIDs: changed, siteID: a.r.site.id)
        let verb =
            ["publish": "published", "draft": "moved to drafts", "restore": "restored as drafts", "trash": "moved to the trash"][action] ?? action
        return controller.done(a, .posts(type), "\(changed.count) item\(changed.count == 1 ? "" : "s") \(verb).")
    }

    static func seesOthersUnpublished(_ a: AdminRequest) -> Bool { a.can(.readPrivatePosts) && a.can(.editOthersPosts) }

    static func label(_ s: PostStatus) -> String {
        switch s {
        case .publish: return "Published"
        case .future: return "Scheduled"
        case .draft: return "Draft"
        case .pending: return "Pending review"
        case .private: return "Private"
        case .trash: return "Trash"
        }
    }
}

/// The list of posts or pages.
struct PostsScreen: AdminBody {
    static let template = "posts"

    struct Row {
        let id: Int64
        let title: String
        let status: String
        let statusLabel: String
        let author: String
        /// The post's categories, joined for the column.
        let categories: String
        let date: String
        let comments: Int
        let sticky: Bool
        let canEdit: Bool
    }

    /// An author or a category of the filters.
    struct Choice {
        let id: Int64
        let name: String
        let selected: Bool
    }

    let type: String
    let isPage: Bool
    let rows: [Row]
    let hasRows: Bool
    let tabs: [AdminTab]
    let search: String
    let categories: [Choice]
    let authors: [Choice]
    let total: Int
    let page: Int
    let pages: Int
    let prevURL: String?
    let nextURL: String?
    /// The status the list is filtered by; the template tests it as a section, so even empty it writes the field.
    let statusFilter: String
    let inTrash: Bool
}
