import DreyApp
import DreyCore
import DreyFetch
import Foundation
import HTTPTypes
import Hummingbird

/// Who sent a request and what they asked for: the one place that reads `X-Forwarded-*` and `Forwarded`,
/// and believes them only from a trusted proxy. Everything else reads the result.
struct RequestOrigin: Sendable, Equatable {
    /// The client's address ("" when unknown), for rate limits and the spam filter.
    var clientIP: String
    /// `http` or `https`, as the client spoke to the first trusted hop.
    var scheme: String
    /// The host (and port) the client asked for.
    var host: String?
    /// The request came from this machine or through a trusted proxy (or in-process, with no peer at all):
    /// its host may fix the site's address on first run.
    var trusted: Bool

    /// Connections' addresses, parsed once each: every request on a keep-alive connection names the same one, and
    /// parsing and printing it showed in a cached page's profile.
    private static let peers = Locked<[String: (address: IPAddress?, text: String)]>([:])

    static func parsedPeer(_ peer: String) -> (address: IPAddress?, text: String) {
        if let known = peers.withLock({ $0[peer] }) { return known }
        let address = IPAddress(peer)
        let parsed = (address: address, text: address?.description ?? peer)
        peers.withLock { peers in
            if peers.count >= 4_096 { peers.removeAll(keepingCapacity: true) }
            peers[peer] = parsed
        }
        return parsed
    }

    static func decide(_ request: Request, peer: String?, proxies: TrustedProxies) -> RequestOrigin {
        let parsedPeer = peer.map(Self.parsedPeer)
        let peerAddress = parsedPeer?.address
        // No peer: the request did not come over a network (tests, or a Unix socket only local processes reach).
        let peerTrusted = peer == nil || peerAddress.map(proxies.trusts) == true
        let directScheme = request.head.scheme?.lowercased() == "https" ? "https" : "http"
        var origin = RequestOrigin(
            clientIP: parsedPeer?.text ?? "", scheme: directScheme, host: request.head.authority, trusted: peerTrusted)
        guard peerTrusted else { return origin }

        let forwarded = request.headers[values: .forwarded].flatMap(Self.forwardedElements)
        let hops: [String]
        if !forwarded.isEmpty {
            hops = forwarded.map { $0["for"] ?? "" }
        } else {
            hops = request.headers[values: .xForwardedFor].flatMap { $0.split(separator: ",") }
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        // From the right, past every trusted proxy: the first address that is not one is the client. Anything
        // further left was written by the client and proves nothing.
        var chosen: Int?
        for i in hops.indices.reversed() {
            guard let address = IPAddress(Self.nodeAddress(hops[i])) else { break }
            origin.clientIP = address.description
            chosen = i
            if !proxies.trusts(address) { break }
        }
        let proto: String?
        let host: String?
        if !forwarded.isEmpty {
            // The element the trusted proxy next to the client wrote describes what the client asked for.
            let element = forwarded[chosen ?? forwarded.count - 1]
            (proto, host) = (element["proto"], element["host"])
        } else {
            // A proxy that appends rather than replaces puts its own value last.
            proto = Self.lastValue(request.headers[values: .xForwardedProto])
            host = Self.lastValue(request.headers[values: .xForwardedHost])
        }
        if let proto = proto?.lowercased(), proto == "http" || proto == "https" { origin.scheme = proto }
        if let host, Self.isHost(host) { origin.host = host }
        return origin
    }

    /// The request as the rest of the app sees it: scheme and authority as decided, forwarded headers gone, so nothing
    /// downstream can read them again (`Request.isSecure`, `Request.requestedHost`).
    func apply(to request: Request) -> Request {
        let names: [HTTPField.Name] = [.forwarded, .xForwardedFor, .xForwardedHost, .xForwardedProto]
        // Most requests reaching a server without a proxy carry none of them: no copy of the head then.
        if request.head.authority == host, (request.head.scheme == "https") == (scheme == "https"),
            !request.headers.contains(where: { names.contains($0.name) })
        {
            return request
        }
        var head = request.head
        head.scheme = scheme
        head.authority = host
        for name in names { head.headerFields[name] = nil }
        return Request(head: head, body: request.body)
    }

    static func lastValue(_ values: [String]) -> String? {
        values.flatMap { $0.split(separator: ",") }.last.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// A host name, IPv4 or bracketed IPv6 literal, with an optional port: nothing a header could smuggle.
    static func isHost(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 260
            && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-:[]".unicodeScalars.contains($0)) }
    }

    /// The address in a `for=` node or an `X-Forwarded-For` entry: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`.
    static func nodeAddress(_ node: String) -> String {
        if node.hasPrefix("[") { return String(node.dropFirst().prefix { $0 != "]" }) }
        if node.filter({ $0 == ":" }).count == 1, let colon = node.firstIndex(of: ":") { return String(node[..<colon]) }
        return node
    }

    /// RFC 7239 elements (`for=…;proto=…;host=…`, comma separated), keys lowercased, quotes removed.
    static func forwardedElements(_ header: String) -> [[String: String]] {
        var elements: [[String: String]] = []
        var current: [String: String] = [:]
        var token = ""
        var key: String?
        var quoted = false
        var escaped = false
        func endPair() {
            let value = token.trimmingCharacters(in: .whitespaces)
            if let k = key?.trimmingCharacters(in: .whitespaces).lowercased(), !k.isEmpty { current[k] = value }
            key = nil
            token = ""
        }
        for ch in header {
            if escaped {
                token.append(ch)
                escaped = false
            } else if quoted {
                if ch == "\\" { escaped = true } else if ch == "\"" { quoted = false } else { token.append(ch) }
            } else if ch == "\"" {
                quoted = true
            } else if ch == "=" && key == nil {
                key = token
                token = ""
            } else if ch == ";" {
                endPair()
            } else if ch == "," {
                endPair()
                elements.append(current)
                current = [:]
            } else {
                token.append(ch)
            }
        }
        endPair()
        elements.append(current)
        return elements.filter { !$0.isEmpty }
    }
}

extension HTTPField.Name {
    static let forwarded = HTTPField.Name("Forwarded")!
}
