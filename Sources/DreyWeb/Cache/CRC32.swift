/// CRC-32 as gzip uses it, with zlib's `crc32_combine`, so a gzip trailer can be computed for a page whose
/// middle changes per response without reading the unchanged parts again.
enum CRC32 {
    static let polynomial: UInt32 = 0xEDB8_8320

    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? polynomial ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: some Sequence<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        var c = ~crc
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return ~c
    }

    /// The CRC of A followed by B, from the CRCs of A and B and the length of B (zlib's `crc32_combine`).
    static func combine(_ crcA: UInt32, _ crcB: UInt32, lengthB: Int) -> UInt32 {
        multModP(x2nModP(lengthB, 3), crcA) ^ crcB
    }

    /// a × b modulo the CRC polynomial, in the reflected bit order CRC-32 uses; `a` must not be zero.
    static func multModP(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var m: UInt32 = 1 << 31
        var p: UInt32 = 0
        var b = b
        while true {
            if a & m != 0 {
                p ^= b
                if a & (m &- 1) == 0 { break }
            }
            m >>= 1
            b = b & 1 != 0 ? (b >> 1) ^ polynomial : b >> 1
        }
        return p
    }

    /// x^(2^k) modulo the polynomial, for k in 0..<32.
    static let powers: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 32)
        var p: UInt32 = 1 << 30  // x^1
        table[0] = p
        for k in 1..<32 {
            p = multModP(p, p)
            table[k] = p
        }
        return table
    }()

    /// x^(n × 2^k) modulo the polynomial.
    static func x2nModP(_ n: Int, _ k: Int) -> UInt32 {
        var p: UInt32 = 1 << 31  // x^0
        var n = n
        var k = k
        while n != 0 {
            if n & 1 != 0 { p = multModP(powers[k & 31], p) }
            n >>= 1
            k += 1
        }
        return p
    }
}
