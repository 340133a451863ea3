import Foundation
import HTTPTypes
import Hummingbird

extension Request {
    /// The value of cookie `name`, if the browser sent it.
    func cookie(_ name: String) -> String? {
        guard let header = headers[.cookie] else { return nil }
        // Read on every page a signed-in reader asks for, cached ones too: bytes, and Foundation only for a value that
        // is percent-encoded (Drey's own are not).
        let bytes = Array(header.utf8)
        let wanted = Array(name.utf8)
        var found: String?
        Self.eachCookie(bytes) { key, value in
            guard bytes[key].elementsEqual(wanted) else { return false }
            let text = String(decoding: bytes[value], as: UTF8.self)
            found = bytes[value].contains(UInt8(ascii: "%")) ? text.removingPercentEncoding : text
            return true
        }
        return found
    }

    /// Whether the browser sent a cookie by one of `names` (with any value).
    func hasCookie(named names: [String]) -> Bool {
        guard let header = headers[.cookie] else { return false }
        let bytes = Array(header.utf8)
        var found = false
        Self.eachCookie(bytes) { key, _ in
            found = names.contains { $0.utf8.elementsEqual(bytes[key]) }
            return found
        }
        return found
    }

    /// Calls `body` with the name's and the value's ranges of each `name=value` pair of a `Cookie` header, spaces
    /// around them left out, until it returns true.
    private static func eachCookie(_ bytes: [UInt8], _ body: (Range<Int>, Range<Int>) -> Bool) {
        var i = 0
        while i < bytes.count {
            while i < bytes.count && (bytes[i] == 0x20 || bytes[i] == 0x09) { i += 1 }
            let start = i
            while i < bytes.count && bytes[i] != UInt8(ascii: ";") { i += 1 }
            var end = i
            i += 1
            while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
            guard let equals = bytes[start..<end].firstIndex(of: UInt8(ascii: "=")) else { continue }
            var keyEnd = equals
            while keyEnd > start && (bytes[keyEnd - 1] == 0x20 || bytes[keyEnd - 1] == 0x09) { keyEnd -= 1 }
            var valueStart = equals + 1
            while valueStart < end && (bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09) { valueStart += 1 }
            if body(start..<keyEnd, valueStart..<end) { return }
        }
    }

    /// The host the reader asked for, as `RequestOrigin` decided it (a trusted proxy's word, else the request's own).
    var requestedHost: String? { head.authority }

    /// Whether the reader came over HTTPS, as `RequestOrigin` decided it.
    var isSecure: Bool { head.scheme == "https" }
}

extension HTTPField.Name {
    public static let xForwardedHost = HTTPField.Name("X-Forwarded-Host")!
    public static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    public static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}

/// A `Set-Cookie` value with the attributes every Drey cookie carries.
func setCookie(_ name: String, _ value: String, maxAge: Int, secure: Bool) -> String {
    let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? ""
    return "\(name)=\(encoded); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
}
