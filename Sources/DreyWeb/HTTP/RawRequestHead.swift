import HTTPTypes
import NIOCore

/// A request head read straight from a connection's bytes, for `RawPageFront` (decision 0029): only the plain,
/// common form of a bodiless `GET` or `HEAD` is taken; every other request is handed, byte for byte, to NIO's
/// HTTP/1 decoder, which reads everything else as before.
///
/// The grammar taken is a strict subset of RFC 9112, so that where this reader says a head ends NIO's decoder says
/// the same:
/// - request line `GET|HEAD SP origin-form SP HTTP/1.1 CRLF`, the target of visible ASCII and starting with `/`;
/// - field lines `token ":" OWS value CRLF`, values of visible ASCII, space and tab, not ending in whitespace;
/// - lines end in CRLF only; no folded lines, no NUL or other control bytes;
/// - exactly one `Host`; no `Content-Length`, `Transfer-Encoding`, `Upgrade`, `Expect`, `TE`, `Proxy-Connection`, or
///   `Connection` other than `keep-alive`.
struct RawRequestHead {
    let method: HTTPRequest.Method
    let target: String
    let host: String
    let fields: HTTPFields

    /// What the reader made of the bytes at the front of a buffer.
    enum Reading {
        /// No end of the head yet.
        case incomplete
        /// A head in the subset; it took `length` bytes.
        case head(RawRequestHead, length: Int)
        /// Anything else. From here on the connection's bytes go to NIO's decoder.
        case other
    }

    /// The longest head waited for; a longer one goes to NIO's decoder, whose limits apply.
    static let maxLength = 16 * 1024
    static let maxFields = 64

    static func read(_ buffer: ByteBuffer) -> Reading {
        buffer.withUnsafeReadableBytes { read($0) }
    }

    /// Whether the bytes of `buffer` from `from` on may decide what its head is: an empty line (its end, also as bare
    /// line feeds, which the reader refuses), or a byte no head in the subset has (a control byte, a byte outside
    /// ASCII), which NIO's decoder may refuse at once. A head arriving in pieces is searched in each new piece only,
    /// and read once this says so (`RawPageFront`): a slow sender costs linear time, as with NIO's decoder.
    static func mayDecide(_ buffer: ByteBuffer, from: Int) -> Bool {
        buffer.withUnsafeReadableBytes { bytes in
            var i = max(0, from - 2)
            while i < bytes.count {
                let byte = bytes[i]
                if byte == 10 {
                    if i + 1 < bytes.count, bytes[i + 1] == 10 { return true }
                    if i + 2 < bytes.count, bytes[i + 1] == 13, bytes[i + 2] == 10 { return true }
                } else if (byte < 0x20 && byte != 9 && byte != 13) || byte >= 0x7F {
                    return true
                }
                i += 1
            }
            return false
        }
    }

