import DreyCore
import DreyStore
import Foundation

/// Creating sites and changing their settings, with validation and cache invalidation.
public struct SiteService: Sendable {
    let store: SQLStore
    let registry: SiteRegistry
    let changes: ChangeFeed

    /// Creates the default site on first run; returns it either way.
    @discardableResult
    public func ensureDefaultSite(host: String = "localhost") async throws -> Site {
        if let first = registry.all.first { return first }
        _ = try await store.createSite(host: host, settings: [SettingKey.secret.rawValue: Signer.randomSecret()])
        try await registry.reload()
        guard let site = registry.all.first else { throw StoreError.invalid("default site was not created") }
        return site
    }

    public func createSite(host: String, title: String) async throws -> Site {
        let name = SiteRegistry.hostName(host)
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || ".-[]:".contains($0) }) else {
            throw SettingError("'\(host)' is not a host name")
        }
        let site = try await store.createSite(
            host: name, settings: [SettingKey.secret.rawValue: Signer.randomSecret(), SettingKey.title.rawValue: title])
        try await registry.reload()
        try await changes.record(siteID: site.id, [.site])
        return site
    }

    /// Validates and stores several settings at once: all of them are saved, or none.
    public func set(_ raw: [SettingKey: String], siteID: Int64) async throws {
        guard let site = registry.site(id: siteID) else { throw StoreError.notFound("no site \(siteID)") }
        var values: [String: String] = [:]
        for (key, value) in raw {
            guard !key.isInternal else { throw SettingError("\(key.rawValue) cannot be set directly") }
            values[key.rawValue] = try key.validate(value)
        }
        if let newStructure = values[SettingKey.permalinkStructure.rawValue],
            newStructure != site.settings.permalinkStructure.pattern
        {
            // Keep every earlier structure so links made under it still redirect.
            var history = [site.settings.permalinkStructure.pattern] + site.settings.permalinkHistory.map(\.pattern)
            history.removeAll { $0 == newStructure }
            var seen = Set<String>()
            history = history.filter { seen.insert($0).inserted }
            values[SettingKey.permalinkHistory.rawValue] = history.prefix(10).joined(separator: "\n")
        }
        try await store.setSettings(siteID: siteID, values)
        try await registry.reload()
        try await changes.record(siteID: siteID, [.site])
    }
}
