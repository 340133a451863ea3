import Foundation

/// One link of the site's menu, written by the owner as a line `Label | /address/` (or a full http(s) URL).
public struct MenuItem: Sendable, Equatable {
    public var label: String
    public var url: String

    public init(label: String, url: String) {
        self.label = label
        self.url = url
    }

    public static func parse(_ text: String) -> [MenuItem] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let parts = line.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            return MenuItem(label: parts[0], url: parts[1])
        }
    }

    /// Checks every line; the message names the first bad one. Empty text asks for the theme's menu.
    static func validate(_ value: String) throws(SettingError) -> String {
        var lines: [String] = []
        for raw in value.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let parts = line.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 60 else {
                throw SettingError("menu: '\(line)' must be a label, a bar and an address, as in: About | /about/")
            }
            let url = parts[1]
            let local = url.hasPrefix("/") && !url.hasPrefix("//")
            let absolute = URL(string: url).flatMap { u in u.host.map { _ in ["http", "https"].contains(u.scheme?.lowercased() ?? "") } } ?? false
            guard local || absolute else {
                throw SettingError("menu: the address of '\(parts[0])' must start with / or be an http or https URL")
            }
            lines.append("\(parts[0]) | \(url)")
        }
        guard lines.count <= 20 else { throw SettingError("menu: at most 20 links") }
        return lines.joined(separator: "\n")
    }
}
