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
