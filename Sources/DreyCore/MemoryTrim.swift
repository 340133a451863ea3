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
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nanos = UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
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

    /// glibc's `malloc_trim`, found at run time: Swift's Glibc module does not declare it (nil on another libc).
    private typealias Trim = @convention(c) (Int) -> Int32
    private static let trim: Trim? = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }
}
