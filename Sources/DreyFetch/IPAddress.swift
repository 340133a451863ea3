import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as bytes, so ranges are checked on numbers, never on spellings.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses a literal such as `127.0.0.1`, `::1` or `[::ffff:10.0.0.1]` (brackets and a zone are dropped).
    public init?(_ text: String) {
        var literal = text
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        if let percent = literal.firstIndex(of: "%") { literal = String(literal[..<percent]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    public var isIPv4: Bool { bytes.count == 4 }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        var copy = bytes
        let family = isIPv4 ? AF_INET : AF_INET6
        let ok = copy.withUnsafeMutableBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The IPv4 address an IPv6 address carries (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`,
    /// NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`), to be judged as that IPv4 address.
    public var embeddedIPv4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        let head = Array(bytes[0..<12])
        if head == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] { return IPAddress(bytes: Array(bytes[12..<16])) }
        if head == [UInt8](repeating: 0, count: 12), bytes[12..<16] != [0, 0, 0, 0], bytes[12..<16] != [0, 0, 0, 1] {
            return IPAddress(bytes: Array(bytes[12..<16]))
        }
        if head == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return IPAddress(bytes: Array(bytes[12..<16])) }
        if bytes[0] == 0x20, bytes[1] == 0x02 { return IPAddress(bytes: Array(bytes[2..<6])) }
        return nil
    }
}

/// A range of addresses in CIDR notation (`10.0.0.0/8`, `fc00::/7`); a bare address is a range of one.
public struct IPRange: Sendable, Hashable, CustomStringConvertible {
    public let network: IPAddress
    public let prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let address = parts.first.flatMap(IPAddress.init) else { return nil }
        let bits = address.bytes.count * 8
        let prefix = parts.count == 2 ? Int(parts[1]) : bits
        guard let prefix, (0...bits).contains(prefix) else { return nil }
        self.network = address
        self.prefix = prefix
    }

    public func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefix
        for (a, n) in zip(address.bytes, network.bytes) {
            if remaining <= 0 { return true }
            let take = min(8, remaining)
            let mask: UInt8 = take == 8 ? 0xFF : ~(UInt8(0xFF) >> UInt8(take))
            if a & mask != n & mask { return false }
            remaining -= take
        }
        return true
    }

    public var description: String { "\(network)/\(prefix)" }
}

/// Which addresses an outbound fetch may reach: public ones, plus what the operator allowed.
public enum AddressPolicy {
    /// Ranges inside the network or not meant for hosts: loopback, private, shared (CGNAT), link-local,
    /// multicast, unspecified, broadcast, documentation, benchmarking and reserved space.
    static let refusedV4: [IPRange] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
    ].compactMap(IPRange.init)

    static let refusedV6: [IPRange] = [
        "::/128", "::1/128", "::/96", "100::/64", "2001::/32", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10",
        "ff00::/8", "::ffff:0:0/96", "64:ff9b::/96", "2002::/16",
    ].compactMap(IPRange.init)

    /// Whether `address` is a public unicast address (an IPv6 form carrying an IPv4 address is judged by it).
    public static func isPublic(_ address: IPAddress) -> Bool {
        if address.isIPv4 { return !refusedV4.contains { $0.contains(address) } }
        if let inner = address.embeddedIPv4 { return isPublic(inner) }
        return !refusedV6.contains { $0.contains(address) }
    }
}

/// Hosts and ranges an operator lets the fetcher reach although they are inside the network.
public struct FetchAllowList: Sendable, Equatable {
    public private(set) var hosts: Set<String> = []
    public private(set) var ranges: [IPRange] = []

    public init(_ entries: [String] = []) {
        for entry in entries { add(entry) }
    }

    /// Entries from a setting or flags: host names, addresses or CIDR ranges, separated by commas or spaces.
    public static func parse(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }

    /// The reason an entry is not a host, address or range, or nil when it is one.
    public static func problem(with entry: String) -> String? {
        if IPRange(entry) != nil { return nil }
        let host = entry.lowercased()
        let ok =
            !host.isEmpty && host.count <= 253 && !host.contains("/")
            && host.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
        return ok ? nil : "'\(entry)' is neither a host name, an IP address nor a CIDR range"
    }

    public mutating func add(_ entry: String) {
        let trimmed = entry.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return }
        if let range = IPRange(trimmed) {
            ranges.append(range)
        } else {
            hosts.insert(trimmed.lowercased())
        }
    }

    public func merging(_ entries: [String]) -> FetchAllowList {
        var copy = self
        for entry in entries { copy.add(entry) }
        return copy
    }

    public func allows(host: String, address: IPAddress) -> Bool {
        hosts.contains(host.lowercased()) || ranges.contains { $0.contains(address) }
    }
}
