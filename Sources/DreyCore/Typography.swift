import Foundation

/// Reading typography: what the reference page's author had to hand-edit HTML to change.
/// Every field is optional so a post can override only what it needs.
public struct Typography: Sendable, Equatable, Codable {
    public var fontFamily: FontStack?
    /// Base font size in CSS pixels.
    public var fontSize: Int?
    public var lineHeight: Double?
    /// Width of the reading column in `ch`.
    public var contentWidth: Int?

    public init(fontFamily: FontStack? = nil, fontSize: Int? = nil, lineHeight: Double? = nil, contentWidth: Int? = nil) {
        self.fontFamily = fontFamily
        self.fontSize = fontSize
        self.lineHeight = lineHeight
        self.contentWidth = contentWidth
    }

    public var isEmpty: Bool { fontFamily == nil && fontSize == nil && lineHeight == nil && contentWidth == nil }

    public static let fontSizeRange = 12...32
    public static let lineHeightRange = 1.0...2.4
    public static let contentWidthRange = 40...120

    /// The site's defaults when nothing is set.
    public static let standard = Typography(fontFamily: .serif, fontSize: 19, lineHeight: 1.65, contentWidth: 68)

    /// `other`'s fields where set, ours otherwise.
    public func overridden(by other: Typography) -> Typography {
        Typography(
            fontFamily: other.fontFamily ?? fontFamily, fontSize: other.fontSize ?? fontSize,
            lineHeight: other.lineHeight ?? lineHeight, contentWidth: other.contentWidth ?? contentWidth)
    }

    /// CSS custom property declarations for the fields that are set (no selector).
    public var cssDeclarations: String {
        var parts: [String] = []
        if let fontFamily { parts.append("--drey-font: \(fontFamily.css);") }
        if let fontSize { parts.append("--drey-font-size: \(fontSize)px;") }
        if let lineHeight { parts.append("--drey-line-height: \(Self.format(lineHeight));") }
        if let contentWidth { parts.append("--drey-measure: \(contentWidth)ch;") }
        return parts.joined(separator: " ")
    }

    public static func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// Parses and range-checks one field; the message names the field and the allowed range.
    public static func validateFontSize(_ text: String) throws(SettingError) -> Int {
        guard let v = Int(text.trimmingCharacters(in: .whitespaces)), fontSizeRange.contains(v) else {
            throw SettingError("font size must be a whole number of pixels from \(fontSizeRange.lowerBound) to \(fontSizeRange.upperBound)")
        }
        return v
    }

    public static func validateLineHeight(_ text: String) throws(SettingError) -> Double {
        guard let v = Double(text.trimmingCharacters(in: .whitespaces)), lineHeightRange.contains(v) else {
            throw SettingError("line height must be a number from 1.0 to 2.4")
        }
        return v
    }

    public static func validateContentWidth(_ text: String) throws(SettingError) -> Int {
        guard let v = Int(text.trimmingCharacters(in: .whitespaces)), contentWidthRange.contains(v) else {
            throw SettingError("content width must be a whole number of characters from 40 to 120")
        }
        return v
    }

    /// Compact storage form for a post's override: `key=value;` pairs, empty when nothing is set.
    public var storageString: String {
        var parts: [String] = []
        if let fontFamily { parts.append("font=\(fontFamily.rawValue)") }
        if let fontSize { parts.append("size=\(fontSize)") }
        if let lineHeight { parts.append("line=\(Self.format(lineHeight))") }
        if let contentWidth { parts.append("width=\(contentWidth)") }
        return parts.joined(separator: ";")
    }

    public init(storageString: String) {
        self.init()
        for pair in storageString.split(separator: ";") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { continue }
            switch kv[0] {
            case "font": fontFamily = FontStack(rawValue: kv[1])
            case "size": fontSize = Int(kv[1]).flatMap { Self.fontSizeRange.contains($0) ? $0 : nil }
            case "line": lineHeight = Double(kv[1]).flatMap { Self.lineHeightRange.contains($0) ? $0 : nil }
            case "width": contentWidth = Int(kv[1]).flatMap { Self.contentWidthRange.contains($0) ? $0 : nil }
            default: continue
            }
        }
    }
}

/// Named font stacks; system fonts only, so pages load nothing extra.
public enum FontStack: String, Sendable, Codable, CaseIterable {
    case serif, oldstyle, sans, humanist, mono

    public var css: String {
        switch self {
        case .serif: return "Charter, 'Bitstream Charter', 'Sitka Text', Cambria, Georgia, serif"
        case .oldstyle: return "'Iowan Old Style', 'Palatino Linotype', 'URW Palladio L', P052, Palatino, serif"
        case .sans: return "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
        case .humanist: return "Seravek, 'Gill Sans Nova', Ubuntu, Calibri, 'DejaVu Sans', source-sans-pro, sans-serif"
        case .mono: return "ui-monospace, 'Cascadia Code', 'Source Code Pro', Menlo, Consolas, 'DejaVu Sans Mono', monospace"
        }
    }

    public var label: String {
        switch self {
        case .serif: return "Transitional serif"
        case .oldstyle: return "Old-style serif"
        case .sans: return "System sans-serif"
        case .humanist: return "Humanist sans-serif"
        case .mono: return "Monospace"
        }
    }
}

public struct SettingError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
