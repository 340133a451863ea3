import Crypto
import Foundation
import Synchronization

/// HMAC-SHA256 signatures with a site's secret, for cookies and form tokens that must not be forged.
public struct Signer: Sendable {
    let key: SymmetricKey
    /// HMAC-SHA256 with the key's pads already hashed (`HMACSHA256`): each signature costs two compressions.
    private let keyed: HMACSHA256

    public init(secret: String) {
        let bytes = Array(("drey:" + secret).utf8)
        key = SymmetricKey(data: bytes)
        keyed = HMACSHA256(key: bytes)
    }

    /// The signer for `secret`, made once: building the key on every request showed in the cached page's profile.
    public static func cached(secret: String) -> Signer {
        if let signer = cache.withLock({ $0[secret] }) { return signer }
        let signer = Signer(secret: secret)
        cache.withLock { signers in
            if signers.count >= 256 { signers.removeAll() }  // secrets are per site; this bounds a pathological case
            signers[secret] = signer
        }
        return signer
    }

    private static let cache = Mutex<[String: Signer]>([:])

    /// What a signed value is for. It is folded into the signature, so a value signed for one purpose (a held
    /// comment's cookie) is worthless for another (a protected post's cookie), even when the values look alike.
    public struct Purpose: Sendable, Equatable {
        let name: String

        public static let heldComments = Purpose(name: "held-comments")
        public static let unlockedPosts = Purpose(name: "unlocked-posts")
        public static let commentForm = Purpose(name: "comment-form")
        public static let csrf = Purpose(name: "csrf")
        /// A message shown once after an admin action, valid only in the session it was made for.
        public static func flash(session: String) -> Purpose { Purpose(name: "flash:" + session) }
    }

    public func signature(_ value: String, purpose: Purpose) -> String {
        // A separator no purpose contains, so ("a", "b:c") and ("a:b", "c") sign different bytes.
        var bytes = [UInt8]()
        bytes.reserveCapacity(purpose.name.utf8.count + 1 + value.utf8.count)
        bytes.append(contentsOf: purpose.name.utf8)
        bytes.append(0)
        bytes.append(contentsOf: value.utf8)
        var signature: [UInt8] = []
        signature.reserveCapacity(43)
        bytes.withUnsafeBytes { message in keyed.mac(message) { Base64URL.append(raw: $0, to: &signature) } }
        return String(decoding: signature, as: UTF8.self)
    }

    /// `value.signature`, safe to hand to a browser.
    public func sign(_ value: String, purpose: Purpose) -> String { sign(bytes: Array(value.utf8), purpose: purpose) }

    /// `sign` of a value given as its UTF-8 bytes.
    public func sign(bytes value: [UInt8], purpose: Purpose) -> String {
        var message = [UInt8]()
        message.reserveCapacity(purpose.name.utf8.count + 1 + value.count)
        message.append(contentsOf: purpose.name.utf8)
        message.append(0)
        message.append(contentsOf: value)
        var signed = value
        signed.reserveCapacity(value.count + 44)
        signed.append(UInt8(ascii: "."))
        message.withUnsafeBytes { keyed.mac($0) { Base64URL.append(raw: $0, to: &signed) } }
        return String(decoding: signed, as: UTF8.self)
    }

    /// The value inside a signed string, or nil when the signature does not match this purpose.
    public func verify(_ signed: String, purpose: Purpose) -> String? {
        guard let dot = signed.lastIndex(of: ".") else { return nil }
        let value = String(signed[..<dot])
        let given = Data(signed[signed.index(after: dot)...].utf8)
        let expected = Data(signature(value, purpose: purpose).utf8)
        // Constant-time comparison, so a forger learns nothing from timing.
        guard given.count == expected.count else { return nil }
        var diff: UInt8 = 0
        for (a, b) in zip(given, expected) { diff |= a ^ b }
        return diff == 0 ? value : nil
    }

    /// A fresh random secret for a new site.
    public static func randomSecret() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }
}

extension Data {
    /// Base64url without padding (`Base64URL`).
    var base64URLEncoded: String { withUnsafeBytes { Base64URL.encode(raw: $0) } }
}
