import DreyCore
import DreyRender
import DreyStore
import Foundation

/// What a person gives to write or change a post; everything else is derived.
public struct PostInput: Sendable {
    public var type: PostType = .post
    public var title: String
    public var source: String
    public var format: SourceFormat = .markdown
    public var status: PostStatus = .publish
    public var publishedAt: Date? = nil
    public var slug: String? = nil
    public var excerpt: String = ""
    public var categories: [String] = []
    public var tags: [String] = []
    public var sticky: Bool = false
    public var commentStatus: OpenStatus? = nil
    public var pingStatus: OpenStatus = .open
    public var password: String = ""
    public var typography: Typography = Typography()
    public var parentID: Int64? = nil
    public var menuOrder: Int = 0
    public var authorID: Int64
    /// Whether publishing tells the linked pages and the WebSub hub; imports of old posts say no.
    public var announces: Bool = true

    public init(title: String, source: String, authorID: Int64) {
        self.title = title
        self.source = source
        self.authorID = authorID
    }
}

/// Writing posts: rendering at save time, unique slugs, terms by name, scheduled publishing.
public struct PostService: Sendable {
    let store: any PostStore & TermStore
    let registry: SiteRegistry
    let changes: ChangeFeed
    let clock: Clock
    /// A post published, or changed while public or on leaving it, queues its pings and hub notice here, in the
    /// write's own transaction: the jobs table keeps them across restarts, and a write that fails queues nothing.
    let linkbacks: LinkbackService
    /// The same moments tell the fediverse (a `Create`, `Update` or `Delete` job, decided when it runs).
    let fediverse: FediverseService
    /// Followers are mailed a post when it goes public for the first time (queued in the same transaction).
    let follows: FollowService

    public static let defaultCategory = "Uncategorized"

    public func create(_ input: PostInput, siteID: Int64) async throws -> Post {
        guard let site = registry.site(id: siteID) else { throw StoreError.notFound("no site \(siteID)") }
        try Self.validate(input)
        let now = clock.now()
        let (status, published) = Self.schedule(input.status, date: input.publishedAt, existing: nil, now: now)
        let base = input.slug.map(Slug.make(from:)) ?? Slug.make(from: input.title)
        let slug = try await Slug.unique(base) { try await store.slugExists($0, type: input.type, siteID: siteID, excluding: nil) }
        let termIDs = try await termIDs(for: input, siteID: siteID)
        let post = Post(
            siteID: siteID, type: input.type, status: status, slug: slug,
            title: input.title.trimmingCharacters(in: .whitespacesAndNewlines), format: input.format,
            source: input.source, contentHTML: ContentRenderer.post(input.source, format: input.format),
            excerpt: input.excerpt, authorID: input.authorID, parentID: input.parentID, menuOrder: input.menuOrder,
            publishedAt: published, modifiedAt: now, sticky: input.sticky,
            commentStatus: input.commentStatus ?? (site.settings.commentsOpenByDefault ? .open : .closed),
            pingStatus: input.pingStatus, password: input.password, typography: input.typography)
        return try await changes.commit { [store, linkbacks, fediverse, follows] in
            let saved = try await store.insert(post, termIDs: termIDs)
            if saved.status == .publish && input.announces { try await linkbacks.postChanged(siteID: siteID, postID: saved.id) }
            if saved.status == .publish && input.announces { try await fediverse.postChanged(siteID: siteID, postID: saved.id) }
            if saved.status == .publish && input.announces { try await follows.postPublished(siteID: siteID, postID: saved.id) }
            return (saved, [(siteID, .post(saved.id, listed: saved.status == .publish))])
        }
    }

    /// Replaces a post's content and metadata; the slug and GUID stay unless a new slug is given.
    public func update(_ id: Int64, with input: PostInput, siteID: Int64) async throws -> Post {
        guard var post = try await store.post(id: id, siteID: siteID) else { throw StoreError.notFound("no post with ID \(id)") }
        try Self.validate(input)
        let wasPublic = post.status == .publish
        if let slug = input.slug {
            let base = Slug.make(from: slug)
            post.slug = try await Slug.unique(base) { try await store.slugExists($0, type: post.type, siteID: siteID, excluding: id) }
        }
        post.title = input.title
        post.source = input.source
        post.format = input.format
        post.contentHTML = ContentRenderer.post(input.source, format: input.format)
        let now = clock.now()
        (post.status, post.publishedAt) = Self.schedule(input.status, date: input.publishedAt, existing: post, now: now)
        post.modifiedAt = now
        post.excerpt = input.excerpt
        post.sticky = input.sticky
        if let c = input.commentStatus { post.commentStatus = c }
        post.pingStatus = input.pingStatus
        post.password = input.password
        post.typography = input.typography
        post.parentID = input.parentID
        post.menuOrder = input.menuOrder
        let termIDs = try await termIDs(for: input, siteID: siteID)
        let listed = wasPublic || post.status == .publish
        try await changes.commit(siteID: siteID, .post(id, listed: listed)) { [store, linkbacks, fediverse, follows, post] in
            try await store.update(post, termIDs: termIDs)
            if listed && input.announces { try await linkbacks.postChanged(siteID: siteID, postID: id) }
            if listed && input.announces { try await fediverse.postChanged(siteID: siteID, postID: id) }
            if !wasPublic && post.status == .publish && input.announces { try await follows.postPublished(siteID: siteID, postID: id) }
        }
        return post
    }

