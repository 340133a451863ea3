import DreyCore
import DreyStore
import Foundation

/// The sites this installation serves, kept in memory and reloaded when a change says so.
public final class SiteRegistry: Sendable {
    let store: any SiteStore
    private let sites: Locked<[Site]>

    init(store: any SiteStore) async throws {
        self.store = store
        self.sites = Locked(try await store.sites())
    }

    public var all: [Site] { sites.current }

    /// The site for a Host header; the first site answers any host while it is the only one.
    public func resolve(host: String?) -> Site? {
        let all = sites.current
        let name = Self.hostName(host)
        if let site = all.first(where: { $0.host == name }) { return site }
        return all.count == 1 ? all.first : nil
    }

    /// The address a single-site install sends a request for `host` to, when `host` is not the site's: its `home_url`
    /// with the same path and query. Nil when the host is the site's own (its host, or its `home_url`'s), when the
    /// address is not known yet, or when several sites share the install (an unknown host finds none of them).
    public func canonicalRedirect(host: String?, site: Site, target: String) -> String? {
        guard sites.current.count == 1, let home = Self.homeParts(site.settings.homeURL) else { return nil }
        let name = Self.hostName(host)
        if name == site.host || name == home.hostName { return nil }
        return home.origin + target
    }

    /// A `home_url`'s scheme and authority, and its host name. Read on every request, so worked out once per address.
    private static func homeParts(_ home: String) -> (origin: String, hostName: String)? {
        if let known = homes.withLock({ $0[home] }) { return known }
        guard let schemeEnd = home.firstRange(of: "://")?.upperBound else { return nil }
        let authorityEnd = home[schemeEnd...].firstIndex(of: "/") ?? home.endIndex
        let parts = (origin: String(home[..<authorityEnd]), hostName: hostName(String(home[schemeEnd..<authorityEnd])))
        homes.withLock { known in
            if known.count >= 256 { known.removeAll() }
            known[home] = parts
        }
        return parts
    }

    private static let homes = Locked([String: (origin: String, hostName: String)]())

    public func site(id: Int64) -> Site? { sites.current.first { $0.id == id } }

    /// The site named by `--site HOST`, or the default one when none is named.
    public func site(named host: String?) throws -> Site {
        let all = sites.current
        guard let host, !host.isEmpty else {
            guard let first = all.first else { throw StoreError.notFound("no site exists yet; run `drey migrate` first") }
            return first
        }
        guard let site = all.first(where: { $0.host == Self.hostName(host) }) else {
            throw StoreError.notFound("no site with host '\(host)'; known: \(all.map(\.host).joined(separator: ", "))")
        }
        return site
    }

    public func reload() async throws {
        let fresh = try await store.sites()
        sites.withLock { $0 = fresh }
    }

    /// Lowercased host without port.
    static func hostName(_ host: String?) -> String {
        guard var h = host?.lowercased() else { return "" }
        if h.hasPrefix("[") {  // IPv6 literal
            if let end = h.firstIndex(of: "]") { h = String(h[...end]) }
        } else if let colon = h.lastIndex(of: ":") {
            h = String(h[..<colon])
        }
        return h
    }
}
