import Foundation

/// libvips 8.14's WebP saver writes an EXIF chunk even with `strip` (it rebuilds one from the resolution),
/// so EXIF and XMP chunks are cut from the RIFF container after encoding, and the VP8X header's flags for
/// them cleared.
enum WebPChunks {
    static func removingMetadata(_ data: Data) -> Data {
        let bytes = [UInt8](data)
        guard bytes.count >= 12, bytes[0..<4] == [0x52, 0x49, 0x46, 0x46], bytes[8..<12] == [0x57, 0x45, 0x42, 0x50] else { return data }
        var out: [UInt8] = Array(bytes[0..<12])
        var i = 12
        var removed = false
        while i + 8 <= bytes.count {
            let tag = String(decoding: bytes[i..<i + 4], as: UTF8.self)
            let size = Int(bytes[i + 4]) | Int(bytes[i + 5]) << 8 | Int(bytes[i + 6]) << 16 | Int(bytes[i + 7]) << 24
            let end = i + 8 + size + (size & 1)
            guard end <= bytes.count else { return data }
            if tag == "EXIF" || tag == "XMP " {
                removed = true
            } else {
                var chunk = Array(bytes[i..<end])
                // VP8X flags: bit 3 EXIF, bit 2 XMP.
                if tag == "VP8X", chunk.count > 8 { chunk[8] &= ~UInt8(0x0C) }
                out += chunk
            }
            i = end
        }
        guard removed, i == bytes.count else { return data }
        let riff = UInt32(out.count - 8)
        out[4] = UInt8(riff & 0xFF)
        out[5] = UInt8((riff >> 8) & 0xFF)
        out[6] = UInt8((riff >> 16) & 0xFF)
        out[7] = UInt8((riff >> 24) & 0xFF)
        return Data(out)
    }
}
