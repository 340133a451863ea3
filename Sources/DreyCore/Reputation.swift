import Foundation

/// What a commenter's past on a site says: how many of the comments sent with the same email, from the same IP,
/// or with the same website host were marked spam, and how many were approved.
public struct Reputation: Sendable, Equatable {
    public enum Key: String, Sendable, CaseIterable {
        case email, ip, website
        /// The signed-in reader's own comments, whatever name or address they carried.
        case reader

        /// How a reason names the key.
        public var label: String {
            switch self {
            case .email: return "email"
            case .ip: return "IP"
            case .website: return "website"
            case .reader: return "account"
            }
        }
    }

    public struct Counts: Sendable, Equatable {
        public var spam: Int
        public var approved: Int

        public init(spam: Int = 0, approved: Int = 0) {
            self.spam = spam
            self.approved = approved
        }
    }

    public var counts: [Key: Counts]
    /// The website host the counts for `.website` are about, for the reason text.
    public var websiteHost: String

    public init(counts: [Key: Counts] = [:], websiteHost: String = "") {
        self.counts = counts
        self.websiteHost = websiteHost
    }

    /// Log-odds this history adds to the spam score, and one reason per key that moved it.
    /// Spam weighs more than approval (one spam run should outweigh a polite first comment), both grow with the
    /// logarithm of the count and are capped, and an IP counts for less because many people can share one.
    public func adjustment() -> (logOdds: Double, reasons: [String]) {
        var total = 0.0
        var reasons: [String] = []
        for key in Key.allCases {
            guard let c = counts[key], c.spam > 0 || c.approved > 0 else { continue }
            let weight = key == .ip ? 0.75 : 1.0
            let up = c.spam > 0 ? min(3, 1.5 * log2(1 + Double(c.spam))) : 0
            let down = c.approved > 0 ? min(3, log2(1 + Double(c.approved))) : 0
            total += weight * (up - down)
            var parts: [String] = []
            if c.spam > 0 { parts.append("\(c.spam) spam") }
            if c.approved > 0 { parts.append("\(c.approved) approved") }
            let name = key == .website ? "website \(websiteHost)" : key.label
            reasons.append("\(name) had \(parts.joined(separator: ", "))")
        }
        return (total, reasons)
    }

    /// The host of a commenter's website, lowercased and without `www.`, or "" when there is none.
    /// The full host, not the registered domain: many people share blogspot.com or github.io.
    public static func websiteHost(_ url: String) -> String {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return "" }
        let withScheme = trimmed.contains("://") ? trimmed : "http://" + trimmed
        guard var host = URLComponents(string: withScheme)?.host?.lowercased(), !host.isEmpty else { return "" }
        if host.hasPrefix("www.") { host.removeFirst(4) }
        if host.hasSuffix(".") { host.removeLast() }
        return String(host.prefix(253))
    }
}
