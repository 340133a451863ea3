import Foundation

/// Likes, following by email, and the address follow mail comes from.
extension SiteSettings {
    public var likesEnabled: Bool { self[.likesEnabled] == "1" }
    public var followsEnabled: Bool { self[.followsEnabled] == "1" }
    /// The sender of the blog's mail; empty means the server's `DREY_MAIL_FROM`.
    public var mailFrom: String { self[.mailFrom] }
}

extension SettingKey {
    var followsDefault: String {
        switch self {
        case .likesEnabled, .followsEnabled: return "1"
        default: return ""
        }
    }

    func validateFollows(_ value: String) throws(SettingError) -> String {
        switch self {
        case .mailFrom:
            if value.isEmpty { return "" }
            let parts = value.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), value.count <= 254,
                !value.contains(where: { $0.isWhitespace || "<>()[]\\,;:\"".contains($0) })
            else { throw SettingError("mail_from must be an email address such as blog@example.org, or empty for the server's") }
            return value
        default:
            switch value.lowercased() {
            case "1", "on", "true", "yes": return "1"
            case "0", "off", "false", "no": return "0"
            default: throw SettingError("\(rawValue) must be on or off (1 or 0)")
            }
        }
    }
}
