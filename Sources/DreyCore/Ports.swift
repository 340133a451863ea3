import Foundation

/// What a list of posts asks for; one query shape serves home, archives, feeds and the CLI.
public struct PostQuery: Sendable, Equatable {
    public var siteID: Int64
    public var type: PostType = .post
    public var statuses: [PostStatus] = [.publish]
    /// Posts in any of these terms (a category archive passes the category and its children).
    public var termIDs: [Int64]? = nil
    public var authorID: Int64? = nil
    public var publishedFrom: Date? = nil
    public var publishedBefore: Date? = nil
    public var stickyFirst: Bool = false
    public var newestFirst: Bool = true
    public var limit: Int = 10
    public var offset: Int = 0
    /// What of each post to read.
    public var reading: PostReading = .everything

    public init(siteID: Int64) { self.siteID = siteID }
}

/// What of a post a read fetches. A page shows what was rendered, never what was typed, and a link needs neither: a
/// post's text is most of its row, and on SQLite the part of a long one past the row's page is read from the file on
/// every read. A post read without its source or content comes back with them empty, so it is for showing only:
/// never edit and save one.
public enum PostReading: Sendable, Equatable {
    case everything
    /// All but the source.
    case forDisplay
    /// Neither the source nor the content nor the excerpt.
    case forLinks
}

public protocol SiteStore: Sendable {
    func sites() async throws -> [Site]
    func createSite(host: String, settings: [String: String]) async throws -> Site
    func setSettings(siteID: Int64, _ values: [String: String]) async throws
}

public protocol UserStore: Sendable {
    func createUser(_ user: User) async throws -> User
    func user(id: Int64) async throws -> User?
    func user(email: String) async throws -> User?
    func user(login: String) async throws -> User?
    func users(ids: [Int64]) async throws -> [Int64: User]
    func setRole(_ role: Role, userID: Int64, siteID: Int64) async throws
    func role(userID: Int64, siteID: Int64) async throws -> Role?
    func members(siteID: Int64) async throws -> [(User, Role)]
}

public protocol PostStore: Sendable {
    func insert(_ post: Post, termIDs: [Int64]) async throws -> Post
    func update(_ post: Post, termIDs: [Int64]) async throws
    func post(id: Int64, siteID: Int64) async throws -> Post?
    func post(slug: String, type: PostType, siteID: Int64) async throws -> Post?
    func slugExists(_ slug: String, type: PostType, siteID: Int64, excluding id: Int64?) async throws -> Bool
    func posts(_ query: PostQuery) async throws -> [Post]
    func count(_ query: PostQuery) async throws -> Int
    /// Ranked full-text search over published posts and pages.
    func search(siteID: Int64, text: String, limit: Int, offset: Int) async throws -> (posts: [Post], total: Int)
    /// Publishes scheduled posts whose time has come; returns their IDs.
    func publishDue(now: Date) async throws -> [(siteID: Int64, postID: Int64)]
    func setStatus(_ status: PostStatus, postIDs: [Int64], siteID: Int64) async throws
    /// The upload shown at the top of the post (theme, OpenGraph, feeds); nil for none.
    func setFeaturedMedia(postID: Int64, siteID: Int64, mediaID: Int64?) async throws
}

public protocol TermStore: Sendable {
    func insert(_ term: Term) async throws -> Term
    func term(slug: String, taxonomy: Taxonomy, siteID: Int64) async throws -> Term?
    func term(name: String, taxonomy: Taxonomy, siteID: Int64) async throws -> Term?
    func terms(siteID: Int64, taxonomy: Taxonomy) async throws -> [Term]
    func terms(postIDs: [Int64]) async throws -> [Int64: [Term]]
    func term(id: Int64, siteID: Int64) async throws -> Term?
    func updateTerm(_ term: Term) async throws
    /// Moves every post of `source` to `target` and deletes `source`.
    func mergeTerm(_ source: Term, into target: Term) async throws
    /// Deletes a term; posts left without a category get `fallbackCategory`.
    func deleteTerm(_ term: Term, fallbackCategory: Int64?) async throws
}

public protocol CommentStore: Sendable {
    func insert(_ comment: Comment) async throws -> Comment
    /// Inserts a comment and marks its form's nonce used, together; throws `FormTokenSpent` for a replay.
    func insert(_ comment: Comment, spending token: (nonce: String, expiresAt: Date)?) async throws -> Comment
    func updateComment(_ comment: Comment) async throws
    /// Deletes a site's comments in `status` for good; returns the posts they were on.
    func deleteComments(siteID: Int64, status: CommentStatus) async throws -> [Int64]
    func comment(id: Int64) async throws -> Comment?
    func comments(postID: Int64, statuses: [CommentStatus]) async throws -> [Comment]
    func comments(siteID: Int64, statuses: [CommentStatus], limit: Int, offset: Int) async throws -> [Comment]
    func setStatus(_ status: CommentStatus, commentID: Int64) async throws
    func hasApproved(email: String, authorName: String, siteID: Int64) async throws -> Bool
    func isDuplicate(postID: Int64, email: String, authorName: String, source: String) async throws -> Bool
    func lastCommentTime(ip: String, siteID: Int64) async throws -> Date?
    /// Recomputes the post's count of approved comments and linkbacks.
    func recount(postID: Int64) async throws -> Int
}

/// Which cached pages a write made stale; recorded so other processes can drop them too.
public enum CacheScope: Sendable, Hashable {
    /// Every page of the site (settings, permalinks, theme).
    case site
    /// The post's own pages (page, comment feed).
    case post(Int64)
    /// Pages listing posts with counts: home, archives, feeds.
    case lists
    /// Comment feeds of the site.
    case comments
    /// What every page's navigation shows: the menu (pages, categories) and a post's previous and next posts.
    case navigation

    public var key: String {
        switch self {
        case .site: return "site"
        case .post(let id): return "post:\(id)"
        case .lists: return "lists"
        case .comments: return "comments"
        case .navigation: return "navigation"
        }
    }

    public init?(key: String) {
        switch key {
        case "site": self = .site
        case "lists": self = .lists
        case "comments": self = .comments
        case "navigation": self = .navigation
        default:
            guard key.hasPrefix("post:"), let id = Int64(key.dropFirst(5)) else { return nil }
            self = .post(id)
        }
    }
}

public protocol ChangeStore: Sendable {
    /// Runs `body` in one transaction that every write of this store inside it joins.
    func atomically<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T
    /// Records that pages of `siteID` in `scopes` changed; returns the change's sequence number.
    @discardableResult
    func record(siteID: Int64, scopes: Set<CacheScope>) async throws -> Int64
    /// Changes after `sequence`, oldest first.
    func changes(after sequence: Int64) async throws -> [(sequence: Int64, siteID: Int64, scopes: Set<CacheScope>)]
    func latestSequence() async throws -> Int64
    /// Notes that `instance` has read every change up to `sequence`.
    func reportRead(instance: String, sequence: Int64, at date: Date) async throws
    /// Deletes changes older than `before` that every instance seen since `readersSince` has read (always keeping the
    /// newest); forgets instances not seen since then. Returns how many changes went.
    @discardableResult
    func pruneChanges(before: Date, readersSince: Date) async throws -> Int
    /// The newest sequence pruned so far: a reader behind it has lost track and must drop everything.
    func prunedThrough() async throws -> Int64
}
