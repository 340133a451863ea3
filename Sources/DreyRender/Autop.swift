import Foundation

/// WordPress's `wpautop`: blank lines make paragraphs and single newlines `<br />`, with no `<p>`
/// around block-level HTML and nothing touched inside `<pre>`.
///
/// HTML-format posts imported from WordPress and comments were written for this transformation,
/// so they only read as their authors meant once it runs. Rather than replay WordPress's chain of
/// regular expressions, this splits the text once into tags and text, groups the pieces into
/// paragraphs, and writes each paragraph out. The output matches WordPress on the cases its test
/// suite pins down; on malformed input it prefers balanced `<p>` tags to WordPress's stray ones.
/// It runs before the sanitizer, which makes the markup safe and well-formed.
public enum Autop {
    /// Returns `text` with its paragraphs wrapped in `<p>` and its other newlines as `<br />`.
    public static func apply(_ text: String) -> String {
        guard text.contains(where: { !$0.isWhitespace }) else { return "" }
        var source = Array(text.utf8)
        normaliseNewlines(&source)
        var writer = AutopWriter(source: source)
        for paragraph in AutopPiece.paragraphs(in: source) {
            writer.write(paragraph)
        }
        return String(decoding: writer.output, as: UTF8.self)
    }

    /// The block-level elements WordPress never wraps in `<p>`.
    static let blockElements: Set<String> = [
        "address", "area", "article", "aside", "blockquote", "caption", "col", "colgroup", "dd",
        "details", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
        "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "legend", "li", "map", "math",
        "menu", "nav", "ol", "p", "pre", "section", "style", "summary", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "ul",
    ]
    /// Elements copied untouched, newlines and all; the block-level ones also end paragraphs.
    static let verbatimElements: Set<String> = ["math", "pre", "script", "style", "svg"]

    private static func normaliseNewlines(_ bytes: inout [UInt8]) {
        guard bytes.contains(UInt8(ascii: "\r")) else { return }
        var normalised: [UInt8] = []
        normalised.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\r") {
                normalised.append(UInt8(ascii: "\n"))
                if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n") { index += 1 }
            } else {
                normalised.append(bytes[index])
            }
            index += 1
        }
        bytes = normalised
    }
}

/// Writes paragraphs out: `<p>` around their inline content, `<br />` for their inner newlines.
struct AutopWriter {
    let source: [UInt8]
    private(set) var output: [UInt8] = []

    init(source: [UInt8]) {
        self.source = source
        output.reserveCapacity(source.count + source.count / 4)
    }

    mutating func write(_ paragraph: [AutopPiece]) {
        let pieces = trimmed(paragraph)
        guard !pieces.isEmpty else { return }
        var isOpen = false
        // Text right after a block tag stays unwrapped (`<li>text`), except inside a blockquote.
        var wraps = true
        for (index, piece) in pieces.enumerated() {
            if piece.isBlock {
                if isOpen {
                    trimTrailingSpace()
                    // An author's own `</p>` closes the paragraph opened for them.
                    if !(piece.kind == .blockClose && piece.name == "p") { append("</p>") }
                    isOpen = false
                }
                output.append(contentsOf: source[piece.range])
                wraps = piece.kind == .blockOpen && piece.name == "blockquote"
                continue
            }
            var range = piece.range
            let isBlank = piece.kind == .text && range.allSatisfy { source[$0].isAutopSpace }
            if !isOpen && isBlank {
                if !wraps { output.append(contentsOf: source[range]) }
                continue
            }
            var followsBreak =
                index == 0 || pieces[index - 1].kind == .lineBreak || pieces[index - 1].isBlock
            if !isOpen && wraps {
                append("<p>")
                isOpen = true
                while !range.isEmpty && source[range.lowerBound].isAutopSpace {
                    range = range.dropFirst()
                }
                followsBreak = true
            }
            switch piece.kind {
            case .text:
                let precedesBlock = index + 1 == pieces.count || pieces[index + 1].isBlock
                appendText(range, followsBreak: followsBreak, precedesBlock: precedesBlock)
            case .lineBreak where isPlainBreak(range):
                append("<br />")
            default:
                output.append(contentsOf: source[range])
            }
        }
        if isOpen {
            trimTrailingSpace()
            append("</p>")
        }
        append("\n")
    }

    /// Newlines become `<br />`, except one right after a break or block tag or one with only
    /// space between it and the next block tag: those already break the line.
    private mutating func appendText(_ range: Range<Int>, followsBreak: Bool, precedesBlock: Bool) {
        let lastVisible = range.last { !source[$0].isAutopSpace } ?? range.lowerBound - 1
        var lineStart = range.lowerBound
        for newline in range where source[newline] == UInt8(ascii: "\n") {
            var lineEnd = newline
            while lineEnd > lineStart && source[lineEnd - 1].isAutopSpace { lineEnd -= 1 }
            output.append(contentsOf: source[lineStart..<lineEnd])
            let startsAfterBreak =
                lineEnd == lineStart && lineStart == range.lowerBound && followsBreak
            let endsBeforeBlock = newline > lastVisible && precedesBlock
            append(startsAfterBreak || endsBeforeBlock ? "\n" : "<br />\n")
            lineStart = newline + 1
        }
        output.append(contentsOf: source[lineStart..<range.upperBound])
    }

    /// The paragraph without the whitespace at its two ends, or empty when nothing but
    /// whitespace is left.
    private func trimmed(_ paragraph: [AutopPiece]) -> [AutopPiece] {
        var pieces = paragraph
        if var first = pieces.first, first.kind == .text {
            while !first.range.isEmpty && source[first.range.lowerBound].isAutopSpace {
                first.range = first.range.dropFirst()
            }
            pieces[0] = first
        }
        if var last = pieces.last, last.kind == .text {
            while !last.range.isEmpty && source[last.range.upperBound - 1].isAutopSpace {
                last.range = last.range.dropLast()
            }
            pieces[pieces.count - 1] = last
        }
        pieces.removeAll { $0.kind == .text && $0.range.isEmpty }
        return pieces
    }

    /// `<br>`, `<br/>` or `<br />`, which WordPress writes as `<br />`; a `<br>` with attributes
    /// is kept as written.
    private func isPlainBreak(_ range: Range<Int>) -> Bool {
        source[(range.lowerBound + 3)..<(range.upperBound - 1)].allSatisfy {
            $0.isAutopSpace || $0 == UInt8(ascii: "/")
        }
    }

    private mutating func trimTrailingSpace() {
        while let last = output.last, last.isAutopSpace { output.removeLast() }
    }

    private mutating func append(_ literal: StaticString) {
        output.append(
            contentsOf: UnsafeBufferPointer(
                start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}
