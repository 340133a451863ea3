import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reading IP addresses well enough to decide whom to trust and whom to count.
enum ClientAddress {
    /// Loopback, private, link-local or unique-local: a reverse proxy on this machine or network.
    static func isLocalOrPrivate(_ text: String) -> Bool {
        if let v4 = ipv4(text) { return isPrivate(v4) }
        guard let v6 = ipv6(text) else { return false }
        if v6[0..<10].allSatisfy({ $0 == 0 }) && v6[10] == 0xFF && v6[11] == 0xFF {  // ::ffff:a.b.c.d
            return isPrivate(Array(v6[12..<16]))
        }
        if v6[0..<15].allSatisfy({ $0 == 0 }) && v6[15] == 1 { return true }  // ::1
        return v6[0] & 0xFE == 0xFC || (v6[0] == 0xFE && v6[1] & 0xC0 == 0x80)  // fc00::/7, fe80::/10
    }

    /// An IPv4 or IPv6 address and nothing else (a forged header may hold anything).
    static func isPlausible(_ text: String) -> Bool { ipv4(text) != nil || ipv6(text) != nil }

    static func isPrivate(_ a: [UInt8]) -> Bool {
        a[0] == 127 || a[0] == 10 || (a[0] == 172 && a[1] & 0xF0 == 16) || (a[0] == 192 && a[1] == 168)
            || (a[0] == 169 && a[1] == 254)
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        var addr = in_addr()
        guard text.utf8.count <= 15, inet_pton(AF_INET, text, &addr) == 1 else { return nil }
        return withUnsafeBytes(of: &addr) { Array($0) }
    }

    static func ipv6(_ text: String) -> [UInt8]? {
        var addr = in6_addr()
        guard text.utf8.count <= 45, inet_pton(AF_INET6, text, &addr) == 1 else { return nil }
        return withUnsafeBytes(of: &addr) { Array($0) }
    }
}
