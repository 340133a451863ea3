import Foundation

/// WordPress's discussion rules (`wp_allow_comment`/`check_comment`), deciding a new comment's status.
public struct CommentPolicy: Sendable {
    public var manualApproval: Bool
    public var requirePreviouslyApproved: Bool
    public var maxLinks: Int
    public var moderationKeys: [String]
    public var disallowedKeys: [String]

    public init(settings: SiteSettings) {
        manualApproval = settings.commentModeration
        requirePreviouslyApproved = settings.commentPreviouslyApproved
        maxLinks = settings.commentMaxLinks
        moderationKeys = settings.moderationKeys
        disallowedKeys = settings.disallowedKeys
    }

    /// What the policy sees of a comment.
    public struct Candidate: Sendable {
        public var authorName: String
        public var email: String
        public var url: String
        public var ip: String
        public var userAgent: String
        public var text: String
        /// Staff who may moderate are trusted outright, as in WordPress.
        public var byModerator: Bool
        public var hasPreviouslyApproved: Bool

        public init(
            authorName: String, email: String, url: String, ip: String, userAgent: String, text: String,
            byModerator: Bool = false, hasPreviouslyApproved: Bool = false
        ) {
            self.authorName = authorName
            self.email = email
            self.url = url
            self.ip = ip
            self.userAgent = userAgent
            self.text = text
            self.byModerator = byModerator
            self.hasPreviouslyApproved = hasPreviouslyApproved
        }
    }

    public struct Verdict: Sendable, Equatable {
        public var status: CommentStatus
        /// Short reasons for moderators, e.g. "held: 3 links".
        public var reasons: [String]
    }

    public func decide(_ c: Candidate) -> Verdict {
        if c.byModerator { return Verdict(status: .approved, reasons: []) }
        let fields = [c.authorName, c.email, c.url, c.text, c.ip, c.userAgent]
        if let word = Self.firstMatch(disallowedKeys, in: fields) {
            // WordPress sends disallowed comments to the trash while trash is enabled.
            return Verdict(status: .trash, reasons: ["disallowed word '\(word)'"])
        }
        var reasons: [String] = []
        if manualApproval { reasons.append("held: manual approval is on") }
        let links = Self.linkCount(c.text)
        // WordPress holds at N or more links ("Hold a comment … if it contains 2 or more links").
        if maxLinks > 0 && links >= maxLinks { reasons.append("held: \(links) links") }
        if let word = Self.firstMatch(moderationKeys, in: fields) { reasons.append("held: moderation word '\(word)'") }
        if reasons.isEmpty && requirePreviouslyApproved && !c.hasPreviouslyApproved {
            reasons.append("held: first comment from this author")
        }
        return Verdict(status: reasons.isEmpty ? .approved : .pending, reasons: reasons)
    }

    /// Counts links the way WordPress does: every `http://` or `https://`, in any letter case.
    /// Byte by byte rather than through Foundation, so a comment of thousands of links costs microseconds.
    public static func linkCount(_ text: String) -> Int {
        func packed(_ s: StaticString) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<s.utf8CodeUnitCount { v = v << 8 | UInt64(s.utf8Start[i]) }
            return v
        }
        let http = packed("http://")
        let https = packed("https://")
        var window: UInt64 = 0  // the last eight bytes, lowercased
        var count = 0
        for byte in text.utf8 {
            window = window << 8 | UInt64(byte >= 65 && byte <= 90 ? byte | 0x20 : byte)
            if byte == UInt8(ascii: "/") && (window & 0x00FF_FFFF_FFFF_FFFF == http || window == https) { count += 1 }
        }
        return count
    }

    /// A word from `keys` found in any field, case-insensitively; IP-like keys match as prefixes too.
    static func firstMatch(_ keys: [String], in fields: [String]) -> String? {
        guard !keys.isEmpty else { return nil }
        let lowered = fields.map { $0.lowercased() }
        for key in keys {
            let k = key.lowercased()
            if lowered.contains(where: { $0.contains(k) }) { return key }
        }
        return nil
    }
}
