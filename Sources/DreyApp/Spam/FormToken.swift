import DreyCore
import Foundation

/// The comment form's signed token: which post the form belongs to, when it was shown, and a nonce so each form
/// is accepted once. Every response mints a new one, cached pages included (the `form-token` hole: see `PageHole`), so the time is the
/// reader's own and no two readers share a nonce.
public struct FormToken: Sendable, Equatable {
    public var postID: Int64
    public var shownAt: Date
    public var nonce: String

    public init(postID: Int64, shownAt: Date, nonce: String = FormToken.randomNonce()) {
        self.postID = postID
        self.shownAt = shownAt
        self.nonce = nonce
    }

    /// `comment:POST:MILLISECONDS:NONCE.SIGNATURE`
    public func signed(with signer: Signer) -> String {
        var value = Self.start(postID: postID, shownAt: shownAt)
        value.append(contentsOf: nonce.utf8)
        return signer.sign(bytes: value, purpose: .commentForm)
    }

    /// A new token's signed text, made in bytes (`signed(with:)` of a new token, without the token): one is minted for
    /// every cached post page served, and the strings in between cost more than its HMAC.
    public static func mint(postID: Int64, shownAt: Date, signer: Signer) -> String {
        var value = start(postID: postID, shownAt: shownAt)
        RandomBytes.withBytes(12) { Base64URL.append(raw: $0, to: &value) }
        return signer.sign(bytes: value, purpose: .commentForm)
    }

    /// `comment:POST:MILLISECONDS:`
    private static func start(postID: Int64, shownAt: Date) -> [UInt8] {
        var value: [UInt8] = []
        value.reserveCapacity(64)
        value.append(contentsOf: "comment:".utf8)
        appendDecimal(postID, to: &value)
        value.append(UInt8(ascii: ":"))
        appendDecimal(Int64((shownAt.timeIntervalSince1970 * 1000).rounded()), to: &value)
        value.append(UInt8(ascii: ":"))
        return value
    }

    private static func appendDecimal(_ number: Int64, to bytes: inout [UInt8]) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var n = number.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(n % 10))
            n /= 10
        } while n > 0
        bytes[start...].reverse()
    }

    /// What a submitted token turned out to be.
    public enum Check: Sendable, Equatable {
        case valid(FormToken)
        /// Absent, malformed, or not signed by this site: the form did not come from here.
        case forged
        /// Signed here, but for another post: a harvested token.
        case otherPost
        /// Older than the site allows; carries its age in seconds.
        case expired(TimeInterval)
    }

    /// Verifies a submitted token for `postID` at `now`.
    public static func check(_ raw: String?, postID: Int64, now: Date, maxAge: TimeInterval, signer: Signer) -> Check {
        guard let raw, raw.utf8.count < 300, let value = signer.verify(raw, purpose: .commentForm) else { return .forged }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "comment", let post = Int64(parts[1]), let millis = Int64(parts[2]),
            !parts[3].isEmpty
        else { return .forged }
        guard post == postID else { return .otherPost }
        let token = FormToken(postID: post, shownAt: Date(timeIntervalSince1970: Double(millis) / 1000), nonce: String(parts[3]))
        let age = now.timeIntervalSince(token.shownAt)
        if age > maxAge { return .expired(age) }
        return .valid(token)
    }

    /// 96 random bits, URL-safe: enough that two forms never share a nonce.
    public static func randomNonce() -> String {
        // From the batched pool: this runs on every cached page view (see RandomBytes).
        Base64URL.encode(RandomBytes.take(12))
    }
}
