import Foundation

/// An `application/x-www-form-urlencoded` body or query string, decoded.
public struct FormData: Sendable {
    public private(set) var fields: [String: String] = [:]
    /// Every value in order, for fields sent more than once (`ids[]=1&ids[]=2`).
    public private(set) var pairs: [(String, String)] = []

    public enum ParseError: Error, Equatable { case invalidUTF8, malformed }

    public init(fields: [String: String]) {
        self.fields = fields
        self.pairs = fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Decodes `body`; invalid UTF-8 or broken percent-escapes are errors, never silently dropped text.
    public init(urlEncoded bytes: [UInt8]) throws(ParseError) {
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let key = try Self.decode(parts[0])
            let value = parts.count > 1 ? try Self.decode(parts[1]) : ""
            // The first occurrence wins, so a later duplicate cannot override a checked field.
            if fields[key] == nil { fields[key] = value }
            pairs.append((key, value))
        }
    }

    public init(query: String) {
        self.fields = (try? FormData(urlEncoded: Array(query.utf8)))?.fields ?? [:]
    }

    public subscript(_ key: String) -> String? { fields[key] }

    public func all(_ key: String) -> [String] { pairs.filter { $0.0 == key }.map(\.1) }

    static func decode(_ bytes: ArraySlice<UInt8>) throws(ParseError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex,
                    let hi = hex(bytes[i + 1]), let lo = hex(bytes[i + 2])
                else { throw .malformed }
                out.append(hi << 4 | lo)
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw .invalidUTF8 }
        return s
    }

    static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
