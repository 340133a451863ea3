import DreyCore
import DreyStore
import Foundation

extension ImportSession {
    /// The work that needs the whole file: parents, galleries, old addresses, counts, permalinks.
    func finish() async throws {
        try await flushComments()
        try await resolveTermParents()
        try await resolvePostParents()
        try await renderGalleries()
        try await writer.addLegacyPaths(legacyPaths)
        legacyPaths = []
        try await writer.recountComments(postIDs: postsToRecount.sorted())
        try await applySettings()
        if let copier {
            summary.filesCopied = copier.copiedCount
            summary.filesMissing = copier.missing.count
        }
    }

    /// Adopts the export's permalink structure (keeping the old one for redirects) and, on a site
    /// never named, the blog's title and tagline.
    private func applySettings() async throws {
        let current = try await writer.settings()
        var values: [String: String] = [:]
        let key = SettingKey.permalinkStructure.rawValue
        let structure = PermalinkStructure(current[key] ?? "") ?? .dayAndName
        summary.permalinkStructure = structure.pattern
        if options.adoptPermalinks, let inferred = permalinks.structure {
            summary.permalinkAdopted = true
            summary.permalinkStructure = inferred.pattern
            if inferred != structure {
                values[key] = inferred.pattern
                let old = (current[SettingKey.permalinkHistory.rawValue] ?? "").split(separator: "\n").map(String.init)
                var seen: Set<String> = [inferred.pattern]
                let history = ([structure.pattern] + old).filter { seen.insert($0).inserted }
                values[SettingKey.permalinkHistory.rawValue] = history.prefix(10).joined(separator: "\n")
            }
        }
        if current[SettingKey.title.rawValue] == nil, let title = try? SettingKey.title.validate(channel.title) {
            values[SettingKey.title.rawValue] = title
        }
        if current[SettingKey.tagline.rawValue] == nil, let tagline = try? SettingKey.tagline.validate(channel.description) {
            values[SettingKey.tagline.rawValue] = tagline
        }
        if !values.isEmpty { try await writer.setSettings(values) }
    }
}
