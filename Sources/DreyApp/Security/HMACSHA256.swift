import CDreyHash
import Crypto

/// HMAC-SHA256 (RFC 2104, FIPS 180-4) for the short values Drey signs — a form token on every cached post page, the
/// cookies read on every request — with the key's two pads hashed once. swift-crypto's `HMAC` computes the same
/// bytes, but its generic update and finalize cost several times the two compressions a 50-byte value needs, and
/// that was a tenth of a cached page's CPU. Tests check it against swift-crypto and RFC 4231's vectors.
struct HMACSHA256: Sendable {
    private let inner: SIMD8<UInt32>
    private let outer: SIMD8<UInt32>

    init(key: [UInt8]) {
        // A key longer than a block is hashed first (RFC 2104).
        var block = key.count > 64 ? Array(SHA256.hash(data: key)) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var state = Self.initial
        block.withUnsafeBytes { Self.compress(&state, $0.map { $0 ^ 0x36 }) }
        inner = state
        state = Self.initial
        block.withUnsafeBytes { Self.compress(&state, $0.map { $0 ^ 0x5c }) }
        outer = state
    }

    /// The 32-byte MAC of `message`, handed to `body`.
    func mac<T>(_ message: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        var state = inner
        Self.finish(&state, message, lengthBefore: 64)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            Self.write(state, to: digest)
            Self.finish(&state, UnsafeRawBufferPointer(digest), lengthBefore: 64, from: outer)
            Self.write(state, to: digest)
            return body(UnsafeRawBufferPointer(digest))
        }
    }

    /// Hashes `message` to its end (with SHA-256's padding) after `lengthBefore` bytes already in `state`.
    private static func finish(_ state: inout SIMD8<UInt32>, _ message: UnsafeRawBufferPointer, lengthBefore: Int, from start: SIMD8<UInt32>? = nil) {
        if let start { state = start }
        var offset = 0
        while message.count - offset >= 64 {
            compress(&state, UnsafeRawBufferPointer(rebasing: message[offset..<(offset + 64)]))
            offset += 64
        }
        let rest = message.count - offset
        let bits = UInt64(lengthBefore + message.count) * 8
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { tail in
            tail.initialize(repeating: 0)
            for k in 0..<rest { tail[k] = message[offset + k] }
            tail[rest] = 0x80
            let blocks = rest + 9 <= 64 ? 1 : 2
            let end = blocks * 64
            for k in 0..<8 { tail[end - 1 - k] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k))) }
            let raw = UnsafeRawBufferPointer(tail)
            compress(&state, UnsafeRawBufferPointer(rebasing: raw[0..<64]))
            if blocks == 2 { compress(&state, UnsafeRawBufferPointer(rebasing: raw[64..<128])) }
        }
    }

    private static func write(_ state: SIMD8<UInt32>, to digest: UnsafeMutableBufferPointer<UInt8>) {
        for i in 0..<8 {
            let word = state[i]
            digest[4 * i] = UInt8(truncatingIfNeeded: word >> 24)
            digest[4 * i + 1] = UInt8(truncatingIfNeeded: word >> 16)
            digest[4 * i + 2] = UInt8(truncatingIfNeeded: word >> 8)
            digest[4 * i + 3] = UInt8(truncatingIfNeeded: word)
        }
    }

    private static func compress(_ state: inout SIMD8<UInt32>, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { compress(&state, $0) }
    }

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }

    /// Whether the CPU's SHA instructions compress (x86-64 SHA-NI), five to ten times faster than the Swift below.
    static let usesInstructions = drey_sha256_has_instructions() != 0

    /// One 64-byte block (FIPS 180-4, 6.2.2).
    private static func compress(_ state: inout SIMD8<UInt32>, _ block: UnsafeRawBufferPointer) {
        if usesInstructions { instructionCompress(&state, block) } else { portableCompress(&state, block) }
    }

    /// The compression by the CPU's SHA instructions; only where `usesInstructions`.
    static func instructionCompress(_ state: inout SIMD8<UInt32>, _ block: UnsafeRawBufferPointer) {
        precondition(block.count == 64)
        withUnsafeMutableBytes(of: &state) { words in
            drey_sha256_compress(words.baseAddress!.assumingMemoryBound(to: UInt32.self), block.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// The same compression in Swift, for CPUs without the instructions (and tested against them).
    static func portableCompress(_ state: inout SIMD8<UInt32>, _ block: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for t in 0..<16 {
                w[t] =
                    UInt32(block[4 * t]) << 24 | UInt32(block[4 * t + 1]) << 16 | UInt32(block[4 * t + 2]) << 8 | UInt32(block[4 * t + 3])
            }
            for t in 16..<64 {
                let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, h) = (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7])
            let k = roundConstants
            for t in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let choose = (e & f) ^ (~e & g)
                let t1 = h &+ s1 &+ choose &+ k[t] &+ w[t]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let majority = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ majority
                h = g
                g = f
                f = e
                e = d &+ t1
                d = c
                c = b
                b = a
                a = t1 &+ t2
            }
            state &+= SIMD8(a, b, c, d, e, f, g, h)
        }
    }

    private static let initial = SIMD8<UInt32>(
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19)

    /// FIPS 180-4, 4.2.2, from the C table both compressions use.
    nonisolated(unsafe) private static let roundConstants = UnsafeBufferPointer(start: drey_sha256_round_constants(), count: 64)
}
