/// Zero-padded numbers and hex without `String(format:)`, which goes through Foundation's formatter on Linux and
/// showed up in the profile of every rendered page (permalinks, avatar hashes).
public enum Digits {
    /// `n` in decimal, left-padded with zeros to `width` digits ("7" → "07"); negative numbers keep their sign.
    public static func padded(_ n: Int, width: Int) -> String {
        let digits = String(n.magnitude)
        let pad = max(0, width - digits.count)
        return (n < 0 ? "-" : "") + String(repeating: "0", count: pad) + digits
    }

    /// Lowercase hexadecimal, two digits a byte.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let alphabet: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(alphabet[Int(b >> 4)])
            out.append(alphabet[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
