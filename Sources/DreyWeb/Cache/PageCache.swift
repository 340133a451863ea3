import CompressNIO
import DreyApp
import DreyCore
import Foundation
import Hummingbird
import NIOCore

/// Whole responses for anonymous GET and HEAD, with their gzip form made once.
public final class PageCache: Sendable {
    public struct Entry: Sendable {
        public let status: HTTPResponse.Status
        public let contentType: String
        /// Empty in a compact entry (see `compacted`).
        public private(set) var body: ByteBuffer
        public let gzipped: ByteBuffer?
        public let etag: String
        public let lastModified: String
        let scopes: Set<CacheScope>
        /// A page with personal parts (a form token, "signed in as …"): each response fills its holes.
        private(set) var holes: HoledPage?
        /// The plain body's length, kept when the body itself is not.
        var length = 0
        /// Whether only the gzip form is kept (`compacted`).
        private(set) var isCompact = false

        init(
            status: HTTPResponse.Status, contentType: String, body: ByteBuffer, gzipped: ByteBuffer?, etag: String, lastModified: String,
            scopes: Set<CacheScope>, holes: HoledPage?
        ) {
            (self.status, self.contentType, self.body, self.gzipped) = (status, contentType, body, gzipped)
            (self.etag, self.lastModified, self.scopes, self.holes) = (etag, lastModified, scopes, holes)
            self.length = body.readableBytes
        }

        /// What the entry holds in memory, roughly: its bodies and a fixed allowance for the rest.
        /// What the buffers hold in memory (their capacity, not only what they use), so the limit bounds the process.
        var cost: Int { body.capacity + (gzipped?.capacity ?? 0) + (holes?.cost ?? 0) + 512 }

        /// What its plain form holds (nothing when compact).
        var plainBytes: Int { isCompact ? 0 : (holes?.plainBytes ?? body.capacity) }

        /// The entry with its gzip form only, a third or so of the memory: what the cache keeps of pages not read
        /// lately once it is full, rather than forgetting them. Nil when there is no gzip form (a small page).
        func compacted() -> Entry? {
            guard !isCompact else { return nil }
            var small = self
            if let holes {
                guard let compact = holes.compacted() else { return nil }
                small.holes = compact
            } else {
                guard gzipped != nil else { return nil }
                small.body = ByteBuffer()
            }
            small.isCompact = true
            return small
        }

        /// A compact entry whole again, its plain form inflated from the gzip form (for a reader who does not take
        /// gzip); nil if that fails.
        func expanded() -> Entry? {
            guard isCompact else { return self }
            var whole = self
            if let holes {
                guard let plain = holes.expanded() else { return nil }
                whole.holes = plain
            } else {
                guard let gzipped, let plain = HoledPage.inflate(gzipped, raw: false, length: length)
                else { return nil }
                whole.body = plain
            }
            whole.isCompact = false
            return whole
        }
    }

    struct Key: Hashable, Sendable {
        let siteID: Int64
        let target: String
    }

    struct Slot {
        var entry: Entry
        var cost: Int
        /// When it was last served or stored, on the cache's own clock (a counter).
        var used: UInt64
        /// When it was stored: tells this entry from a later one under the same key.
        let stored: UInt64
    }

    struct Storage {
        var entries: [Key: Slot] = [:]
        var byScope: [Int64: [CacheScope: Set<Key>]] = [:]
        var bytes = 0
        var clock: UInt64 = 0
        var hits = 0
        var misses = 0
        var evictions = 0
        var compactions = 0
        var expansions = 0

        mutating func replace(_ key: Key, with entry: Entry) {
            guard var slot = entries[key] else { return }
            let cost = entry.cost + key.target.utf8.count
            bytes += cost - slot.cost
            slot.entry = entry
            slot.cost = cost
            entries[key] = slot
        }

        mutating func remove(_ key: Key) {
            guard let slot = entries.removeValue(forKey: key) else { return }
            bytes -= slot.cost
            for scope in slot.entry.scopes { byScope[key.siteID]?[scope]?.remove(key) }
        }
    }

    private let storage = Locked(Storage())
    /// Bumped by every invalidation of a site, and never reset: a render that began under an older generation may
    /// hold what the invalidation made stale, so it is served once and not stored.
    private let generations = Locked([Int64: UInt64]())
    /// Tests hold a render here, between reading the database and storing the page, to race a write against it.
    let beforeStore = Locked<(@Sendable () async -> Void)?>(nil)
    /// The most the cached pages may hold, in bytes (`drey serve --cache-size`); past it the least recently used go.
    public let maxBytes: Int

    public static let defaultMaxBytes = 64 << 20

    public init(maxBytes: Int = PageCache.defaultMaxBytes) { self.maxBytes = max(0, maxBytes) }

