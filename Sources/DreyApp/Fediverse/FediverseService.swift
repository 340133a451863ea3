import DreyCore
import DreyJobs
import DreyStore
import Foundation
import Logging

/// The blog on the fediverse: its actors and their keys, the documents others fetch, the inbox and deliveries.
public struct FediverseService: Sendable {
    let store: SQLStore
    let registry: SiteRegistry
    let jobs: JobQueue
    let fetcher: any Fetcher
    let comments: CommentService
    let changes: ChangeFeed
    let clock: Clock
    let logger: Logger
    /// Where remote actors' faces are kept: the readers' faces folder, served at `/faces/NAME`.
    var facesDirectory: URL? = nil

    // MARK: Keys

    /// The actor's key pair, made and stored on first use.
    public func key(_ site: Site, _ actor: FediverseActor) async throws -> FediverseKey {
        if let key = try await store.fediverseKey(siteID: site.id, actor: actor) { return key }
        return try await store.insertFediverseKey(try FediverseKeys.generate(now: clock.now()), siteID: site.id, actor: actor)
    }

    /// A new key pair for the actor; its followers learn it from the `Update` sent with it.
    @discardableResult
    public func rotateKey(_ site: Site, _ actor: FediverseActor) async throws -> FediverseKey {
        let key = try FediverseKeys.generate(now: clock.now())
        try await store.replaceFediverseKey(key, siteID: site.id, actor: actor)
        try await announceProfile(site, actor)
        return key
    }

    // MARK: Actors

    /// The author behind an actor, when they may speak for the site (they can publish there).
    func author(_ site: Site, userID: Int64) async throws -> User? {
        guard site.settings.fediverseAuthors, let user = try await store.user(id: userID), user.active,
            let role = try await store.role(userID: userID, siteID: site.id), [.administrator, .editor, .author].contains(role)
        else { return nil }
        return user
    }

    /// The actor's document; nil when there is no such actor on this site.
    public func actorDocument(_ site: Site, _ actor: FediverseActor) async throws -> JSONObject? {
        guard site.settings.fediverseEnabled else { return nil }
        var user: User? = nil
        if case .author(let userID) = actor {
            guard let found = try await author(site, userID: userID) else { return nil }
            user = found
        }
        let key = try await key(site, actor)
        return FediverseDocuments.actor(actor, user: user, site: site, ids: FediverseIDs(site: site), publicPEM: key.publicPEM, authorURL: nil)
    }

    /// The actor a WebFinger resource names: `acct:name@host`, an actor id, or a profile page.
    public func actor(named resource: String, site: Site) async throws -> (FediverseActor, subject: String, profile: String)? {
        guard site.settings.fediverseEnabled else { return nil }
        let ids = FediverseIDs(site: site)
        var name: String? = nil
        if resource.lowercased().hasPrefix("acct:") {
            let acct = resource.dropFirst(5).drop { $0 == "@" }
            guard let at = acct.lastIndex(of: "@") else { return nil }
            let host = acct[acct.index(after: at)...].lowercased()
            let hostOnly = host.split(separator: ":").first.map(String.init) ?? host
            let ours = [ids.domain.lowercased(), site.host.lowercased()]
            guard ours.contains(host) || ours.contains(where: { $0.split(separator: ":").first.map(String.init) == hostOnly }) else {
                return nil
            }
            name = String(acct[..<at])
        }
        let actor: FediverseActor
        if let name {
            if name.lowercased() == site.settings.fediverseBlogName.lowercased() {
                actor = .blog
            } else if name.lowercased() == ids.domain.lowercased() {
                actor = .application
            } else {
                guard let user = try await store.user(login: name), try await author(site, userID: user.id) != nil else { return nil }
                actor = .author(userID: user.id)
            }
        } else if resource == ids.actor(.blog) || resource == ids.links.home || resource == ids.base {
            actor = .blog
        } else if resource.hasPrefix(ids.base + "/ap/users/"),
            case .actor(let named)? = FediverseRoute.match(String(resource.dropFirst(ids.base.count)))
        {
            actor = named
        } else if resource.hasPrefix(ids.base + "/author/") {
            let login = resource.dropFirst((ids.base + "/author/").count).split(separator: "/").first.map(String.init) ?? ""
            guard let user = try await store.user(login: login) else { return nil }
            actor = .author(userID: user.id)
        } else {
            return nil
        }
        switch actor {
        case .blog: return (actor, "acct:\(site.settings.fediverseBlogName)@\(ids.domain)", ids.links.home)
        case .application: return (actor, "acct:\(ids.domain)@\(ids.domain)", ids.links.home)
        case .author(let userID):
            guard let user = try await author(site, userID: userID) else { return nil }
            return (actor, "acct:\(user.login)@\(ids.domain)", ids.links.author(user.login))
        }
    }

