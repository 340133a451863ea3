import Foundation

/// Copies files from a copy of WordPress's `wp-content/uploads` into the site's uploads folder and
/// rewrites content URLs that point at them. Nothing is ever fetched over the network.
/// Used by one import task at a time; `@unchecked` so the transaction closure may hold it and the
/// caller can still remove its files when that transaction fails.
final class UploadsCopier: @unchecked Sendable {
    let source: URL
    let destination: URL
    /// URL prefixes (scheme-less, `//host/path/`) under which the old site served its uploads.
    private(set) var bases: [String] = []
    /// Files this run created, removed again if the import fails.
    private(set) var created: [URL] = []
    private var known: [String: Bool] = [:]
    private(set) var copiedCount = 0
    private(set) var missing: Set<String> = []

    init(source: URL, destination: URL) {
        self.source = source
        self.destination = destination
    }

    /// Adds a prefix under which uploads were served (`https://example.com/wp-content/uploads/`).
    func addBase(_ url: String) {
        guard let start = url.range(of: "//") else { return }
        var base = String(url[start.lowerBound...])
        if !base.hasSuffix("/") { base += "/" }
        if !bases.contains(base) { bases.append(base) }
    }

    /// A path below uploads that stays below it: no `..`, no absolute path, no empty segment.
    static func safeRelativePath(_ raw: String) -> String? {
        let path = (raw.removingPercentEncoding ?? raw)
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0"),
            segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else { return nil }
        return path
    }

    /// Copies `relative` in unless it is already there; true when the site now has the file.
    @discardableResult
    func copy(_ relative: String) throws -> Bool {
        guard let path = Self.safeRelativePath(relative) else { return false }
        if let done = known[path] { return done }
        let fm = FileManager.default
        let from = source.appendingPathComponent(path)
        let to = destination.appendingPathComponent(path)
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: from.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            known[path] = false
            missing.insert(path)
            return false
        }
        if !fm.fileExists(atPath: to.path) {
            try fm.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.copyItem(at: from, to: to)
            created.append(to)
            copiedCount += 1
        }
        known[path] = true
        return true
    }

    /// `content` with links to copied uploads made site-relative (`/wp-content/uploads/…`).
    func rewrite(_ content: String) throws -> String {
        guard content.contains("//") else { return content }
        var text = content
        for base in bases {
            for scheme in ["https:", "http:"] {
                let prefix = scheme + base
                guard text.contains(prefix) else { continue }
                var out = ""
                var rest = text[...]
                while let found = rest.range(of: prefix) {
                    out += rest[..<found.lowerBound]
                    let tail = rest[found.upperBound...]
                    let end = tail.firstIndex { "\"' <>)]?#\n\t\r".contains($0) } ?? tail.endIndex
                    let relative = String(tail[..<end])
                    if try copy(relative) {
                        out += "/wp-content/uploads/" + relative
                    } else {
                        out += rest[found.lowerBound..<end]
                    }
                    rest = tail[end...]
                }
                out += rest
                text = out
            }
        }
        return text
    }

    /// Removes what this run copied, when the import is rolled back.
    func removeCreated() {
        for url in created { try? FileManager.default.removeItem(at: url) }
        created = []
    }
}
