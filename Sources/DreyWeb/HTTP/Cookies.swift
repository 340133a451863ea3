import Foundation
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

    /// Whether the request came over HTTPS, directly or through a proxy that says so.
    var isSecure: Bool {
        headers[.init("X-Forwarded-Proto")!]?.lowercased() == "https" || head.scheme == "https"
    }
}

/// A `Set-Cookie` value with the attributes every Drey cookie carries.
func setCookie(_ name: String, _ value: String, maxAge: Int, secure: Bool) -> String {
    let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? ""
    return "\(name)=\(encoded); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
}
