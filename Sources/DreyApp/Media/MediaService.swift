import DreyCore
import DreyImages
import DreyJobs
import DreyStore
import Foundation
import Logging

/// Uploads: checked and stored at once, then made into sizes by a `media` job, so an upload returns as soon
/// as the file is known to be an image. The admin and `drey media` both come here.
public struct MediaService: Sendable {
    public static let kind = "media"
    let store: SQLStore
    let jobs: JobQueue
    let changes: ChangeFeed
    let config: AppConfig
    let processor: ImageProcessor
    let logger: Logger

    init(store: SQLStore, jobs: JobQueue, changes: ChangeFeed, config: AppConfig, logger: Logger, processor: ImageProcessor = ImageProcessor()) {
        self.store = store
        self.jobs = jobs
        self.changes = changes
        self.config = config
        self.logger = logger
        self.processor = processor
    }

    /// A file handed in, and what its uploader said about it.
    public struct Upload: Sendable {
        /// The bytes, in a file this service may move away (`consume`) or must copy.
        public var file: URL
        public var consume: Bool
        /// What the uploader called the file; only its letters and digits make the stored name.
        public var name: String
        public var title: String
        public var altText: String
        public var caption: String
        public var postID: Int64?
        public var authorID: Int64?

        public init(
            file: URL, consume: Bool = false, name: String, title: String = "", altText: String = "", caption: String = "",
            postID: Int64? = nil, authorID: Int64? = nil
        ) {
            self.file = file
            self.consume = consume
            self.name = name
            self.title = title
            self.altText = altText
            self.caption = caption
            self.postID = postID
            self.authorID = authorID
        }
    }

    public func storage(siteID: Int64) -> FolderMediaStorage {
        FolderMediaStorage(root: config.uploadsDirectory(siteID: siteID))
    }

    /// Where an upload waits for its job: outside the served folder, so the original with its EXIF is never sent.
    func incoming(siteID: Int64, mediaID: Int64) -> URL {
        URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("uploads-incoming")
            .appendingPathComponent(String(siteID)).appendingPathComponent(String(mediaID))
    }

    /// Checks and stores an upload and queues its processing; the row it returns is `processing` until the job
    /// has run. Anything refused leaves nothing behind.
    public func add(_ upload: Upload, siteID: Int64) async throws -> Media {
        guard let base = MediaNames.base(of: upload.name) else {
            throw MediaError("the file name '\(upload.name)' points into another folder; rename the file and upload it again")
        }
        if let postID = upload.postID, try await store.post(id: postID, siteID: siteID) == nil {
            throw MediaError("there is no post \(postID) to attach '\(upload.name)' to")
        }
        let info: ImageInfo
        do {
            info = try await processor.verify(file: upload.file)
        } catch {
            if !error.detail.isEmpty { logger.info("upload \(upload.name) refused: \(error.detail)") }
            throw MediaError("\(upload.name): \(error.description)")
        }
        let now = config.clock.now()
        let format = info.format.webFormat
        let folder = MediaNames.folder(now)
        let storage = storage(siteID: siteID)
        var stem = base
        var n = 1
        while try await store.mediaFileTaken(folder + stem + "." + format.fileExtension, siteID: siteID)
            || storage.exists(folder + stem + "." + format.fileExtension)
        {
            n += 1
            stem = "\(base)-\(n)"
        }
        var media = Media(
            siteID: siteID, postID: upload.postID, authorID: upload.authorID, slug: stem,
            title: upload.title.isEmpty ? stem : upload.title, caption: upload.caption, altText: upload.altText,
            mimeType: format.mimeType, originalURL: "", file: folder + stem + "." + format.fileExtension, stored: false,
            publishedAt: now)
        media.width = info.width
        media.height = info.height
        media.state = .processing
        media = try await store.insertMedia(media)
        let waiting = incoming(siteID: siteID, mediaID: media.id)
        do {
            try FileManager.default.createDirectory(at: waiting.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: waiting)
            if upload.consume {
                try FileManager.default.moveItem(at: upload.file, to: waiting)
            } else {
                try FileManager.default.copyItem(at: upload.file, to: waiting)
            }
            try await jobs.enqueue(Self.kind, Payload(mediaID: media.id), siteID: siteID, dedupeKey: "media:\(media.id)")
        } catch {
            try? FileManager.default.removeItem(at: waiting)
            try? await store.deleteMedia(id: media.id, siteID: siteID)
            throw error
        }
        return media
    }

    struct Payload: Codable {
        var mediaID: Int64
    }

    func registerJobs() {
        jobs.register(Self.kind) { job in try await process(job) }
        // Bodies cut off by a crash mid-upload leave their temporary files; a day later they are nobody's.
        jobs.addChore { [config] in
            Self.removeStaleUploads(
                in: URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("uploads-incoming"),
                before: config.clock.now().addingTimeInterval(-86400))
        }
    }

