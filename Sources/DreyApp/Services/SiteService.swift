import DreyCore
import DreyStore
import Foundation

/// Creating sites and changing their settings, with validation and cache invalidation.
public struct SiteService: Sendable {
    let store: any SiteStore
    let registry: SiteRegistry
    let changes: ChangeFeed
    /// Sites whose address this process is fixing now, so a burst of first requests writes it once.
    let fixing = Locked<Set<Int64>>([])

    /// The address `fixHomeURL` set, kept beside `home_url` so the dashboard can say where it came from.
    package static let homeURLFromRequest = "home_url_from_request"

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
        let site = try await changes.commit { [store] in
            let site = try await store.createSite(
                host: name, settings: [SettingKey.secret.rawValue: Signer.randomSecret(), SettingKey.title.rawValue: title])
            return (site, [(site.id, .settings)])
        }
        try await registry.reload()
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
        // A person chose the address: the dashboard no longer says it came from a request.
        if values[SettingKey.homeURL.rawValue] != nil { values[Self.homeURLFromRequest] = "" }
        try await changes.commit(siteID: siteID, .settings) { [store, values] in try await store.setSettings(siteID: siteID, values) }
        try await registry.reload()
    }

    /// On first run a site's address comes from the first request from a trusted source (this machine, a trusted
    /// proxy): stored like any setting, so other processes see it. Returns the site with it, or nil when it was not
    /// set now (already set, not a valid URL, or another request of this process is setting it).
    public func fixHomeURL(_ url: String, siteID: Int64) async throws -> Site? {
        guard let site = registry.site(id: siteID), site.settings.homeURL.isEmpty,
            let value = try? SettingKey.homeURL.validate(url), !value.isEmpty
        else { return nil }
        guard fixing.withLock({ $0.insert(siteID).inserted }) else { return nil }
        defer { fixing.withLock { _ = $0.remove(siteID) } }
        try await changes.commit(siteID: siteID, .settings) { [store] in
            try await store.setSettings(siteID: siteID, [SettingKey.homeURL.rawValue: value, Self.homeURLFromRequest: value])
        }
        try await registry.reload()
        return registry.site(id: siteID)
    }
}
