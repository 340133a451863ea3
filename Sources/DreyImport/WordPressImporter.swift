import DreyCore
import DreyStore
import Foundation

/// How far an import has got, for a progress bar.
public struct ImportProgress: Sendable {
    public let line: Int
    public let totalLines: Int
    public let items: Int
    public let comments: Int
    public let elapsed: Double

    public var fraction: Double { totalLines > 0 ? min(1, Double(line) / Double(totalLines)) : 0 }
}

/// Imports a WordPress export (WXR 1.0–1.2) into a site in one transaction: all of it, or nothing.
public struct WordPressImporter: Sendable {
    public let database: Database
    public let siteID: Int64

    public init(database: Database, siteID: Int64) {
        self.database = database
        self.siteID = siteID
    }

    public func run(
        _ file: URL, options: ImportOptions, progress: (@Sendable (ImportProgress) -> Void)? = nil
    ) async throws -> ImportSummary {
        let started = Date()
        var copier: UploadsCopier? = nil
        if let mediaDirectory = options.mediaDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: mediaDirectory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw WXRError(.unreadable, "--media-dir \(mediaDirectory.path) is not a folder; give a copy of wp-content/uploads")
            }
            copier = UploadsCopier(source: mediaDirectory, destination: options.uploadsDirectory)
        }
        let totalLines = progress == nil ? 0 : Self.countLines(file)
        let siteID = self.siteID
        let theCopier = copier
        do {
            var summary = try await database.transaction { db in
                let session = ImportSession(writer: ImportWriter(db, siteID: siteID), options: options, copier: theCopier)
                var lastLine = 0
                for try await event in WXRReader(url: file).events() {
                    try await session.handle(event)
                    if let progress, event.line > lastLine {
                        lastLine = event.line
                        progress(
                            ImportProgress(
                                line: lastLine, totalLines: totalLines, items: session.itemsRead, comments: session.commentsRead,
                                elapsed: Date().timeIntervalSince(started)))
                    }
                }
                try await session.finish()
                return session.summary
            }
            summary.linesRead = totalLines
            summary.seconds = Date().timeIntervalSince(started)
            return summary
        } catch {
            theCopier?.removeCreated()
            throw error
        }
    }

    /// Lines in the file, counted fast, so progress can be shown as a share of the whole.
    static func countLines(_ file: URL) -> Int {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return 0 }
        defer { try? handle.close() }
        var lines = 0
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { buffer in
                for byte in buffer where byte == 0x0A { lines += 1 }
            }
        }
        return lines + 1
    }
}
