import Crypto
import DreyCore
import Foundation

/// Gravatar-compatible avatar URLs, computed locally (rendering needs no network).
public enum Avatar {
    public static func url(email: String, size: Int = 48) -> String {
        // Trimmed without Foundation's `trimmingCharacters`, which copies through NSString on Linux (every comment, every render).
        let trimmed = email.firstIndex(where: { !$0.isWhitespace }).map { first in
            String(email[first...email.lastIndex(where: { !$0.isWhitespace })!])
        } ?? ""
        let normalized = trimmed.lowercased()
        let digest = Insecure.MD5.hash(data: Data(normalized.utf8))
        let hex = Digits.hex(digest)
        return "https://www.gravatar.com/avatar/\(hex)?s=\(size)&d=identicon&r=g"
    }
}
