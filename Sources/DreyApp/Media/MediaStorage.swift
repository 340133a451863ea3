import Foundation

/// Where a site's uploaded files are kept, by path below the uploads root (`2026/12/photo.jpg`). A folder on
/// this machine today; an S3-compatible bucket can stand behind the same few calls later.
public protocol MediaStorage: Sendable {
    /// Stores `data` at `path`, whole or not at all: a reader never sees half a file.
    func write(_ data: Data, at path: String) throws
    func exists(_ path: String) -> Bool
    /// Removes `path`; a path already gone is no error.
    func delete(_ path: String) throws
    /// The file on this machine to stream `path` from, if the storage is local.
    func localFile(_ path: String) -> URL?
}

/// Uploads in `<data>/uploads/<site ID>/`, where WordPress imports put them too, served at `/wp-content/uploads/`.
public struct FolderMediaStorage: MediaStorage {
    public let root: URL

    public init(root: URL) { self.root = root }

    public func write(_ data: Data, at path: String) throws {
        let target = try url(path)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Written beside the target under a dot-name (never served), then renamed over it in one step.
        let partial = target.deletingLastPathComponent().appendingPathComponent(".partial-\(UUID().uuidString)")
        do {
            try data.write(to: partial)
            if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
            try FileManager.default.moveItem(at: partial, to: target)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
    }

    public func exists(_ path: String) -> Bool {
        guard let url = try? url(path) else { return false }
        return FileManager.default.fileExists(atPath: url.path)
    }

    public func delete(_ path: String) throws {
        let target = try url(path)
        guard FileManager.default.fileExists(atPath: target.path) else { return }
        try FileManager.default.removeItem(at: target)
    }

    public func localFile(_ path: String) -> URL? { try? url(path) }

    private func url(_ path: String) throws -> URL {
        guard MediaNames.isSafePath(path) else { throw MediaError("'\(path)' is not a path inside the uploads folder") }
        return root.appendingPathComponent(path)
    }
}

/// A refusal with the words the uploader reads.
public struct MediaError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
