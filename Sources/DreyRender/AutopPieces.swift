import Foundation

/// A run of text, or one tag, comment or verbatim element, as a range of the source.
struct AutopPiece {
    enum Kind: Equatable {
        case text, inlineTag, lineBreak, blockOpen, blockClose, verbatimBlock
    }

    var kind: Kind
    var range: Range<Int>
    /// Lowercased element name, for tags.
    var name = ""

    var isBlock: Bool { kind == .blockOpen || kind == .blockClose || kind == .verbatimBlock }

    /// Splits `source` into paragraphs: at blank lines, at two `<br>` in a row, before an opening
    /// and after a closing block tag, and around `<hr>` and verbatim blocks.
    static func paragraphs(in source: [UInt8]) -> [[AutopPiece]] {
        var paragraphs: [[AutopPiece]] = [[]]
        func endParagraph() {
            if !paragraphs[paragraphs.count - 1].isEmpty { paragraphs.append([]) }
        }
        var lexer = AutopLexer(source: source)
        var pieces = lexer.pieces()[...]
        var skipsLeadingSpace = false
        while let piece = pieces.popFirst() {
            switch piece.kind {
            case .text:
                var start = piece.range.lowerBound
                if skipsLeadingSpace {
                    while start < piece.range.upperBound && source[start].isAutopSpace {
                        start += 1
                    }
                }
                for (index, line) in splitAtBlankLines(source, start..<piece.range.upperBound)
                    .enumerated()
                {
                    if index > 0 { endParagraph() }
                    if !line.isEmpty {
                        paragraphs[paragraphs.count - 1].append(
                            AutopPiece(kind: .text, range: line))
                    }
                }
            case .lineBreak:
                // `<br><br>` ends a paragraph, as a blank line does.
                var next = pieces
                if let gap = next.first, gap.kind == .text,
                    gap.range.allSatisfy({ source[$0].isAutopSpace })
                {
                    next.removeFirst()
                }
                if let second = next.first, second.kind == .lineBreak {
                    next.removeFirst()
                    pieces = next
                    endParagraph()
                } else {
                    paragraphs[paragraphs.count - 1].append(piece)
                }
            case .blockOpen where piece.name == "figcaption":
                // A caption stays in its figure's paragraph, without the space before it.
                if let last = paragraphs[paragraphs.count - 1].last, last.kind == .text {
                    var trimmed = last.range
                    while !trimmed.isEmpty && source[trimmed.upperBound - 1].isAutopSpace {
                        trimmed = trimmed.lowerBound..<trimmed.upperBound - 1
                    }
                    paragraphs[paragraphs.count - 1].removeLast()
                    if !trimmed.isEmpty {
                        paragraphs[paragraphs.count - 1].append(
                            AutopPiece(kind: .text, range: trimmed))
                    }
                }
                paragraphs[paragraphs.count - 1].append(piece)
            case .blockClose where piece.name == "figcaption":
                paragraphs[paragraphs.count - 1].append(piece)
            case .blockOpen, .verbatimBlock:
                endParagraph()
                paragraphs[paragraphs.count - 1].append(piece)
                if piece.kind == .verbatimBlock || piece.name == "hr" { endParagraph() }
            case .blockClose:
                paragraphs[paragraphs.count - 1].append(piece)
                endParagraph()
            case .inlineTag:
                paragraphs[paragraphs.count - 1].append(piece)
            }
            skipsLeadingSpace = piece.kind == .blockClose && piece.name == "figcaption"
        }
        return paragraphs.filter { !$0.isEmpty }
    }

    /// The parts of a text between runs of whitespace holding two or more newlines.
    private static func splitAtBlankLines(_ source: [UInt8], _ range: Range<Int>) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var partStart = range.lowerBound
        var index = range.lowerBound
        while index < range.upperBound {
            guard source[index].isAutopSpace else {
                index += 1
                continue
            }
            let runStart = index
            var newlines = 0
            while index < range.upperBound && source[index].isAutopSpace {
                if source[index] == UInt8(ascii: "\n") { newlines += 1 }
                index += 1
            }
            if newlines >= 2 {
                parts.append(partStart..<runStart)
                partStart = index
            }
        }
        parts.append(partStart..<range.upperBound)
        return parts
    }
}

extension UInt8 {
    /// PCRE's `\s`, which WordPress's patterns use: space, tab, LF, VT, FF, CR.
    var isAutopSpace: Bool { self == 0x20 || (0x09...0x0D).contains(self) }
}

