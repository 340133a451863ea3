import Foundation

/// Byte searches for the WordPress markup passes. Foundation's `contains` and `range(of:)` go
/// through NSString on Linux and cost more than the rest of rendering; most posts contain none of
/// what these passes look for, so a byte search first avoids almost all of that work.
package enum FastText {
    package static func contains(_ text: String, _ needle: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            let count = needle.utf8CodeUnitCount
            guard var cursor = bytes.baseAddress, count > 0, bytes.count >= count else { return count == 0 }
            let end = cursor + (bytes.count - count + 1)
            let first = Int32(needle.utf8Start[0])
            while cursor < end {
                guard let hit = memchr(cursor, first, end - cursor) else { return false }
                let candidate = hit.assumingMemoryBound(to: UInt8.self)
                if memcmp(candidate, needle.utf8Start, count) == 0 { return true }
                cursor = UnsafePointer(candidate + 1)
            }
            return false
        }
    }

    /// Whether some line of `text` is nothing but an http(s) URL, the shape auto-embedding wants.
    static func hasURLLine(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                var start = index
                while start < bytes.count && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                if end - start > 8 && bytes[start] == UInt8(ascii: "h") && bytes[start + 1] == UInt8(ascii: "t"),
                    bytes[start..<end].firstIndex(where: { $0 == 0x3C || $0 == 0x3E || $0 == 0x22 }) == nil
                {
                    var last = end
                    while last > start && (bytes[last - 1] <= 0x20) { last -= 1 }
                    if bytes[start..<last].firstIndex(where: { $0 <= 0x20 }) == nil { return true }
                }
                index = end + 1
            }
            return false
        }
    }
}