    public func webfinger(_ resource: String, site: Site) async throws -> JSONObject? {
        guard let (actor, subject, profile) = try await actor(named: resource, site: site) else { return nil }
        return FediverseDocuments.webfinger(subject: subject, actorURL: FediverseIDs(site: site).actor(actor), profileURL: profile)
    }

    public func nodeinfo(_ site: Site) async throws -> JSONObject {
        let members = try await store.members(siteID: site.id).filter { [.administrator, .editor, .author].contains($0.1) }
        let posts = try await store.count(PostQuery(siteID: site.id))
        return FediverseDocuments.nodeinfo(site: site, users: members.count, posts: posts)
    }

    /// The handle people follow the blog by, `@blog@host`.
    public func blogHandle(_ site: Site) -> String { "@\(site.settings.fediverseBlogName)@\(FediverseIDs(site: site).domain)" }

    // MARK: Posts

    /// Whether a post is shown to the fediverse at all: published posts without a password.
    static func federates(_ post: Post, now: Date) -> Bool {
        post.type == .post && post.isVisible(at: now) && post.password.isEmpty
    }

    public func articleFacts(_ site: Site, post: Post) async throws -> ArticleFacts {
        let ids = FediverseIDs(site: site)
        let permalink = try await PostURLs(store: store).canonical(post, site: site, links: ids.links)
        let terms = try await store.terms(postIDs: [post.id])[post.id] ?? []
        let tags = terms.filter { $0.taxonomy == .tag }.map { (name: $0.name, url: ids.links.term(.tag, path: $0.slug)) }
        var image: (url: String, mediaType: String, alt: String)? = nil
        if let media = try await store.featuredMedia(postID: post.id, siteID: site.id), media.state == .ready, !media.file.isEmpty {
            image = (ids.links.url(.upload(path: media.file)), media.mimeType, media.altText)
        }
        let reactions = try await store.reactionCounts(postID: post.id)
        let replies = try await store.comments(postID: post.id, statuses: [.approved]).count
        return ArticleFacts(
            post: post, permalink: permalink, author: try await store.user(id: post.authorID), tags: tags, image: image,
            counts: [.replies: replies, .likes: reactions[.like] ?? 0, .shares: reactions[.announce] ?? 0])
    }

    /// The actor a post is attributed to: its author when authors are actors, else the blog.
    func attributedActor(_ site: Site, post: Post) async throws -> FediverseActor {
        try await author(site, userID: post.authorID) != nil ? .author(userID: post.authorID) : .blog
    }

    public func article(_ site: Site, postID: Int64) async throws -> JSONObject? {
        guard site.settings.fediverseEnabled, let post = try await store.post(id: postID, siteID: site.id),
            Self.federates(post, now: clock.now())
        else { return nil }
        return FediverseDocuments.article(
            try await articleFacts(site, post: post), site: site, ids: FediverseIDs(site: site),
            authorActor: try await attributedActor(site, post: post))
    }

