import DreyFetch
import Foundation

/// The proxies whose forwarded headers are believed (`drey serve --trusted-proxy`); loopback only by default.
public struct TrustedProxies: Sendable, Equatable {
    public var ranges: [IPRange]

    public init(ranges: [IPRange]) { self.ranges = ranges }

    public static let loopback = TrustedProxies(ranges: [IPRange("127.0.0.0/8")!, IPRange("::1/128")!])

    /// CIDR ranges or single addresses, as an operator types them; the error names the entry that is neither.
    public init(parsing entries: [String]) throws(InvalidEntry) {
        ranges = []
        for entry in entries {
            let text = entry.trimmingCharacters(in: .whitespaces)
            guard let range = IPRange(text) else { throw InvalidEntry(entry: entry) }
            ranges.append(range)
        }
    }

    public struct InvalidEntry: Error, CustomStringConvertible {
        public let entry: String
        public var description: String {
            "'\(entry)' is not an IP address or CIDR range (examples: 10.0.0.0/8, 192.0.2.7, fd00::/8)"
        }
    }

    public func trusts(_ address: IPAddress) -> Bool {
        if ranges.contains(where: { $0.contains(address) }) { return true }
        // A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d.
        let b = address.bytes
        if b.count == 16, b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF, let v4 = IPAddress(bytes: Array(b[12..<16])) {
            return ranges.contains { $0.contains(v4) }
        }
        return false
    }
}
