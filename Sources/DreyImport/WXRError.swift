import Foundation

/// Why a file cannot be imported, with where in the file and what was expected there.
public struct WXRError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case unreadable, empty, notXML, malformed, truncated, invalidUTF8, notWXR, unsupportedVersion
    }

    public let kind: Kind
    public let line: Int
    public let column: Int
    public let message: String

    public init(_ kind: Kind, line: Int = 0, column: Int = 0, _ message: String) {
        self.kind = kind
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        line > 0 ? "line \(line), column \(column): \(message)" : message
    }
}

/// An element still open when parsing stopped, for "expected </item> (opened at line 80)".
struct OpenElement {
    let qualifiedName: String
    let line: Int
}

extension WXRError {
    /// Explains libxml2's error `code` in terms of the WXR being read.
    static func fromParser(code: Int, line: Int, column: Int, open: [OpenElement], sawRoot: Bool) -> WXRError {
        let innermost = open.last
        let expectedClose = open.reversed().prefix(3).map { "</\($0.qualifiedName)>" }.joined(separator: ", then ")
        let inside = innermost.map { " inside <\($0.qualifiedName)> (opened at line \($0.line))" } ?? ""
        switch code {
        case 4 where !sawRoot, 3 where !sawRoot:
            return WXRError(.notXML, line: line, column: column, "this is not XML: expected “<?xml” or “<rss” at the start of the file")
        case 5, 77:
            if open.isEmpty {
                return WXRError(.truncated, line: line, column: column, "the file ends before the document is complete; expected <rss>")
            }
            return WXRError(
                .truncated, line: line, column: column,
                "the file ends\(inside): it looks truncated; expected \(expectedClose)")
        case 9, 32:
            return WXRError(
                .invalidUTF8, line: line, column: column,
                "invalid UTF-8 byte sequence\(inside); the file must be UTF-8 text as WordPress writes it")
        case 76:
            let expected =
                innermost.map { "expected </\($0.qualifiedName)> to close the element opened at line \($0.line)" } ?? "expected no closing tag here"
            return WXRError(.malformed, line: line, column: column, "mismatched closing tag: \(expected)")
        case 62:
            return WXRError(
                .malformed, line: line, column: column,
                "“]]>” outside a CDATA section\(inside) (a CDATA section written inside another one?); expected it escaped as “]]]]><![CDATA[>”")
        case 63:
            return WXRError(.truncated, line: line, column: column, "a CDATA section is not closed\(inside); expected “]]>”")
        case 26, 27:
            return WXRError(.malformed, line: line, column: column, "undefined entity\(inside); expected “&amp;” for a literal “&”")
        case 41, 65, 73:
            return WXRError(.malformed, line: line, column: column, "malformed tag\(inside); expected a tag name, attributes and “>”")
        default:
            let expected = innermost.map { "expected well-formed XML or </\($0.qualifiedName)>" } ?? "expected well-formed XML"
            return WXRError(.malformed, line: line, column: column, "not well-formed XML (libxml2 error \(code))\(inside); \(expected)")
        }
    }
}