    /// Deletes temporary upload files (`upload-…`) last written before `date`; returns how many.
    static func removeStaleUploads(in folder: URL, before date: Date) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var removed = 0
        for name in names where name.hasPrefix("upload-") {
            let url = folder.appendingPathComponent(name)
            let modified = (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? nil
            if let modified, modified < date, (try? FileManager.default.removeItem(at: url)) != nil { removed += 1 }
        }
        return removed
    }

    /// The `media` job: makes the sizes, writes them, and marks the upload ready (or failed, with the reason).
    func process(_ job: Job) async throws {
        guard let siteID = job.siteID, let payload = try? job.decode(Payload.self) else {
            throw JobFailure.permanent("the media job's payload is not readable")
        }
        try await process(mediaID: payload.mediaID, siteID: siteID)
    }

    /// Processes an upload now (`drey media add` does not wait for a worker); its queued job then finds it done.
    /// Returns the upload as it ends up; a failure is recorded on it and also thrown.
    @discardableResult
    public func process(mediaID: Int64, siteID: Int64) async throws -> Media? {
        // Deleted before its turn came, or already done: nothing to do.
        guard let media = try await store.media(id: mediaID, siteID: siteID), media.state == .processing else {
            return try await store.media(id: mediaID, siteID: siteID)
        }
        let source = incoming(siteID: siteID, mediaID: media.id)
        guard FileManager.default.fileExists(atPath: source.path) else {
            try await fail(media, "the uploaded file was lost before it could be processed; upload it again")
            throw JobFailure.permanent("media \(media.id): \(source.path) is missing")
        }
        let result: ProcessedImage
        do {
            result = try await processor.process(file: source)
        } catch {
            try await fail(media, error.description)
            try? FileManager.default.removeItem(at: source)
            throw JobFailure.permanent("media \(media.id): \(error.description) \(error.detail)")
        }
        let storage = storage(siteID: siteID)
        var renditions: [MediaRendition] = []
        var written: [String] = []
        do {
            for rendition in result.renditions {
                let isMain = rendition.size == ImageSize.full.name && rendition.format == result.info.format.webFormat
                let path =
                    isMain
                    ? media.file
                    : MediaNames.folder(media.publishedAt)
                        + MediaNames.derived(full: (media.file as NSString).lastPathComponent, rendition: rendition)
                try storage.write(rendition.data, at: path)
                written.append(path)
                renditions.append(
                    MediaRendition(
                        size: rendition.size, mimeType: rendition.format.mimeType, file: path, width: rendition.width, height: rendition.height))
            }
        } catch {
            for path in written { try? storage.delete(path) }
            throw JobFailure.transient("media \(media.id): writing its sizes failed: \(error)")
        }
        try await store.finishMedia(
            id: media.id, state: .ready, width: result.width, height: result.height,
            mimeType: result.info.format.webFormat.mimeType, renditions: renditions, at: config.clock.now())
        try? FileManager.default.removeItem(at: source)
        // Deleted while its sizes were being made: what was just written belongs to nobody.
        guard let done = try await store.media(id: mediaID, siteID: siteID) else {
            for path in written { try? storage.delete(path) }
            return nil
        }
        try await refreshPages(showing: done)
        return done
    }

    private func fail(_ media: Media, _ message: String) async throws {
        try await store.finishMedia(id: media.id, state: .failed, message: message, width: media.width, height: media.height, at: config.clock.now())
    }

    /// Pages that show the image are rendered again, now with its sizes (or its new alt text).
    func refreshPages(showing media: Media) async throws {
        let posts = try await store.postsUsing(media)
        try await changes.record(siteID: media.siteID, .media(shownOn: Set(posts.map(\.id))))
    }

    public func library(
        siteID: Int64, search: String = "", month: String? = nil, mimePrefix: String? = nil, limit: Int = 60, offset: Int = 0
    ) async throws -> [Media] {
        try await store.mediaLibrary(siteID: siteID, search: search, month: month, mimePrefix: mimePrefix, limit: limit, offset: offset)
    }

    public func update(_ media: Media, title: String, altText: String, caption: String) async throws {
        let now = config.clock.now()
        try await changes.commit { [store] in
            try await store.updateMediaText(id: media.id, siteID: media.siteID, title: title, altText: altText, caption: caption, at: now)
            return ((), [(media.siteID, .media(shownOn: Set(try await store.postsUsing(media).map(\.id))))])
        }
    }

    /// Deletes the row and every file made for it; the pages that showed it are rendered again.
    public func delete(_ media: Media) async throws {
        try await changes.commit { [store] in
            let using = try await store.postsUsing(media)
            try await store.deleteMedia(id: media.id, siteID: media.siteID)
            return ((), [(media.siteID, .media(shownOn: Set(using.map(\.id))))])
        }
        let storage = storage(siteID: media.siteID)
        for path in Set([media.file] + media.renditions.map(\.file)) where !path.isEmpty { try? storage.delete(path) }
        try? FileManager.default.removeItem(at: incoming(siteID: media.siteID, mediaID: media.id))
    }
}
