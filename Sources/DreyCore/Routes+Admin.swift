import Foundation

/// The administration's screens, under `/admin`. The method (GET shows, POST acts) is the controller's to check.
public enum AdminRoute: Sendable, Equatable {
    case dashboard
    case login
    case logout
    case logoutEverywhere
    case forgotPassword
    case resetPassword
    case setup
    /// Posts or pages, optionally one status only; search and filters travel in the query.
    case posts(PostType, status: PostStatus? = nil)
    case bulkPosts
    case newPost(PostType)
    case editPost(Int64)
    case autosave(Int64)
    case revisions(Int64)
    case restoreRevision(Int64)
    case preview
    case comments(CommentStatus, page: Int = 1)
    case emptyComments
    case editComment(Int64)
    case replyToComment(Int64)
    case terms(Taxonomy)
    case users
    /// Followers by email (`?id=N`: one address's consents; `?format=csv`: the export) and a post's likes and followers.
    case subscribers
    /// A settings screen; the empty section is `/admin/settings` itself, which leads to "general".
    case settings(section: String)
    /// The media library; `editMedia` one upload's details; `uploadMedia` the form files are sent to.
    case media
    case editMedia(Int64)
    case uploadMedia
    case asset(String)
    /// The readers who signed in (block, unblock), and their list as CSV.
    case readers
    case readersExport
    /// Followers, blocks, failed deliveries and settings of the fediverse.
    case fediverse
    /// Under `/admin` but no screen: answered with "not found" once the visitor is signed in.
    case unknown

    /// `sub` is the path after `/admin`, starting with `/`.
    public static func match(_ sub: String, query: [String: String]) -> AdminRoute {
        if sub.hasPrefix("/assets/") { return .asset(String(sub.dropFirst("/assets/".count))) }
        let parts = sub.split(separator: "/").map(String.init)
        func id(_ text: String) -> Int64? { Int64(text).flatMap { $0 > 0 ? $0 : nil } }
        let type = PostType(rawValue: query["type"] ?? "post") ?? .post
        switch (parts.first ?? "", parts.count) {
        case ("", 0): return .dashboard
        case ("login", 1): return .login
        case ("logout", 1): return .logout
        case ("logout-everywhere", 1): return .logoutEverywhere
        case ("forgot", 1): return .forgotPassword
        case ("reset", 1): return .resetPassword
        case ("setup", 1): return .setup
        case ("posts", 1): return .posts(type, status: query["status"].flatMap(PostStatus.init(rawValue:)))
        case ("posts", 2) where parts[1] == "bulk": return .bulkPosts
        case ("posts", 2) where parts[1] == "new": return .newPost(type)
        case ("posts", 2): return id(parts[1]).map(AdminRoute.editPost) ?? .unknown
        case ("posts", 3) where parts[2] == "autosave": return id(parts[1]).map(AdminRoute.autosave) ?? .unknown
        case ("posts", 3) where parts[2] == "revisions": return id(parts[1]).map(AdminRoute.revisions) ?? .unknown
        case ("posts", 3) where parts[2] == "restore": return id(parts[1]).map(AdminRoute.restoreRevision) ?? .unknown
        case ("preview", 1): return .preview
        case ("comments", 1):
            let page = max(1, min(100_000, Int(query["paged"] ?? "") ?? 1))
            return .comments(CommentStatus(rawValue: query["status"] ?? "pending") ?? .pending, page: page)
        case ("comments", 2) where parts[1] == "empty": return .emptyComments
        case ("comments", 3) where parts[2] == "edit": return id(parts[1]).map(AdminRoute.editComment) ?? .unknown
        case ("comments", 3) where parts[2] == "reply": return id(parts[1]).map(AdminRoute.replyToComment) ?? .unknown
        case ("terms", 1): return .terms(Taxonomy(rawValue: query["taxonomy"] ?? "category") ?? .category)
        case ("users", 1): return .users
        case ("subscribers", 1): return .subscribers
        case ("settings", 1): return .settings(section: "")
        case ("media", 1): return .media
        case ("media", 2) where parts[1] == "upload": return .uploadMedia
        case ("media", 2): return id(parts[1]).map(AdminRoute.editMedia) ?? .unknown
        case ("settings", 2): return .settings(section: parts[1])
        case ("readers", 1): return .readers
        case ("readers", 2) where parts[1] == "export": return .readersExport
        case ("fediverse", 1): return .fediverse
        default: return .unknown
        }
    }

    /// The address, from `/admin` on.
    public var path: String {
        switch self {
        case .dashboard: return "/admin/"
        case .login: return "/admin/login"
        case .logout: return "/admin/logout"
        case .logoutEverywhere: return "/admin/logout-everywhere"
        case .forgotPassword: return "/admin/forgot"
        case .resetPassword: return "/admin/reset"
        case .setup: return "/admin/setup"
        case .posts(let type, let status): return "/admin/posts?type=\(type.rawValue)" + (status.map { "&status=\($0.rawValue)" } ?? "")
        case .bulkPosts: return "/admin/posts/bulk"
        case .newPost(let type): return "/admin/posts/new" + (type == .post ? "" : "?type=\(type.rawValue)")
        case .editPost(let id): return "/admin/posts/\(id)"
        case .autosave(let id): return "/admin/posts/\(id)/autosave"
        case .revisions(let id): return "/admin/posts/\(id)/revisions"
        case .restoreRevision(let id): return "/admin/posts/\(id)/restore"
        case .preview: return "/admin/preview"
        case .comments(let status, let page): return "/admin/comments?status=\(status.rawValue)" + (page > 1 ? "&paged=\(page)" : "")
        case .emptyComments: return "/admin/comments/empty"
        case .editComment(let id): return "/admin/comments/\(id)/edit"
        case .replyToComment(let id): return "/admin/comments/\(id)/reply"
        case .terms(let taxonomy): return "/admin/terms?taxonomy=\(taxonomy.rawValue)"
        case .users: return "/admin/users"
        case .subscribers: return "/admin/subscribers"
        case .settings(let section): return section.isEmpty ? "/admin/settings" : "/admin/settings/\(section)"
        case .media: return "/admin/media"
        case .editMedia(let id): return "/admin/media/\(id)"
        case .uploadMedia: return "/admin/media/upload"
        case .asset(let name): return "/admin/assets/\(name)"
        case .readers: return "/admin/readers"
        case .readersExport: return "/admin/readers/export"
        case .fediverse: return "/admin/fediverse"
        case .unknown: return "/admin/"
        }
    }
}
