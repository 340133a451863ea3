import Foundation
import HTTPTypes
import Hummingbird

extension Request {
    /// The value of cookie `name`, if the browser sent it.
    func cookie(_ name: String) -> String? {
        guard let header = headers[.cookie] else { return nil }
        for part in header.split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces) == name {
                return String(kv[1]).trimmingCharacters(in: .whitespaces).removingPercentEncoding
            }
        }
        return nil
    }

    /// The host the reader asked for: a proxy's `X-Forwarded-Host`, else the request's own authority.
    var requestedHost: String? {
        if let forwarded = headers[.xForwardedHost]?.split(separator: ",").first {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return head.authority
    }

    /// Whether the request came over HTTPS, directly or through a proxy that says so.
    var isSecure: Bool {
        headers[.xForwardedProto]?.lowercased() == "https" || head.scheme == "https"
    }
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
