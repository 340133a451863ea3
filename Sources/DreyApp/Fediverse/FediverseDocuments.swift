import DreyCore
import DreyRender
import Foundation

/// A JSON object as ActivityPub writes them; serialised by `FediverseJSON.data`.
public typealias JSONObject = [String: any Sendable]

public enum FediverseJSON {
    public static let activityStreams = "https://www.w3.org/ns/activitystreams"
    public static let publicAudience = "https://www.w3.org/ns/activitystreams#Public"
    public static let contentType = "application/activity+json"
    /// The context every document of ours starts with: ActivityStreams, keys, and Mastodon's extensions we use.
    static let context: [any Sendable] = [
        activityStreams, "https://w3id.org/security/v1",
        [
            "toot": "http://joinmastodon.org/ns#", "discoverable": "toot:discoverable", "indexable": "toot:indexable",
            "Hashtag": "as:Hashtag", "sensitive": "as:sensitive",
        ] as JSONObject,
    ]

    public static func data(_ object: JSONObject) -> [UInt8] {
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(JSONSerialization.data(withJSONObject: object, options: options))) ?? Array("{}".utf8)
    }

    public static func parse(_ bytes: [UInt8]) -> JSONObject? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return nil }
        return object.mapValues(sendable)
    }

    /// Foundation's parse, as values that may cross tasks (strings, numbers, booleans, arrays, objects).
    static func sendable(_ value: Any) -> any Sendable {
        switch value {
        case let s as String: return s
        case let d as [String: Any]: return d.mapValues(sendable)
        case let a as [Any]: return a.map(sendable)
        case let b as Bool where type(of: value) == Bool.self: return b
        case let i as Int: return i
        case let x as Double: return x
        case let b as Bool: return b
        default: return String(describing: value)
        }
    }
}

/// The addresses of one site's fediverse objects, from its canonical base (`home_url`), never from a request.
public struct FediverseIDs: Sendable {
    public let base: String
    public let links: SiteLinks

    public init(site: Site) {
        let home = site.settings.homeURL
        let base = home.isEmpty ? "http://\(site.host)" : (home.hasSuffix("/") ? String(home.dropLast()) : home)
        self.base = base
        self.links = SiteLinks(base: base, settings: site.settings)
    }

    /// The host people write after `@` in a handle (with its port when not the default one).
    public var domain: String {
        guard let url = URLComponents(string: base), let host = url.host else { return "" }
        return url.port.map { "\(host):\($0)" } ?? host
    }

    public func url(_ route: FediverseRoute) -> String { base + route.path }
    public func actor(_ actor: FediverseActor) -> String { url(.actor(actor)) }
    public func keyID(_ actor: FediverseActor) -> String { self.actor(actor) + "#main-key" }
    public func object(_ postID: Int64) -> String { url(.object(postID: postID)) }
    public var sharedInbox: String { url(.sharedInbox) }
}

/// What the documents say about a post, loaded by the service.
public struct ArticleFacts: Sendable {
    public var post: Post
    public var permalink: String
    public var author: User?
    public var tags: [(name: String, url: String)]
    public var image: (url: String, mediaType: String, alt: String)?
    public var counts: [FediverseCollection: Int]
}

public enum FediverseDocuments {
    public static func actor(
        _ actor: FediverseActor, user: User?, site: Site, ids: FediverseIDs, publicPEM: String, authorURL: String?
    ) -> JSONObject {
        let s = site.settings
        let id = ids.actor(actor)
        var doc: JSONObject = [
            "@context": FediverseJSON.context, "id": id, "inbox": ids.url(.inbox(actor)), "outbox": ids.url(.outbox(actor)),
            "followers": ids.url(.followers(actor)), "endpoints": ["sharedInbox": ids.sharedInbox] as JSONObject,
            "publicKey": ["id": ids.keyID(actor), "owner": id, "publicKeyPem": publicPEM] as JSONObject,
            "manuallyApprovesFollowers": false, "discoverable": s.fediverseDiscoverable, "indexable": s.fediverseIndexable,
        ]
        switch actor {
        case .blog:
            doc["type"] = "Person"
            doc["preferredUsername"] = s.fediverseBlogName
            doc["name"] = s.title
            doc["summary"] = escape(s.tagline)
            doc["url"] = ids.links.home
            doc["icon"] = ["type": "Image", "url": ids.url(.icon(actor)), "mediaType": "image/png"] as JSONObject
        case .author:
            guard let user else { return [:] }
            doc["type"] = "Person"
            doc["preferredUsername"] = user.login
            doc["name"] = user.displayName.isEmpty ? user.login : user.displayName
            doc["summary"] = escape("Writes at \(s.title).")
            doc["url"] = authorURL ?? ids.links.author(user.login)
            doc["icon"] = ["type": "Image", "url": ids.url(.icon(actor)), "mediaType": "image/png"] as JSONObject
        case .application:
            // Signs our fetches; not a person to follow.
            doc["type"] = "Application"
            doc["preferredUsername"] = ids.domain
            doc["name"] = s.title
            doc["url"] = ids.links.home
            doc["manuallyApprovesFollowers"] = true
            doc["discoverable"] = false
            doc["indexable"] = false
        }
        return doc
    }

