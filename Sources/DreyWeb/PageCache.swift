import CompressNIO
import DreyCore
import Foundation
import Hummingbird
import NIOCore

/// Whole responses for anonymous GET and HEAD, with their gzip form made once.
public final class PageCache: Sendable {
    public struct Entry: Sendable {
        public let status: HTTPResponse.Status
        public let contentType: String
        public let body: ByteBuffer
        public let gzipped: ByteBuffer?
        public let etag: String
        public let lastModified: String
        let scopes: Set<CacheScope>
        /// Where a comment form's token goes; such a page is answered with a fresh token each time.
        let splice: TokenSplice?
    }

    struct Key: Hashable, Sendable {
        let siteID: Int64
        let target: String
    }

    struct Storage {
        var entries: [Key: Entry] = [:]
        var byScope: [Int64: [CacheScope: Set<Key>]] = [:]
        var hits = 0
        var misses = 0
    }

    private let storage = Locked(Storage())
    /// Bumped by every invalidation of a site, and never reset: a render that began under an older generation may
    /// hold what the invalidation made stale, so it is served once and not stored.
    private let generations = Locked([Int64: UInt64]())
    /// Tests hold a render here, between reading the database and storing the page, to race a write against it.
    let beforeStore = Locked<(@Sendable () async -> Void)?>(nil)
    let maxEntries: Int

    public init(maxEntries: Int = 4000) { self.maxEntries = maxEntries }

    func lookup(siteID: Int64, target: String) -> Entry? {
        storage.withLock { s in
            let entry = s.entries[Key(siteID: siteID, target: target)]
            if entry == nil { s.misses += 1 } else { s.hits += 1 }
            return entry
        }
    }

    /// The site's generation; read it before rendering and hand it to `store`.
    func generation(siteID: Int64) -> UInt64 { generations.withLock { $0[siteID] ?? 0 } }

    /// Makes the entry and keeps it, unless the site was invalidated since `generation` was read.
    func store(
        siteID: Int64, target: String, status: HTTPResponse.Status, contentType: String, body: ByteBuffer, scopes: Set<CacheScope>,
        formPostID: Int64? = nil, generation: UInt64
    ) -> Entry {
        let entry = Self.makeEntry(status: status, contentType: contentType, body: body, scopes: scopes, formPostID: formPostID)
        let key = Key(siteID: siteID, target: target)
        storage.withLock { s in
            // Checked under the storage lock, which `invalidate` also takes after bumping the generation.
            guard self.generation(siteID: siteID) == generation else { return }
            if s.entries.count >= maxEntries {
                // A crude bound against cache-busting URLs: start over rather than track recency.
                s.entries.removeAll(keepingCapacity: true)
                s.byScope.removeAll()
            }
            s.entries[key] = entry
            for scope in scopes { s.byScope[siteID, default: [:]][scope, default: []].insert(key) }
        }
        return entry
    }

    static func makeEntry(
        status: HTTPResponse.Status, contentType: String, body: ByteBuffer, scopes: Set<CacheScope>, formPostID: Int64? = nil,
        gzip: Bool = true
    ) -> Entry {
        let zip = gzip && body.readableBytes > 512
        if let postID = formPostID, let splice = TokenSplice(body: body, postID: postID, gzip: zip) {
            // The whole gzip form is never served (each response splices its own token), so it is not made.
            return Entry(
                status: status, contentType: contentType, body: body, gzipped: nil, etag: "", lastModified: Self.httpDate(Date()),
                scopes: scopes, splice: splice)
        }
        var copy = body
        let gzipped = zip ? try? copy.compress(with: .gzip()) : nil
        let etag = "\"\(Self.fnv1a(body))\""
        return Entry(
            status: status, contentType: contentType, body: body, gzipped: gzipped, etag: etag,
            lastModified: Self.httpDate(Date()), scopes: scopes, splice: nil)
    }

    /// Drops the pages a change made stale; `.site` drops every page of the site.
    public func invalidate(siteID: Int64, scopes: Set<CacheScope>) {
        generations.withLock { $0[siteID, default: 0] &+= 1 }
        storage.withLock { s in
            if scopes.contains(.site) {
                let keys = s.entries.keys.filter { $0.siteID == siteID }
                for key in keys { s.entries[key] = nil }
                s.byScope[siteID] = nil
                return
            }
            for scope in scopes {
                guard let keys = s.byScope[siteID]?[scope] else { continue }
                for key in keys { s.entries[key] = nil }
                s.byScope[siteID]?[scope] = nil
            }
        }
    }

    public func clear() {
        generations.withLock { for key in $0.keys { $0[key]! &+= 1 } }
        storage.withLock { $0 = Storage() }
    }

    public var count: Int { storage.withLock { $0.entries.count } }
    /// Bytes the cached bodies hold, plain and gzipped (for `/metrics`).
    public var byteCount: Int {
        storage.withLock { $0.entries.values.reduce(0) { $0 + $1.body.readableBytes + ($1.gzipped?.readableBytes ?? 0) } }
    }
    public var hitCount: Int { storage.withLock { $0.hits } }

    static func fnv1a(_ buffer: ByteBuffer) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in buffer.readableBytesView {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    static func httpDate(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(days[Int(tmv.tm_wday)]), \(two(tmv.tm_mday)) \(months[Int(tmv.tm_mon)]) \(Int(tmv.tm_year) + 1900) "
            + "\(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec)) GMT"
    }
}
