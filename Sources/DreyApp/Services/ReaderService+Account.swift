import DreyCore
import DreyImages
import Foundation

/// What a reader does on `/account`: their name and website, their picture, their data, leaving.
extension ReaderService {
    /// The pictures' folder; names are random, so one reader's picture address tells nothing of another's. Under
    /// `uploads`, which `drey backup` copies, but beside the sites' folders, so `/wp-content/uploads/` does not serve it.
    public var facesDirectory: URL { Self.facesDirectory(dataDirectory: dataDirectory) }

    /// Remote actors' faces from the fediverse are kept there too.
    static func facesDirectory(dataDirectory: String) -> URL {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("uploads").appendingPathComponent("reader-faces")
    }

    /// The file of a picture name, or nil when the name is not one of ours or the file is gone.
    public func faceFile(_ name: String) -> URL? {
        guard ReaderFaceName.isValid(name) else { return nil }
        let url = facesDirectory.appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// Changes the name and website the reader's comments show from now on; pages showing them are refreshed.
    public func updateProfile(_ reader: Reader, name: String, website: String) async throws -> Reader {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [String] = []
        if name.isEmpty { problems.append("Please enter your name.") }
        if name.count > CommentService.maxNameLength || name.contains(where: \.isNewline) {
            problems.append("Your name must be one line of at most \(CommentService.maxNameLength) characters.")
        }
        var site = website.trimmingCharacters(in: .whitespaces)
        if !site.isEmpty && !site.contains("://") { site = "https://" + site }
        if !site.isEmpty && (site.count > CommentService.maxURLLength || Self.website(site) == nil) {
            problems.append("The website must be an http or https address.")
        }
        if !problems.isEmpty { throw SettingError(problems.joined(separator: " ")) }
        var updated = reader
        updated.name = name
        updated.website = site.isEmpty ? nil : site
        try await store.updateReader(updated)
        return updated
    }

    /// A picture the reader uploaded becomes their face: checked as the media library checks uploads, reduced to a
    /// small square-ish copy without metadata, stored under a random name. The pages showing their comments refresh.
    public func setPicture(_ reader: Reader, file: URL) async throws -> Reader {
        let processor = ImageProcessor(sizes: [], full: ImageSize(name: "face", width: 192, height: 192, crop: true))
        let processed: ProcessedImage
        do {
            processed = try await processor.process(file: file)
        } catch {
            throw SettingError("The picture could not be used: \(error.description).")
        }
        // A GIF keeps its original bytes as its full size; a face is a still, so its WebP copy is used.
        let web = processed.info.format.webFormat
        guard
            let copy = processed.renditions.first(where: { $0.format == web && web != .gif })
                ?? processed.renditions.first(where: { $0.format == .webp })
        else { throw SettingError("The picture could not be used.") }
        try FileManager.default.createDirectory(at: facesDirectory, withIntermediateDirectories: true)
        let name = Self.randomHex(16) + "." + copy.format.fileExtension
        try copy.data.write(to: facesDirectory.appendingPathComponent(name), options: .atomic)
        return try await replacePicture(reader, with: name)
    }

    /// Back to the blog's generated face.
    public func removePicture(_ reader: Reader) async throws -> Reader { try await replacePicture(reader, with: nil) }

    private func replacePicture(_ reader: Reader, with name: String?) async throws -> Reader {
        var changed = reader
        changed.avatar = name
        let updated = changed
        let posts = Set(try await store.readerComments(readerID: reader.id, siteID: reader.siteID).map(\.postID))
        try await changes.commit(siteID: reader.siteID, .comments(onPosts: posts)) { [store] in try await store.updateReader(updated) }
        if let old = reader.avatar, let file = faceFile(old) { try? FileManager.default.removeItem(at: file) }
        return updated
    }

    /// Everything held about a reader, as they may download it.
    public struct Export: Encodable, Sendable {
        public var reader: Reader
        public var signInMethods: [ReaderIdentityRecord]
        /// The browsers signed in, when and until when.
        public var sessions: [ReaderSessionInfo]
        public var comments: [ReaderComment]
        /// Other features' records (likes, follows), by name.
        public var more: [String: [[String: String]]]
    }

    public func export(_ reader: Reader, more: [String: [[String: String]]] = [:]) async throws -> Data {
        let value = Export(
            reader: reader, signInMethods: try await store.readerIdentities(readerID: reader.id),
            sessions: try await store.readerSessions(readerID: reader.id),
            comments: try await store.readerComments(readerID: reader.id, siteID: reader.siteID), more: more)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }

    /// Deletes the account: sessions and sign-in methods go, comments stay under the name they were written with,
    /// no longer linked; the picture is removed. Other features' rows go with the reader (foreign keys).
    public func delete(_ reader: Reader) async throws {
        let posts = Set(try await store.readerComments(readerID: reader.id, siteID: reader.siteID).map(\.postID))
        try await changes.commit(siteID: reader.siteID, .comments(onPosts: posts)) { [store] in
            try await store.deleteReader(id: reader.id, siteID: reader.siteID)
        }
        if let old = reader.avatar, let file = faceFile(old) { try? FileManager.default.removeItem(at: file) }
        logger.info("reader deleted their account", metadata: ["reader": "\(reader.id)"])
    }

    static func randomHex(_ bytes: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }
}