/// Splits text into text runs, tags, comments and verbatim elements, in one forward pass.
struct AutopLexer {
    let source: [UInt8]
    /// Where the last search for `>` ended, so that a text full of unclosed `<` stays linear.
    private var nextGreaterThan = -1
    /// Positions after which an element has no end tag, for the same reason.
    private var unclosedAfter: [String: Int] = [:]

    init(source: [UInt8]) {
        self.source = source
    }

    mutating func pieces() -> [AutopPiece] {
        var pieces: [AutopPiece] = []
        var textStart = 0
        var index = 0
        while index < source.count {
            guard source[index] == UInt8(ascii: "<"), let piece = markup(at: index) else {
                index += 1
                continue
            }
            if textStart < index {
                pieces.append(AutopPiece(kind: .text, range: textStart..<index))
            }
            pieces.append(piece)
            index = piece.range.upperBound
            textStart = index
        }
        if textStart < source.count {
            pieces.append(AutopPiece(kind: .text, range: textStart..<source.count))
        }
        return pieces
    }

    private mutating func markup(at start: Int) -> AutopPiece? {
        if hasPrefix("<!--", at: start) {
            return AutopPiece(kind: .inlineTag, range: start..<end(after: "-->", from: start + 4))
        }
        if hasPrefix("<![CDATA[", at: start) {
            return AutopPiece(kind: .inlineTag, range: start..<end(after: "]]>", from: start + 9))
        }
        let next = start + 1 < source.count ? source[start + 1] : 0
        let isClosing = next == UInt8(ascii: "/")
        let nameStart = isClosing ? start + 2 : start + 1
        let isDeclaration = next == UInt8(ascii: "!") || next == UInt8(ascii: "?")
        guard isDeclaration || (nameStart < source.count && source[nameStart].isASCIILetter),
            let close = greaterThan(from: nameStart)
        else { return nil }
        let tagEnd = close + 1
        if isDeclaration { return AutopPiece(kind: .inlineTag, range: start..<tagEnd) }

        var nameEnd = nameStart
        while nameEnd < close && source[nameEnd].isASCIIAlphanumeric { nameEnd += 1 }
        let name = String(decoding: source[nameStart..<nameEnd], as: UTF8.self).lowercased()
        if name == "br" && !isClosing {
            return AutopPiece(kind: .lineBreak, range: start..<tagEnd, name: name)
        }
        let isSelfClosing = source[close - 1] == UInt8(ascii: "/")
        if !isClosing && !isSelfClosing && Autop.verbatimElements.contains(name),
            let elementEnd = endOfElement(name, from: tagEnd)
        {
            let kind: AutopPiece.Kind =
                Autop.blockElements.contains(name) ? .verbatimBlock : .inlineTag
            return AutopPiece(kind: kind, range: start..<elementEnd, name: name)
        }
        if Autop.blockElements.contains(name) {
            return AutopPiece(
                kind: isClosing ? .blockClose : .blockOpen, range: start..<tagEnd, name: name)
        }
        return AutopPiece(kind: .inlineTag, range: start..<tagEnd, name: name)
    }

    private mutating func greaterThan(from index: Int) -> Int? {
        if nextGreaterThan < index {
            nextGreaterThan = source[index...].firstIndex(of: UInt8(ascii: ">")) ?? source.count
        }
        return nextGreaterThan < source.count ? nextGreaterThan : nil
    }

    /// The index after the `</name>` closing an element whose content starts at `index`.
    private mutating func endOfElement(_ name: String, from index: Int) -> Int? {
        if let unclosed = unclosedAfter[name], unclosed <= index { return nil }
        let closing = Array("</\(name)".utf8)
        var cursor = index
        while let lessThan = source[cursor...].firstIndex(of: UInt8(ascii: "<")) {
            let nameEnd = lessThan + closing.count
            if nameEnd <= source.count,
                zip(closing, source[lessThan..<nameEnd]).allSatisfy({ $0 == $1.asciiLowercased }),
                let close = source[nameEnd...].firstIndex(where: { !$0.isAutopSpace }),
                source[close] == UInt8(ascii: ">")
            {
                return close + 1
            }
            cursor = lessThan + 1
        }
        unclosedAfter[name] = index
        return nil
    }

    private func end(after terminator: StaticString, from index: Int) -> Int {
        var cursor = index
        while cursor < source.count {
            if hasPrefix(terminator, at: cursor) { return cursor + terminator.utf8CodeUnitCount }
            cursor += 1
        }
        return source.count
    }

    private func hasPrefix(_ literal: StaticString, at index: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= source.count else { return false }
        return (0..<count).allSatisfy { source[index + $0] == literal.utf8Start[$0] }
    }
}
