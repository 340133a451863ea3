#if canImport(Glibc)
import Glibc
#endif

/// Hands memory the process freed back to the system. glibc's allocator keeps freed pages in its arenas (one per
/// thread that allocated, up to eight per core); after the page cache evicts a batch of pages, or a burst of renders,
/// most of what they used stays counted in the process's RSS until `malloc_trim` releases it. At most once a
/// `interval`, so callers may ask as often as they like.
public enum MemoryTrim {
    private static let last = Locked<UInt64>(0)
    public static let interval: UInt64 = 5_000_000_000

    public static func soon() {
        let nanos = monotonicNanos()
        let due = last.withLock { last -> Bool in
            guard nanos &- last >= interval || last == 0 else { return false }
            last = nanos
            return true
        }
        if due, let trim { _ = trim(0) }
    }

    /// Trims at once, whenever the last trim was: after a one-off burst (training the spam seed at start).
    public static func now() {
        if let trim { _ = trim(0) }
    }

    private static let quiet = QuietTrigger()

    /// Says that memory was freed in bulk (a rendered page stored, its transient buffers let go): `whenQuiet` gives
    /// it back once the burst has stopped. A burst of renders leaves ten megabytes or more free inside the
    /// allocator's arenas, which a trim during the burst does not keep (the burst goes on using it) and which
    /// otherwise stayed counted until the next minute's trim.
    public static func freed() { quiet.freed(at: monotonicNanos()) }

    /// Trims when memory was freed (`freed`) and nothing has been freed for half a second; a service asks every
    /// second.
    public static func whenQuiet() {
        if quiet.due(at: monotonicNanos(), quiet: 500_000_000) { now() }
    }

    private static func monotonicNanos() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// glibc's `malloc_trim`, found at run time: Swift's Glibc module does not declare it (nil on another libc).
    private typealias Trim = @convention(c) (Int) -> Int32
    private static let trim: Trim? = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }
}

/// When memory was last freed in bulk and not trimmed since, and whether the freeing has been quiet long enough.
public final class QuietTrigger: Sendable {
    /// 0 when nothing waits.
    private let freedAt = Locked<UInt64>(0)

    public init() {}

    public func freed(at nanos: UInt64) { freedAt.withLock { $0 = max(nanos, 1) } }

    /// True once per freeing, when nothing was freed for `quiet` before `nanos`.
    public func due(at nanos: UInt64, quiet: UInt64) -> Bool {
        freedAt.withLock { freedAt -> Bool in
            guard freedAt != 0, nanos >= freedAt, nanos - freedAt >= quiet else { return false }
            freedAt = 0
            return true
        }
    }
}
