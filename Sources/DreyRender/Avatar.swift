import Crypto
import DreyCore
import Foundation

/// Gravatar-compatible avatar URLs, computed locally (rendering needs no network).
public enum Avatar {
    public static func url(email: String, size: Int = 48) -> String {
        let normalized = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let digest = Insecure.MD5.hash(data: Data(normalized.utf8))
        let hex = Digits.hex(digest)
        return "https://www.gravatar.com/avatar/\(hex)?s=\(size)&d=identicon&r=g"
    }
}