    /// Publishes scheduled posts whose time has come.
    public func publishDue() async throws -> Int {
        let now = clock.now()
        return try await changes.commit { [store, linkbacks, fediverse, follows] in
            let due = try await store.publishDue(now: now)
            for item in due {
                try await linkbacks.postChanged(siteID: item.siteID, postID: item.postID)
                try await fediverse.postChanged(siteID: item.siteID, postID: item.postID)
                try await follows.postPublished(siteID: item.siteID, postID: item.postID)
            }
            return (due.count, due.map { ($0.siteID, SiteChange.post($0.postID, listed: true)) })
        }
    }

    /// WordPress's scheduling rule, for every path that writes a post (admin, CLI, imports, later APIs): a published
    /// post dated in the future is scheduled, a scheduled one whose time has come is published, and a draft or
    /// pending post has no date of its own until it goes out (published without a date given, it is dated now).
    public static func schedule(_ requested: PostStatus, date: Date?, existing: Post?, now: Date) -> (PostStatus, Date) {
        let goesOut: Set<PostStatus> = [.publish, .future, .private]
        let unpublished: Set<PostStatus> = [.draft, .pending]
        let when: Date
        if let date {
            when = date
        } else if let existing, !(unpublished.contains(existing.status) && goesOut.contains(requested)) {
            when = existing.publishedAt
        } else {
            when = now
        }
        switch requested {
        case .publish where when > now: return (.future, when)
        case .future where when <= now: return (.publish, when)
        default: return (requested, when)
        }
    }

    static func validate(_ input: PostInput) throws {
        if input.title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            && input.source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        {
            throw SettingError("a post needs a title or some content")
        }
        if input.title.count > 1000 { throw SettingError("the title is longer than 1,000 characters") }
        if input.source.utf8.count > 4 << 20 { throw SettingError("the content is larger than 4 MB") }
    }

    /// Term IDs for the names given, creating the terms that do not exist yet.
    func termIDs(for input: PostInput, siteID: Int64) async throws -> [Int64] {
        var categories = input.categories.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if categories.isEmpty && input.type == .post { categories = [Self.defaultCategory] }
        var ids: [Int64] = []
        for name in categories { ids.append(try await term(named: name, taxonomy: .category, siteID: siteID).id) }
        for name in input.tags.map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            ids.append(try await term(named: name, taxonomy: .tag, siteID: siteID).id)
        }
        return ids
    }

    public func term(named name: String, taxonomy: Taxonomy, siteID: Int64, parentID: Int64? = nil) async throws -> Term {
        if let existing = try await store.term(name: name, taxonomy: taxonomy, siteID: siteID) { return existing }
        let base = Slug.make(from: name)
        guard !base.isEmpty || !name.isEmpty else { throw SettingError("a \(taxonomy.rawValue) needs a name") }
        let slug = try await Slug.unique(base.isEmpty ? taxonomy.rawValue : base) {
            try await store.term(slug: $0, taxonomy: taxonomy, siteID: siteID) != nil
        }
        return try await store.insert(Term(siteID: siteID, taxonomy: taxonomy, name: name, slug: slug, parentID: parentID))
    }
}

extension PostService {
    /// Shows `mediaID` (nil: nothing) at the top of the post, in its OpenGraph tags and in feeds.
    public func setFeaturedMedia(_ mediaID: Int64?, postID: Int64, siteID: Int64) async throws {
        let listed = try await store.post(id: postID, siteID: siteID)?.status == .publish
        try await changes.commit(siteID: siteID, .post(postID, listed: listed)) { [store] in
            try await store.setFeaturedMedia(postID: postID, siteID: siteID, mediaID: mediaID)
        }
    }

    /// Moves posts to another status; a published post whose time is still to come is scheduled instead.
    public func setStatus(_ status: PostStatus, postIDs: [Int64], siteID: Int64) async throws {
        let now = clock.now()
        for id in postIDs {
            guard let post = try await store.post(id: id, siteID: siteID) else { continue }
            let (target, date) = Self.schedule(status, date: nil, existing: post, now: now)
            // Going public or leaving it changes the menu and the neighbours' previous and next links.
            let listed = post.status == .publish || target == .publish
            try await changes.commit(siteID: siteID, .post(id, listed: listed)) { [store, fediverse, follows] in
                if listed { try await fediverse.postChanged(siteID: siteID, postID: id) }
                if post.status != .publish && target == .publish { try await follows.postPublished(siteID: siteID, postID: id) }
                if date != post.publishedAt {
                    var dated = post
                    dated.publishedAt = date
                    dated.modifiedAt = now
                    try await store.update(dated, termIDs: try await store.terms(postIDs: [id])[id]?.map(\.id) ?? [])
                }
                try await store.setStatus(target, postIDs: [id], siteID: siteID)
            }
        }
    }
}
