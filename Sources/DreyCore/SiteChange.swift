/// A write that changes what readers see. Services name the change; this is the one place that knows which cached
/// pages each kind of change makes stale, so no caller types a scope set of its own.
public enum SiteChange: Sendable, Hashable {
    /// Settings, the menu, permalinks or the theme.
    case settings
    /// Categories or tags created, renamed, moved, merged or deleted: menus, archives and every post's footer.
    case terms
    /// Content arrived in bulk (an import).
    case imported
    /// A post or page was saved, published, scheduled, trashed or restored. `listed` when it is public before or
    /// after the write: then menus and the previous/next links of its neighbours change too.
    case post(Int64, listed: Bool)
    /// Comments or linkbacks on these posts appeared, changed status, were edited or removed.
    case comments(onPosts: Set<Int64>)
    /// An upload's sizes were made, its words edited, or it was deleted: the posts showing it, and lists.
    case media(shownOn: Set<Int64>)

    /// The cached pages this change makes stale.
    public var staleScopes: Set<CacheScope> {
        switch self {
        case .settings, .terms, .imported:
            return [.site]
        case .post(let id, let listed):
            return listed ? [.post(id), .lists, .comments, .navigation] : [.post(id), .lists, .comments]
        case .comments(let posts):
            return Set(posts.map(CacheScope.post)).union([.comments, .lists])
        case .media(let posts):
            return Set(posts.map(CacheScope.post)).union([.lists])
        }
    }
}
