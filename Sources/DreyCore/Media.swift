import Foundation

/// An uploaded file (WordPress's "attachment"): where it came from and, once copied in, where it lives.
public struct Media: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var siteID: Int64
    /// The post the file was uploaded to, if any.
    public var postID: Int64?
    public var authorID: Int64?
    public var slug: String
    public var title: String
    public var caption: String
    public var description: String
    public var altText: String
    public var mimeType: String
    /// Where the file was found before the move; kept so nothing is lost when it was not copied.
    public var originalURL: String
    /// Path below the uploads folder, as WordPress records it (`2008/06/canola2.jpg`).
    public var file: String
    /// Whether the file was copied into the data folder and is served at `/wp-content/uploads/<file>`.
    public var stored: Bool
    public var guid: String
    public var publishedAt: Date
    public var modifiedAt: Date
    /// Pixel size of the served file (0 when unknown, as for imported files).
    public var width: Int = 0
    public var height: Int = 0
    /// The resized and WebP copies made of an uploaded image.
    public var renditions: [MediaRendition] = []
    public var state: MediaState = .ready
    /// Why processing failed, in words for the uploader.
    public var stateMessage: String = ""

    public init(
        id: Int64 = 0, siteID: Int64, postID: Int64? = nil, authorID: Int64? = nil, slug: String, title: String = "",
        caption: String = "", description: String = "", altText: String = "", mimeType: String = "",
        originalURL: String, file: String = "", stored: Bool = false, guid: String = "", publishedAt: Date,
        modifiedAt: Date? = nil
    ) {
        self.id = id
        self.siteID = siteID
        self.postID = postID
        self.authorID = authorID
        self.slug = slug
        self.title = title
        self.caption = caption
        self.description = description
        self.altText = altText
        self.mimeType = mimeType
        self.originalURL = originalURL
        self.file = file
        self.stored = stored
        self.guid = guid
        self.publishedAt = publishedAt
        self.modifiedAt = modifiedAt ?? publishedAt
    }

    /// Site-relative URL of the copied file; uploads keep WordPress's path so old links still work.
    public var localPath: String? { stored && !file.isEmpty ? "/wp-content/uploads/" + file : nil }
}

/// Where an upload is on its way to being served.
public enum MediaState: String, Sendable, Codable {
    /// Stored, waiting for its `media` job to make the sizes.
    case processing
    case ready
    case failed
}

/// One copy of an uploaded image: a size (`thumbnail`, `medium`, `large`, `full`) in one format.
public struct MediaRendition: Sendable, Equatable, Codable {
    public var size: String
    public var mimeType: String
    /// Path below the uploads folder; derived copies carry a hash of their bytes, so they can be cached for good.
    public var file: String
    public var width: Int
    public var height: Int

    public init(size: String, mimeType: String, file: String, width: Int, height: Int) {
        self.size = size
        self.mimeType = mimeType
        self.file = file
        self.width = width
        self.height = height
    }
}

/// What an old WordPress address (`/2008/06/10/post/attachment/`) now names.
public enum LegacyTarget: Sendable, Equatable {
    case post(Int64)
    case media(Int64)

    public var kind: String {
        switch self {
        case .post: return "post"
        case .media: return "media"
        }
    }

    public init?(kind: String, id: Int64) {
        switch kind {
        case "post": self = .post(id)
        case "media": self = .media(id)
        default: return nil
        }
    }
}