    /// The page stored under `target`. `counted: false` leaves the hit and miss counts alone: the fast path looks first
    /// and counts only what it answers (`countHit`), since what it passes on is looked up again.
    /// `plain: false` when no plain body will be sent (the reader takes gzip, or asks with HEAD), so a compact entry
    /// serves as it is; otherwise its plain form is made again (outside the lock) and kept.
    func lookup(siteID: Int64, target: String, counted: Bool = true, plain: Bool = true) -> Entry? {
        let key = Key(siteID: siteID, target: target)
        let found = storage.withLock { s -> (entry: Entry, stored: UInt64)? in
            guard var slot = s.entries[key] else {
                if counted { s.misses += 1 }
                return nil
            }
            if counted { s.hits += 1 }
            s.clock &+= 1
            slot.used = s.clock
            s.entries[key] = slot
            return (slot.entry, slot.stored)
        }
        guard let found, found.entry.isCompact, plain else { return found?.entry }
        guard let whole = found.entry.expanded() else {
            // Cannot happen with our own bytes; forgotten rather than served wrong (unless replaced meanwhile).
            storage.withLock { if $0.entries[key]?.stored == found.stored { $0.remove(key) } }
            return nil
        }
        let evicted = storage.withLock { s -> Bool in
            guard s.entries[key]?.stored == found.stored, s.entries[key]?.entry.isCompact == true else { return false }
            s.replace(key, with: whole)
            s.expansions += 1
            guard s.bytes > maxBytes else { return false }
            Self.evict(&s, to: maxBytes - maxBytes / 10, limit: maxBytes)
            return true
        }
        if evicted { MemoryTrim.soon() }
        return whole
    }

    func countHit() { storage.withLock { $0.hits += 1 } }

    /// The site's generation; read it before rendering and hand it to `store`.
    func generation(siteID: Int64) -> UInt64 { generations.withLock { $0[siteID] ?? 0 } }

    /// Makes the entry and keeps it, unless the site was invalidated since `generation` was read.
    func store(
        siteID: Int64, target: String, status: HTTPResponse.Status, contentType: String, body: ByteBuffer, scopes: Set<CacheScope>,
        generation: UInt64
    ) -> Entry {
        let entry = Self.makeEntry(status: status, contentType: contentType, body: body, scopes: scopes)
        let key = Key(siteID: siteID, target: target)
        let evicted = storage.withLock { s -> Bool in
            // Checked under the storage lock, which `invalidate` also takes after bumping the generation.
            guard self.generation(siteID: siteID) == generation else { return false }
            let cost = entry.cost + target.utf8.count
            guard cost <= maxBytes / 4 else { return false }  // one huge page must not flush everything else
            s.remove(key)
            s.clock &+= 1
            s.entries[key] = Slot(entry: entry, cost: cost, used: s.clock, stored: s.clock)
            s.bytes += cost
            for scope in scopes { s.byScope[siteID, default: [:]][scope, default: []].insert(key) }
            guard s.bytes > maxBytes else { return false }
            Self.evict(&s, to: maxBytes - maxBytes / 10, limit: maxBytes)
            return true
        }
        // What the evicted pages held goes back to the system, not only to the allocator (see MemoryTrim); and what
        // rendering the page left free, once the burst of renders is over.
        if evicted { MemoryTrim.soon() }
        MemoryTrim.freed()
        return entry
    }

    /// Makes room until at most `budget` bytes are held: first the least recently used pages keep only their gzip
    /// form (most readers take gzip; for the rest it is inflated back), except those read last, whose plain forms may
    /// hold a sixteenth of the `limit`; then the least recently used pages go. Done in one batch down to 90% of the
    /// limit, so the sort it needs is paid once per many stores, not on every one.
    static func evict(_ s: inout Storage, to budget: Int, limit: Int) {
        let oldestFirst = s.entries.map { ($0.key, $0.value.used) }.sorted { $0.1 < $1.1 }
        // The newest pages whose plain forms together fit a sixteenth of the limit stay whole (one too large to fit is
        // passed over, not a reason to stop).
        var kept = 0
        var hot = Set<Key>()
        for (key, _) in oldestFirst.reversed() {
            guard let plain = s.entries[key]?.entry.plainBytes, plain > 0, kept + plain <= limit / 16 else { continue }
            kept += plain
            hot.insert(key)
        }
        for (key, _) in oldestFirst where !hot.contains(key) {
            guard s.bytes > budget else { return }
            guard let small = s.entries[key]?.entry.compacted() else { continue }
            s.replace(key, with: small)
            s.compactions += 1
        }
        for (key, _) in oldestFirst {
            guard s.bytes > budget else { break }
            s.remove(key)
            s.evictions += 1
        }
    }

