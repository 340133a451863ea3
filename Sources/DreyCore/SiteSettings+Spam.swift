import Foundation

/// The spam filter's settings: timing of the comment form, rate limits, score cut-offs and how long spam is kept.
extension SiteSettings {
    /// WordPress refuses a second comment from one IP or email within 15 s; 0 turns flood control off.
    public var commentFloodSeconds: Int { Int(self[.commentFloodSeconds]) ?? 15 }
    /// Comments per IP per hour before the form answers 429; 0 is no limit.
    public var commentRateIPPerHour: Int { Int(self[.commentRateIPPerHour]) ?? 20 }
    /// Comments per email per hour before the form answers 429; 0 is no limit.
    public var commentRateEmailPerHour: Int { Int(self[.commentRateEmailPerHour]) ?? 10 }
    /// A form sent sooner than this after it was shown is held: people read before they write.
    public var commentFormMinSeconds: Double { Double(self[.commentFormMinSeconds]) ?? 3 }
    /// A form older than this is refused and shown again with a fresh token.
    public var commentFormMaxAge: TimeInterval { (Double(self[.commentFormMaxAgeHours]) ?? 24) * 3600 }
    /// Combined score from which a comment is held, and from which it goes to spam.
    public var spamThresholds: SpamThresholds {
        SpamThresholds(hold: Double(self[.spamHoldScore]) ?? 0.12, spam: Double(self[.spamSpamScore]) ?? 0.9)
    }
    /// Days spam is kept (so a moderator can still say "not spam") before it is deleted.
    public var spamRetentionDays: Int { Int(self[.spamRetentionDays]) ?? 30 }
}

extension SettingKey {
    /// Defaults chosen by cross-validation on the seed corpus (scores) and by WordPress (flood), see Docs/spam.md.
    var spamDefault: String {
        switch self {
        case .commentFloodSeconds: return "15"
        case .commentRateIPPerHour: return "20"
        case .commentRateEmailPerHour: return "10"
        case .commentFormMinSeconds: return "3"
        case .commentFormMaxAgeHours: return "24"
        case .spamHoldScore: return "0.12"
        case .spamSpamScore: return "0.9"
        case .spamRetentionDays: return "30"
        default: return ""
        }
    }

    func validateSpam(_ value: String) throws(SettingError) -> String {
        switch self {
        case .commentFloodSeconds: return try Self.integer(value, in: 0...3600, name: rawValue)
        case .commentRateIPPerHour, .commentRateEmailPerHour: return try Self.integer(value, in: 0...100_000, name: rawValue)
        case .commentFormMinSeconds: return try Self.integer(value, in: 0...600, name: rawValue)
        case .commentFormMaxAgeHours: return try Self.integer(value, in: 1...720, name: rawValue)
        case .spamRetentionDays: return try Self.integer(value, in: 1...3650, name: rawValue)
        case .spamHoldScore, .spamSpamScore:
            guard let x = Double(value), x > 0, x <= 1 else { throw SettingError("\(rawValue) must be a number above 0 and at most 1") }
            return String(format: "%g", (x * 1000).rounded() / 1000)
        default: return value
        }
    }
}
