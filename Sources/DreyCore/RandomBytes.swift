#if canImport(Glibc)
import Glibc
#endif

/// Random bytes from the kernel's generator, read 4 KB at a time: a form token's nonce and a request id are drawn
/// on every cached page, and a system call for each (the standard generator asks for 8 bytes a call) showed in its
/// profile. The bytes are the kernel's, unchanged; only the asking is batched.
public enum RandomBytes {
    private struct Pool {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var used = 4096
    }

    private static let pool = Locked(Pool())

    /// `count` random bytes (at most 4,096).
    public static func take(_ count: Int) -> [UInt8] {
        withBytes(count) { Array($0) }
    }

    /// `count` random bytes (at most 4,096), lent to `body` without making an array of them.
    public static func withBytes<T>(_ count: Int, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        precondition(count <= 4096)
        return pool.withLock { p in
            if p.used + count > p.bytes.count {
                refill(&p.bytes)
                p.used = 0
            }
            defer { p.used += count }
            return p.bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[p.used..<(p.used + count)])) }
        }
    }

    /// The kernel's generator, opened once (no `getrandom` wrapper reaches Swift here; `/dev/urandom` is the same source).
    private static let urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC)

    private static func refill(_ bytes: inout [UInt8]) {
        var filled = 0
        bytes.withUnsafeMutableBytes { buffer in
            while filled < buffer.count {
                let n = urandom >= 0 ? read(urandom, buffer.baseAddress! + filled, buffer.count - filled) : -1
                if n > 0 {
                    filled += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    // Unreadable: the standard generator, 8 bytes a call.
                    var rng = SystemRandomNumberGenerator()
                    for i in filled..<buffer.count { buffer[i] = rng.next() }
                    filled = buffer.count
                }
            }
        }
    }
}