    /// The post as an `Article`: Mastodon shows its `name`, `summary` and a link to `url`.
    public static func article(_ facts: ArticleFacts, site: Site, ids: FediverseIDs, authorActor: FediverseActor) -> JSONObject {
        let post = facts.post
        let id = ids.object(post.id)
        let language = site.settings.dateLanguage.rawValue
        let content = HTMLSanitizer.sanitize(post.contentHTML, policy: .content)
        var doc: JSONObject = [
            "@context": FediverseJSON.context, "id": id, "type": "Article", "attributedTo": ids.actor(authorActor),
            "name": post.title, "summary": summary(post), "content": content, "contentMap": [language: content] as JSONObject,
            "url": facts.permalink, "published": iso(post.publishedAt), "to": [FediverseJSON.publicAudience],
            "cc": [ids.url(.followers(authorActor)), ids.url(.followers(.blog))].uniqued(), "sensitive": false,
            "mediaType": "text/html",
        ]
        if post.modifiedAt > post.publishedAt.addingTimeInterval(60) { doc["updated"] = iso(post.modifiedAt) }
        doc["tag"] = facts.tags.map { ["type": "Hashtag", "name": "#" + hashtag($0.name), "href": $0.url] as JSONObject }
        if let image = facts.image {
            let object: JSONObject = ["type": "Image", "url": image.url, "mediaType": image.mediaType, "name": image.alt]
            doc["image"] = object
            doc["attachment"] = [object]
        }
        for which in FediverseCollection.allCases {
            doc[which.rawValue] =
                [
                    "id": ids.url(.collection(postID: post.id, which)), "type": "Collection", "totalItems": facts.counts[which] ?? 0,
                ] as JSONObject
        }
        return doc
    }

    /// The feeds' excerpt (the written excerpt, or the first 55 words), at most 500 characters, as plain text.
    public static func summary(_ post: Post) -> String {
        let text = post.excerpt.isEmpty ? PlainText.fromHTML(post.contentHTML, maxWords: 55) : PlainText.fromHTML(post.excerpt)
        guard text.count > 500 else { return text }
        return String(text.prefix(499)) + "…"
    }

    /// A tag's name as a hashtag: words joined, since a hashtag cannot hold spaces.
    static func hashtag(_ name: String) -> String {
        name.split(whereSeparator: { $0.isWhitespace || $0 == "-" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    public static func webfinger(subject: String, actorURL: String, profileURL: String) -> JSONObject {
        [
            "subject": subject, "aliases": [actorURL, profileURL],
            "links": [
                ["rel": "self", "type": FediverseJSON.contentType, "href": actorURL] as JSONObject,
                ["rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profileURL] as JSONObject,
            ],
        ]
    }

    public static func nodeinfoIndex(ids: FediverseIDs) -> JSONObject {
        ["links": [["rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": ids.url(.nodeinfo)] as JSONObject]]
    }

    public static func nodeinfo(site: Site, users: Int, posts: Int) -> JSONObject {
        [
            "version": "2.1",
            "software": ["name": "drey", "version": "1.0", "homepage": "https://github.com/drey-blog/drey"] as JSONObject,
            "protocols": ["activitypub"], "services": ["inbound": [String](), "outbound": ["atom1.0", "rss2.0"]] as JSONObject,
            "openRegistrations": false,
            "usage": ["users": ["total": users, "activeMonth": users, "activeHalfyear": users] as JSONObject, "localPosts": posts] as JSONObject,
            "metadata": ["nodeName": site.settings.title, "nodeDescription": site.settings.tagline] as JSONObject,
        ]
    }

    public static func orderedCollection(id: String, items: [any Sendable], total: Int? = nil) -> JSONObject {
        [
            "@context": FediverseJSON.activityStreams, "id": id, "type": "OrderedCollection", "totalItems": total ?? items.count,
            "orderedItems": items,
        ]
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    public static func iso(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(Int(tmv.tm_year) + 1900)-\(two(tmv.tm_mon + 1))-\(two(tmv.tm_mday))T\(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec))Z"
    }
}

extension Array where Element == String {
    func uniqued() -> [String] {
        var seen = Set<String>()
        return filter { seen.insert($0).inserted }
    }
}
