import DreyCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Host names to addresses, through the system resolver, off the event loops.
public struct Resolver: Sendable {
    /// Replaces the system resolver in tests (a name that must resolve to a private address, say).
    public var override: (@Sendable (String) -> [IPAddress]?)?

    public init(override: (@Sendable (String) -> [IPAddress]?)? = nil) {
        self.override = override
    }

    /// Every address `host` resolves to; a literal address is itself.
    public func resolve(_ host: String) async throws -> [IPAddress] {
        if let literal = IPAddress(host) { return [literal] }
        if let override, let answer = override(host) { return answer }
        return try await BlockingWork.run { try Self.systemLookup(host) }
    }

    static func systemLookup(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        guard status == 0, let first = result else { throw ResolveError(host: host, temporary: status == EAI_AGAIN) }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let sa = info.pointee.ai_addr {
                switch Int32(sa.pointee.sa_family) {
                case AF_INET:
                    let bytes = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                        withUnsafeBytes(of: p.pointee.sin_addr) { Array($0) }
                    }
                    if let a = IPAddress(bytes: bytes), !addresses.contains(a) { addresses.append(a) }
                case AF_INET6:
                    let bytes = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                        withUnsafeBytes(of: p.pointee.sin6_addr) { Array($0) }
                    }
                    if let a = IPAddress(bytes: bytes), !addresses.contains(a) { addresses.append(a) }
                default:
                    break
                }
            }
            cursor = info.pointee.ai_next
        }
        if addresses.isEmpty { throw ResolveError(host: host, temporary: false) }
        return addresses
    }

    struct ResolveError: Error {
        let host: String
        /// The resolver could not answer now (EAI_AGAIN), as opposed to "no such host".
        let temporary: Bool
    }
}
