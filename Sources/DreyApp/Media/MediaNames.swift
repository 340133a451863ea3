import Crypto
import DreyImages
import Foundation

/// File names of uploads: WordPress's `year/month/name.ext` for the full size, so links look as they always
/// did, and a hash of the bytes in every derived copy's name, so those can be cached for a year.
package enum MediaNames {
    /// A path below the uploads root that stays below it: no `..`, no absolute path, no empty or hidden segment.
    package static func isSafePath(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return !segments.isEmpty
            && segments.allSatisfy { !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("\\") && !$0.contains("\0") }
    }

    /// The base of a stored name from what the uploader called the file; nil for a name that tries to leave its
    /// folder (`../x.jpg`), which is refused rather than quietly repaired.
    package static func base(of original: String) -> String? {
        if original.contains("/") || original.contains("\\") || original.contains("\0") { return nil }
        var stem = original
        if let dot = stem.lastIndex(of: "."), dot != stem.startIndex { stem = String(stem[..<dot]) }
        var out = ""
        for scalar in stem.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" {
                out.unicodeScalars.append(scalar)
            } else if !out.isEmpty, !out.hasSuffix("-") {
                out += "-"
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return String((out.isEmpty ? "image" : out).prefix(80))
    }

    /// `2026/12/` for an upload made at `date` (UTC, as WordPress's folders are by the site's clock).
    package static func folder(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: date)
        return String(format: "%04d/%02d/", parts.year ?? 1970, parts.month ?? 1)
    }

    /// The name of a derived copy: `photo-300x200.1a2b3c4d5e.webp`; the full size in WebP is `photo.1a2b3c4d5e.webp`.
    package static func derived(full: String, rendition: Rendition) -> String {
        var stem = full
        if let dot = stem.lastIndex(of: ".") { stem = String(stem[..<dot]) }
        let digest = SHA256.hash(data: rendition.data).prefix(5).map { String(format: "%02x", $0) }.joined()
        let size = rendition.size == ImageSize.full.name ? "" : "-\(rendition.width)x\(rendition.height)"
        return "\(stem)\(size).\(digest).\(rendition.format.fileExtension)"
    }

    /// Whether `path` is a derived copy (its name carries a 10-digit hash), which never changes once written.
    package static func isHashed(_ path: String) -> Bool {
        let parts = (path.split(separator: "/").last ?? "").split(separator: ".")
        guard parts.count >= 3 else { return false }
        let hash = parts[parts.count - 2]
        return hash.count == 10 && hash.allSatisfy(\.isHexDigit)
    }
}