    static func read(_ bytes: UnsafeRawBufferPointer) -> Reading {
        let count = bytes.count
        // The method comes first: anything but GET and HEAD is not waited for.
        let method: HTTPRequest.Method
        var i: Int
        if startsWith(bytes, "GET ") {
            method = .get
            i = 4
        } else if startsWith(bytes, "HEAD ") {
            method = .head
            i = 5
        } else {
            return mayBecome(bytes, "GET ") || mayBecome(bytes, "HEAD ") ? .incomplete : .other
        }
        // Request target: origin form, visible ASCII.
        let targetStart = i
        guard i < count else { return .incomplete }
        guard bytes[i] == UInt8(ascii: "/") else { return .other }
        while i < count, bytes[i] != UInt8(ascii: " ") {
            guard isVisible(bytes[i]) else { return .other }
            i += 1
        }
        guard i < count else { return count > maxLength ? .other : .incomplete }
        let targetEnd = i
        i += 1
        let version = "HTTP/1.1\r\n"
        let available = min(count - i, version.utf8.count)
        guard zip(bytes[i..<(i + available)], version.utf8).allSatisfy({ $0 == $1 }) else { return .other }
        guard available == version.utf8.count else { return .incomplete }
        i += available

        var fields = HTTPFields()
        var host: String?
        while true {
            guard i < count else { return count > maxLength ? .other : .incomplete }
            if bytes[i] == UInt8(ascii: "\r") {
                guard i + 1 < count else { return .incomplete }
                guard bytes[i + 1] == UInt8(ascii: "\n") else { return .other }
                i += 2
                break
            }
            // Field name: one or more token characters up to the colon (no space before it, no folding).
            let nameStart = i
            while i < count, bytes[i] != UInt8(ascii: ":") {
                guard isToken(bytes[i]) else { return .other }
                i += 1
            }
            guard i < count else { return count > maxLength ? .other : .incomplete }
            let nameEnd = i
            guard nameEnd > nameStart else { return .other }
            i += 1
            while i < count, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") { i += 1 }
            let valueStart = i
            while i < count, bytes[i] != UInt8(ascii: "\r") {
                guard isVisible(bytes[i]) || bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") else { return .other }
                i += 1
            }
            guard i + 1 < count else { return count > maxLength ? .other : .incomplete }
            guard bytes[i + 1] == UInt8(ascii: "\n") else { return .other }
            // Whitespace before the line's end is left to NIO's decoder, which keeps it in the value.
            let valueEnd = i
            if valueEnd > valueStart, bytes[valueEnd - 1] == UInt8(ascii: " ") || bytes[valueEnd - 1] == UInt8(ascii: "\t") { return .other }
            i += 2
            guard fields.count < maxFields else { return .other }
            let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd])
            let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self)
            let name: HTTPField.Name
            switch known(nameBytes) {
            case .refused: return .other
            case .host:
                guard host == nil else { return .other }
                host = value
                name = hostName
            case .connection:
                // Keep-alive is what HTTP/1.1 means anyway; `close` and `upgrade` are for NIO's decoder.
                guard equalsIgnoringCase(value.utf8, "keep-alive") else { return .other }
                name = .connection
            case .name(let knownName): name = knownName
            case nil:
                guard let made = HTTPField.Name(String(decoding: nameBytes, as: UTF8.self)) else { return .other }
                name = made
            }
            fields.append(HTTPField(name: name, value: value))
        }
        guard let host, i <= maxLength else { return .other }
        let target = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[targetStart..<targetEnd]), as: UTF8.self)
        return .head(RawRequestHead(method: method, target: target, host: host, fields: fields), length: i)
    }

    private static let hostName = HTTPField.Name("Host")!

    private enum Known {
        case host, connection, refused
        case name(HTTPField.Name)
    }

    /// The names read on every request, matched without making a string; those that mean a body or another protocol
    /// are refused.
    private static let knownNames: [(bytes: [UInt8], known: Known)] = {
        // llhttp reads `Proxy-Connection` as `Connection` (a `close` there ends the connection for NIO's decoder).
        let refused = ["content-length", "transfer-encoding", "upgrade", "expect", "te", "proxy-connection"]
        let common: [HTTPField.Name] = [
            .cookie, .accept, .acceptEncoding, .acceptLanguage, .userAgent, .referer, .ifNoneMatch, .ifModifiedSince, .cacheControl,
        ]
        let others = [
            "Pragma", "Upgrade-Insecure-Requests", "Sec-Fetch-Dest", "Sec-Fetch-Mode", "Sec-Fetch-Site", "Sec-Fetch-User", "DNT", "Priority",
        ].compactMap { HTTPField.Name($0) }
        var names: [(bytes: [UInt8], known: Known)] = [(Array("host".utf8), .host), (Array("connection".utf8), .connection)]
        names += refused.map { (Array($0.utf8), Known.refused) }
        names += (common + others).map { (Array($0.canonicalName.utf8), Known.name($0)) }
        return names
    }()

    private static func known(_ name: UnsafeRawBufferPointer) -> Known? {
        for entry in knownNames where entry.bytes.count == name.count {
            if equalsIgnoringCase(name, entry.bytes) { return entry.known }
        }
        return nil
    }

    private static func equalsIgnoringCase<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ lowercased: B) -> Bool {
        a.count == lowercased.count && zip(a, lowercased).allSatisfy { ($0 | 0x20) == $1 || $0 == $1 }
    }

    private static func equalsIgnoringCase<A: Collection<UInt8>>(_ a: A, _ lowercased: String) -> Bool {
        equalsIgnoringCase(a, Array(lowercased.utf8))
    }

    private static func startsWith(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        let n = min(bytes.count, prefix.utf8CodeUnitCount)
        let p = prefix.utf8Start
        for k in 0..<n where bytes[k] != p[k] { return false }
        return n == prefix.utf8CodeUnitCount
    }

    /// Whether `bytes` are the start of `prefix`, short of its end.
    private static func mayBecome(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        guard bytes.count < prefix.utf8CodeUnitCount else { return false }
        let p = prefix.utf8Start
        for k in 0..<bytes.count where bytes[k] != p[k] { return false }
        return true
    }

    /// VCHAR: `!` to `~`.
    private static func isVisible(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    /// RFC 9110 `tchar`.
    private static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
