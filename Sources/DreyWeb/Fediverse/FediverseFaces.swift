import DreyApp
import DreyCore
import DreyStore

/// The faces of fediverse replies: their author's icon as the blog keeps it (`/faces/NAME`), never the remote image.
enum FediverseFaces {
    /// By comment ID, for the comments that came from the fediverse and whose author's icon could be used.
    static func forComments(_ comments: [Comment], store: SQLStore, _ r: SiteRequest) async throws -> [Int64: String] {
        guard r.site.settings.fediverseEnabled, !comments.isEmpty else { return [:] }
        return try await store.fediverseFaces(commentIDs: comments.map(\.id)).compactMapValues { name in
            ReaderFaceName.isValid(name) ? r.links.url(.readerFace(name: name)) : nil
        }
    }
}
