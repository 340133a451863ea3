import DreyCore
import Foundation

/// Works out the old site's permalink structure from its posts' links, so the site can adopt it
/// and every old post URL keeps working without a redirect.
struct PermalinkInference {
    private(set) var votes: [String: Int] = [:]
    private var voters = 0
    /// Path of the old blog's home (`/blog` for `https://example.com/blog/`); links are read below it.
    let basePath: String

    init(blogURL: String) {
        var path = URLComponents(string: blogURL)?.path ?? ""
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
    }

    /// Records what one published post's link says about the structure.
    mutating func add(link: String, slug: String, wpID: Int64?, localDate: String, categorySlugs: Set<String>, authorLogin: String) {
        guard !slug.isEmpty, let components = URLComponents(string: link), components.query == nil else { return }
        var path = components.percentEncodedPath
        guard path.hasPrefix(basePath) else { return }
        path = String(path.dropFirst(basePath.count))
        let trailingSlash = path.hasSuffix("/")
        let segments = path.split(separator: "/").map(String.init)
        guard !segments.isEmpty else { return }
        let date = localDate.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).map(String.init)
        guard date.count >= 6 else { return }
        var dateTags = [("year", date[0]), ("monthnum", date[1]), ("day", date[2]), ("hour", date[3]), ("minute", date[4]), ("second", date[5])]
        var tokens: [String] = []
        var usedCategory = false
        for segment in segments {
            let decoded = segment.removingPercentEncoding ?? segment
            if decoded == slug || segment == slug {
                tokens.append("%postname%")
            } else if decoded.hasPrefix(slug + ".") {
                tokens.append("%postname%" + decoded.dropFirst(slug.count))
            } else if let wpID, decoded == String(wpID) {
                tokens.append("%post_id%")
            } else if let index = dateTags.firstIndex(where: { $0.1 == decoded }) {
                tokens.append("%\(dateTags[index].0)%")
                dateTags.removeSubrange(...index)
            } else if categorySlugs.contains(decoded) {
                if !usedCategory { tokens.append("%category%") }
                usedCategory = true
            } else if !authorLogin.isEmpty, decoded == authorLogin.lowercased() {
                tokens.append("%author%")
            } else {
                tokens.append(decoded)
            }
        }
        // A link that no longer names its post (slug changed since), or whose date parts disagree
        // with the post's date, says nothing about the structure.
        guard tokens.contains(where: { $0.hasPrefix("%postname%") || $0 == "%post_id%" }),
            !tokens.contains(where: { !$0.isEmpty && $0.allSatisfy(\.isNumber) })
        else { return }
        let pattern = "/" + tokens.joined(separator: "/") + (trailingSlash ? "/" : "")
        voters += 1
        votes[pattern, default: 0] += 1
    }

    /// The structure at least four in five posts agree on, when it is one Drey can serve.
    var structure: PermalinkStructure? {
        guard voters > 0, let (pattern, count) = votes.max(by: { $0.value < $1.value }), count * 5 >= voters * 4 else { return nil }
        return PermalinkStructure(pattern)
    }
}