    /// `filled`: the page's holes are filled already (a page made for one response), so it is not searched for them.
    static func makeEntry(
        status: HTTPResponse.Status, contentType: String, body: ByteBuffer, scopes: Set<CacheScope>, gzip: Bool = true, filled: Bool = false
    ) -> Entry {
        let zip = gzip && body.readableBytes > 512
        if !filled, contentType.hasPrefix("text/html"), let holes = HoledPage(body: body, gzip: zip) {
            // Neither the whole page nor its gzip form is ever served (each response fills its own holes from the
            // pieces), so neither is kept.
            return Entry(
                status: status, contentType: contentType, body: ByteBuffer(), gzipped: nil, etag: "", lastModified: Self.httpDate(Date()),
                scopes: scopes, holes: holes)
        }
        var copy = body
        // Kept at its size: the compressor's output buffer is reserved for the worst case.
        let gzipped = zip ? (try? copy.compress(with: .gzip())).map { ByteBuffer(bytes: $0.readableBytesView) } : nil
        let etag = "\"\(Self.fingerprint(body))\""
        return Entry(
            status: status, contentType: contentType, body: body, gzipped: gzipped, etag: etag,
            lastModified: Self.httpDate(Date()), scopes: scopes, holes: nil)
    }

    /// Drops the pages a change made stale; `.site` drops every page of the site.
    public func invalidate(siteID: Int64, scopes: Set<CacheScope>) {
        generations.withLock { $0[siteID, default: 0] &+= 1 }
        storage.withLock { s in
            if scopes.contains(.site) {
                for key in Array(s.entries.keys) where key.siteID == siteID { s.remove(key) }
                s.byScope[siteID] = nil
                return
            }
            for scope in scopes {
                guard let keys = s.byScope[siteID]?[scope] else { continue }
                for key in keys { s.remove(key) }
                s.byScope[siteID]?[scope] = nil
            }
        }
    }

    public func clear() {
        generations.withLock { for key in $0.keys { $0[key]! &+= 1 } }
        // The clock goes on: a slot's `stored` stamp must never name two entries (a lookup expanding across the clear).
        storage.withLock { s in
            let clock = s.clock
            s = Storage()
            s.clock = clock
        }
    }

    public var count: Int { storage.withLock { $0.entries.count } }
    public var hitCount: Int { storage.withLock { $0.hits } }
    public var missCount: Int { storage.withLock { $0.misses } }
    /// What the cached pages hold now, by `Entry.cost` (for `/metrics` and the size limit).
    public var byteCount: Int { storage.withLock { $0.bytes } }
    public var evictionCount: Int { storage.withLock { $0.evictions } }
    /// Pages that kept only their gzip form to make room, and compact pages made whole again for a reader.
    public var compactionCount: Int { storage.withLock { $0.compactions } }
    public var expansionCount: Int { storage.withLock { $0.expansions } }
    /// Entries held in their gzip form only.
    public var compactCount: Int { storage.withLock { $0.entries.values.reduce(0) { $0 + ($1.entry.isCompact ? 1 : 0) } } }

    /// A page's fingerprint for its `ETag`: the same bytes give the same value in every process and on every
    /// machine. Eight bytes at a time in four independent lanes (FNV-1a's multiply with a rotation, so every bit of
    /// the input reaches every bit of the state), where byte-at-a-time FNV-1a waited on one multiply per byte: a
    /// 42 KB page took a fortieth of its uncached render to fingerprint.
    static func fingerprint(_ buffer: ByteBuffer) -> String {
        buffer.withUnsafeReadableBytes { bytes in
            let prime: UInt64 = 0x100_0000_01b3
            func mix(_ lane: UInt64, _ word: UInt64) -> UInt64 {
                let x = lane ^ word
                return ((x << 29) | (x >> 35)) &* prime
            }
            var a: UInt64 = 0xcbf2_9ce4_8422_2325
            var b: UInt64 = 0x8422_2325_cbf2_9ce4
            var c: UInt64 = 0x9ce4_8422_2325_cbf2
            var d: UInt64 = 0x2325_cbf2_9ce4_8422
            var offset = 0
            let count = bytes.count
            while offset + 32 <= count {
                a = mix(a, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                b = mix(b, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)))
                c = mix(c, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)))
                d = mix(d, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)))
                offset += 32
            }
            var hash = mix(mix(mix(mix(UInt64(count), a), b), c), d)
            while offset < count {
                hash = mix(hash, UInt64(bytes[offset]))
                offset += 1
            }
            // A final avalanche (MurmurHash3's), so the last bytes move every bit too.
            hash ^= hash >> 33
            hash = hash &* 0xff51_afd7_ed55_8ccd
            hash ^= hash >> 33
            return String(hash, radix: 16)
        }
    }

    /// The IMF-fixdate form of `date`; the one formatter, shared with the fediverse's signed `Date` header.
    static func httpDate(_ date: Date) -> String { HTTPSignatures.httpDate(date) }
}
