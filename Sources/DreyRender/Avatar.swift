import Crypto
import DreyCore
import Foundation

/// Faces for commenters: made by the blog itself by default (`identicon`), or Gravatar's when the owner chooses it.
public enum Avatar {
    /// The name of a person's local face: a keyed hash of their email, so the address cannot be guessed back from it
    /// (an MD5 of an email, as Gravatar uses, can be), and the same face on every page of the site.
    public static func localKey(email: String, secret: String) -> String {
        // Remembered: a thread of comments asks for one per comment on every render, and an HMAC each showed in its profile.
        let memoKey = secret + "\u{0}" + email
        if let known = keys.withLock({ $0[memoKey] }) { return known }
        let normalized = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let mac = HMAC<SHA256>.authenticationCode(for: Data(("face:" + normalized).utf8), using: SymmetricKey(data: Data(secret.utf8)))
        let key = String(Digits.hex(mac).prefix(32))
        keys.withLock { known in
            if known.count >= 4_096 { known.removeAll() }  // a thread's faces, not every commenter of the blog
            known[memoKey] = key
        }
        return key
    }

    private static let keys = Locked([String: String]())

    /// True for what `localKey` makes: 32 lowercase hex digits.
    public static func isLocalKey(_ key: String) -> Bool {
        key.utf8.count == 32 && key.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// A symmetric 5×5 pattern in one colour, drawn from the key alone: deterministic, small, and made of nothing a
    /// visitor typed (the key is checked to be hex before it gets here).
    public static func identicon(key: String) -> String {
        let bytes = stride(from: 0, to: 32, by: 2).map { i -> UInt8 in
            let start = key.utf8.index(key.utf8.startIndex, offsetBy: i)
            return UInt8(String(key[start..<key.utf8.index(start, offsetBy: 2)]), radix: 16) ?? 0
        }
        let hue = (Int(bytes[0]) << 8 | Int(bytes[1])) % 360
        let colour = "hsl(\(hue),55%,45%)"
        var cells = ""
        for row in 0..<5 {
            for column in 0..<3 {
                let bit = row * 3 + column
                guard bytes[2 + bit / 8] >> (bit % 8) & 1 == 1 else { continue }
                for x in (column == 2 ? [2] : [column, 4 - column]) {
                    cells += "<rect x=\"\(x * 16 + 8)\" y=\"\(row * 16 + 8)\" width=\"16\" height=\"16\"/>"
                }
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 96 96\" width=\"96\" height=\"96\">"
            + "<rect width=\"96\" height=\"96\" fill=\"#f0f0f0\"/><g fill=\"\(colour)\">\(cells)</g></svg>"
    }

    public static func url(email: String, size: Int = 48) -> String {
        // Trimmed without Foundation's `trimmingCharacters`, which copies through NSString on Linux (every comment, every render).
        let trimmed =
            email.firstIndex(where: { !$0.isWhitespace }).map { first in
                String(email[first...email.lastIndex(where: { !$0.isWhitespace })!])
            } ?? ""
        let normalized = trimmed.lowercased()
        let digest = Insecure.MD5.hash(data: Data(normalized.utf8))
        let hex = Digits.hex(digest)
        return "https://www.gravatar.com/avatar/\(hex)?s=\(size)&d=identicon&r=g"
    }
}