    /// A post's `replies` (approved comments' links), `likes` or `shares` (counts only: who liked is not published).
    public func collection(_ site: Site, postID: Int64, _ which: FediverseCollection) async throws -> JSONObject? {
        guard site.settings.fediverseEnabled, let post = try await store.post(id: postID, siteID: site.id),
            Self.federates(post, now: clock.now())
        else { return nil }
        let ids = FediverseIDs(site: site)
        let id = ids.url(.collection(postID: postID, which))
        switch which {
        case .replies:
            let approved = try await store.comments(postID: postID, statuses: [.approved])
            var items: [any Sendable] = []
            let permalink = try await PostURLs(store: store).canonical(post, site: site, links: ids.links)
            for comment in approved {
                if let note = try await store.noteID(commentID: comment.id) {
                    items.append(note.noteID)
                } else {
                    items.append(permalink + "#comment-\(comment.id)")
                }
            }
            return FediverseDocuments.orderedCollection(id: id, items: items)
        case .likes, .shares:
            let counts = try await store.reactionCounts(postID: postID)
            return [
                "@context": FediverseJSON.activityStreams, "id": id, "type": "Collection",
                "totalItems": counts[which == .likes ? .like : .announce] ?? 0,
            ]
        }
    }

    public func followersCollection(_ site: Site, _ actor: FediverseActor) async throws -> JSONObject? {
        guard try await actorDocument(site, actor) != nil else { return nil }
        let count = try await store.followerCount(siteID: site.id, actor: actor)
        // The count only: who follows whom is the followers' business.
        return [
            "@context": FediverseJSON.activityStreams, "id": FediverseIDs(site: site).url(.followers(actor)), "type": "OrderedCollection",
            "totalItems": count,
        ]
    }

    /// The actor's latest posts as `Create` activities.
    public func outbox(_ site: Site, _ actor: FediverseActor) async throws -> JSONObject? {
        guard try await actorDocument(site, actor) != nil else { return nil }
        var query = PostQuery(siteID: site.id)
        if case .author(let userID) = actor { query.authorID = userID }
        query.limit = 20
        let posts = try await store.posts(query).filter { Self.federates($0, now: clock.now()) }
        var counting = query
        counting.limit = 0
        let total = try await store.count(counting)
        var items: [any Sendable] = []
        for post in posts {
            let by = try await attributedActor(site, post: post)
            let article = FediverseDocuments.article(
                try await articleFacts(site, post: post), site: site, ids: FediverseIDs(site: site), authorActor: by)
            items.append(create(article, site: site, actor: by))
        }
        return FediverseDocuments.orderedCollection(id: FediverseIDs(site: site).url(.outbox(actor)), items: items, total: total)
    }

    func create(_ article: JSONObject, site: Site, actor: FediverseActor) -> JSONObject {
        var object = article
        object["@context"] = nil
        return [
            "@context": FediverseJSON.context, "id": "\(article["id"] as? String ?? "")#create", "type": "Create",
            "actor": FediverseIDs(site: site).actor(actor), "published": article["published"] ?? "",
            "to": article["to"] ?? [String](), "cc": article["cc"] ?? [String](), "object": object,
        ]
    }

    /// Tells the actor's followers its profile changed (a new key, name or summary).
    func announceProfile(_ site: Site, _ actor: FediverseActor) async throws {
        guard var doc = try await actorDocument(site, actor) else { return }
        let ids = FediverseIDs(site: site)
        doc["@context"] = nil
        let update: JSONObject = [
            "@context": FediverseJSON.context, "id": ids.actor(actor) + "#update-\(Int(clock.now().timeIntervalSince1970))", "type": "Update",
            "actor": ids.actor(actor), "to": [FediverseJSON.publicAudience], "object": doc,
        ]
        try await deliver(update, site: site, from: actor, to: try await store.deliveryInboxes(siteID: site.id, actors: [actor]))
    }
}
