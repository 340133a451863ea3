import Foundation

/// A personal part of a page that is otherwise the same for every reader: the comment form's token, "signed in as …",
/// a like button's state. A view writes the hole's marker where the part goes; the page is cached with the marker in
/// it, and every response fills each marker by a small function registered under the hole's name (see the web app's
/// `PageHoles`), so a page that carries something per reader is still served from the cache.
public struct PageHole: Hashable, Sendable {
    /// Lowercase letters and hyphens.
    public let name: String
    /// What the filler needs besides the request (a post's id), or 0.
    public let argument: Int64

    public init(_ name: String, _ argument: Int64 = 0) {
        self.name = name
        self.argument = argument
    }

    /// Letters, digits and underscores only, so that no theme's escaping changes a marker, and random per process,
    /// so that text from outside (a comment, a post) can never open a hole: only this process's renders make them.
    public static let prefix: String = {
        var generator = SystemRandomNumberGenerator()
        let nonce = (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined(separator: "x")
        return "drey_hole_\(nonce)_"
    }()

    /// Where the hole goes in a page: the prefix, the name, the argument, each closed by an underscore.
    public var marker: String { Self.prefix + name + "_" + String(argument) + "_" }

    public static func marker(_ name: String, _ argument: Int64 = 0) -> String { PageHole(name, argument).marker }

    /// The holes of `bytes` in order, each with the range its marker takes.
    public static func find(in bytes: UnsafeRawBufferPointer) -> [(hole: PageHole, range: Range<Int>)] {
        let marker = Array(prefix.utf8)
        let underscore = UInt8(ascii: "_")
        let anchor = marker.firstIndex(of: underscore) ?? 0
        var found: [(PageHole, Range<Int>)] = []
        var i = 0
        let count = bytes.count
        guard let base = bytes.baseAddress else { return [] }
        while i + marker.count <= count {
            // memchr and memcmp: a byte-by-byte loop over every page was a twentieth of an uncached render. Found by
            // the marker's first underscore, which is rare in a page: its first letter, a `d`, is every twentieth
            // byte of English, and stopping at each was most of the search.
            guard let hit = memchr(base + i + anchor, Int32(marker[anchor]), count - marker.count + 1 - i) else { break }
            i = base.distance(to: UnsafeRawPointer(hit)) - anchor
            guard marker.withUnsafeBytes({ memcmp(base + i, $0.baseAddress!, marker.count) }) == 0 else {
                i += 1
                continue
            }
            // name: [a-z-]+ then "_", argument: [0-9]+ then "_"; anything else is not a marker.
            var j = i + marker.count
            let nameStart = j
            while j < count, bytes[j] == UInt8(ascii: "-") || (bytes[j] >= UInt8(ascii: "a") && bytes[j] <= UInt8(ascii: "z")) { j += 1 }
            let nameEnd = j
            guard nameEnd > nameStart, j < count, bytes[j] == underscore else {
                i += 1
                continue
            }
            j += 1
            let digitsStart = j
            var argument: Int64 = 0
            while j < count, bytes[j] >= UInt8(ascii: "0"), bytes[j] <= UInt8(ascii: "9"), j - digitsStart < 18 {
                argument = argument * 10 + Int64(bytes[j] - UInt8(ascii: "0"))
                j += 1
            }
            guard j > digitsStart, j < count, bytes[j] == underscore else {
                i += 1
                continue
            }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)
            found.append((PageHole(name, argument), i..<(j + 1)))
            i = j + 1
        }
        return found
    }
}
