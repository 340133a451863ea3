/// `%XX` decoding of a URL path on its UTF-8 bytes. Foundation's `removingPercentEncoding` goes through CFString on
/// Linux and was the largest single cost of serving a cached page; most paths have no `%` at all.
enum PercentDecoding {
    /// The decoded text; nil for a malformed escape or bytes that are not UTF-8, as Foundation answers.
    static func decode(_ text: String) -> String? {
        let utf8 = text.utf8
        guard utf8.contains(UInt8(ascii: "%")) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = utf8.startIndex
        while i != utf8.endIndex {
            let byte = utf8[i]
            if byte == UInt8(ascii: "%") {
                let h = utf8.index(after: i)
                guard h != utf8.endIndex, let high = FormData.hex(utf8[h]) else { return nil }
                let l = utf8.index(after: h)
                guard l != utf8.endIndex, let low = FormData.hex(utf8[l]) else { return nil }
                out.append(high << 4 | low)
                i = utf8.index(after: l)
            } else {
                out.append(byte)
                i = utf8.index(after: i)
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}
