import Mustache

/// One like or repost from another site, shown as a face beside the post.
public struct FaceView: Sendable, MustacheParent {
    public var id: Int64
    public var name: String
    public var photoURL: String
    /// The page that liked or reposted.
    public var sourceURL: String
    public var authorURL: String
    /// `p-like` or `p-repost`: the microformats property of the post this face is.
    public var property: String

    public init(id: Int64, name: String, photoURL: String, sourceURL: String, authorURL: String, property: String) {
        self.id = id
        self.name = name
        self.photoURL = photoURL
        self.sourceURL = sourceURL
        self.authorURL = authorURL
        self.property = property
    }

    public func child(named key: String) -> Any? {
        switch key {
        case "id": return String(id)
        case "name": return name.isEmpty ? "Someone" : name
        case "photoURL": return photoURL
        case "sourceURL": return sourceURL
        case "authorURL": return nonEmpty(authorURL)
        case "property": return property
        default: return nil
        }
    }
}

/// Likes and reposts of a post, with the counts written out.
public struct ReactionsView: Sendable, MustacheParent {
    public var likes: [FaceView]
    public var reposts: [FaceView]

    public init(likes: [FaceView] = [], reposts: [FaceView] = []) {
        self.likes = likes
        self.reposts = reposts
    }

    static func count(_ n: Int, _ one: String, _ many: String) -> String { n == 1 ? "1 \(one)" : "\(n) \(many)" }

    public func child(named key: String) -> Any? {
        switch key {
        case "any": return !likes.isEmpty || !reposts.isEmpty
        case "likes": return likes
        case "reposts": return reposts
        case "hasLikes": return !likes.isEmpty
        case "hasReposts": return !reposts.isEmpty
        case "likesText": return Self.count(likes.count, "like", "likes")
        case "repostsText": return Self.count(reposts.count, "repost", "reposts")
        default: return nil
        }
    }
}
