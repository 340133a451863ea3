import Foundation

/// A piece of HTML as byte ranges into the tokenizer's input.
///
/// Comments, doctypes, processing instructions and CDATA sections produce no token: nothing
/// downstream keeps them. Attributes of the latest start tag are in `HTMLTokenizer.attributes`.
enum HTMLToken: Equatable {
    case text(Range<Int>)
    case startTag(name: Range<Int>)
    case endTag(name: Range<Int>)
}

struct HTMLAttribute: Equatable {
    var name: Range<Int>
    /// Nil for an attribute written without `=`.
    var value: Range<Int>?
}

/// A tolerant, single-pass HTML tokenizer over UTF-8 bytes, after the WHATWG tokenizer states.
///
/// It never backtracks: every byte is looked at a bounded number of times, so any input is
/// tokenized in linear time. Where it disagrees with a browser only fidelity suffers, because
/// the sanitizer re-serialises everything it keeps rather than copying markup through.
struct HTMLTokenizer {
    /// Elements whose content a browser reads as text up to the matching end tag.
    static let rawTextElements: Set<String> = [
        "iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea",
        "title", "xmp",
    ]

    let input: UnsafeBufferPointer<UInt8>
    private(set) var attributes: [HTMLAttribute] = []
    private var position = 0
    private var pendingRawText: String?

    init(input: UnsafeBufferPointer<UInt8>) {
        self.input = input
    }

    mutating func next() -> HTMLToken? {
        if let element = pendingRawText {
            pendingRawText = nil
            let start = position
            position = element == "plaintext" ? input.count : rawTextEnd(Array(element.utf8))
            if position > start { return .text(start..<position) }
        }
        while position < input.count {
            guard input[position] == UInt8(ascii: "<") && !isLiteralLessThan(at: position) else {
                // A `<` that cannot start markup is text, and stays in the same run.
                let start = position
                position += 1
                while position < input.count
                    && (input[position] != UInt8(ascii: "<") || isLiteralLessThan(at: position))
                {
                    position += 1
                }
                return .text(start..<position)
            }
            if let token = markup() { return token }
        }
        return nil
    }

    /// Lowercased name for a byte range, or nil when it is too long to be any element or
    /// attribute we know, which also keeps hostile names from costing an allocation each.
    func name(_ range: Range<Int>) -> String? {
        guard range.count <= 15 else { return nil }
        return String(unsafeUninitializedCapacity: range.count) { buffer in
            for (offset, index) in range.enumerated() {
                buffer[offset] = input[index].asciiLowercased
            }
            return range.count
        }
    }

    /// Only raw-text element names start with these letters; checking spares a lookup per tag.
    private static func mayStartRawTextName(_ byte: UInt8) -> Bool {
        switch byte.asciiLowercased {
        case UInt8(ascii: "i"), UInt8(ascii: "n"), UInt8(ascii: "p"), UInt8(ascii: "s"),
            UInt8(ascii: "t"), UInt8(ascii: "x"):
            return true
        default:
            return false
        }
    }

    private func isLiteralLessThan(at index: Int) -> Bool {
        guard index + 1 < input.count else { return true }
        let next = input[index + 1]
        return !next.isASCIILetter && next != UInt8(ascii: "!") && next != UInt8(ascii: "/")
            && next != UInt8(ascii: "?")
    }

    /// Handles the `<` at `position`; nil when the construct produces no token.
    private mutating func markup() -> HTMLToken? {
        let start = position
        switch input[start + 1] {
        case UInt8(ascii: "!"):
            if matches("<!--", at: start) {
                skipComment(from: start + 4)
            } else {
                skipBogusComment(from: start + 2)
            }
            return nil
        case UInt8(ascii: "?"):
            skipBogusComment(from: start + 1)
            return nil
        case UInt8(ascii: "/"):
            let first = start + 2 < input.count ? input[start + 2] : 0
            if first.isASCIILetter { return tag(nameStart: start + 2, isEndTag: true) }
            if start + 2 >= input.count {
                position = input.count
                return .text(start..<position)
            }
            if first == UInt8(ascii: ">") {
                position = start + 3
            } else {
                skipBogusComment(from: start + 2)
            }
            return nil
        default:
            return tag(nameStart: start + 1, isEndTag: false)
        }
    }

    /// Reads a tag from its name to its `>`; nil (dropping the tag) when the input ends inside it,
    /// as a browser does.
    private mutating func tag(nameStart: Int, isEndTag: Bool) -> HTMLToken? {
        var index = nameStart
        while index < input.count && !input[index].endsTagName { index += 1 }
        let name = nameStart..<index
        attributes.removeAll(keepingCapacity: true)
        while true {
            while index < input.count && input[index].isHTMLWhitespace { index += 1 }
            guard index < input.count else { return endOfInputInTag() }
            switch input[index] {
            case UInt8(ascii: ">"):
                position = index + 1
                if isEndTag { return .endTag(name: name) }
                if Self.mayStartRawTextName(input[nameStart]),
                    let element = self.name(name), Self.rawTextElements.contains(element)
                {
                    pendingRawText = element
                }
                return .startTag(name: name)
            case UInt8(ascii: "/"):
                index += 1
            default:
                guard let attribute = readAttribute(at: &index) else { return endOfInputInTag() }
                if !isEndTag { attributes.append(attribute) }
            }
        }
    }

    private mutating func readAttribute(at index: inout Int) -> HTMLAttribute? {
        let nameStart = index
        // The first character is part of the name even when it is `=`, as in the spec.
        index += 1
        while index < input.count && !input[index].endsTagName
            && input[index] != UInt8(ascii: "=")
        {
            index += 1
        }
        var attribute = HTMLAttribute(name: nameStart..<index, value: nil)
        var cursor = index
        while cursor < input.count && input[cursor].isHTMLWhitespace { cursor += 1 }
        guard cursor < input.count, input[cursor] == UInt8(ascii: "=") else {
            index = cursor
            return attribute
        }
        cursor += 1
        while cursor < input.count && input[cursor].isHTMLWhitespace { cursor += 1 }
        guard cursor < input.count else { return nil }
        let quote = input[cursor]
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            var end = cursor + 1
            while end < input.count && input[end] != quote { end += 1 }
            guard end < input.count else { return nil }
            attribute.value = cursor + 1..<end
            index = end + 1
        } else {
            var end = cursor
            while end < input.count && !input[end].isHTMLWhitespace
                && input[end] != UInt8(ascii: ">")
            {
                end += 1
            }
            attribute.value = cursor..<end
            index = end
        }
        return attribute
    }

    private mutating func endOfInputInTag() -> HTMLToken? {
        position = input.count
        attributes.removeAll(keepingCapacity: true)
        return nil
    }

    /// Ends at `-->` or `--!>`; `<!-->` and `<!--->` are complete (empty) comments.
    private mutating func skipComment(from start: Int) {
        if matches(">", at: start) {
            position = start + 1
            return
        }
        if matches("->", at: start) {
            position = start + 2
            return
        }
        var index = start
        while index + 2 < input.count {
            if input[index] == UInt8(ascii: "-"), input[index + 1] == UInt8(ascii: "-") {
                if input[index + 2] == UInt8(ascii: ">") {
                    position = index + 3
                    return
                }
                if input[index + 2] == UInt8(ascii: "!"), matches(">", at: index + 3) {
                    position = index + 4
                    return
                }
            }
            index += 1
        }
        position = input.count
    }

    /// Doctypes, `<?…>`, `<![CDATA[…` and other `<!` forms end at the next `>` in HTML content.
    private mutating func skipBogusComment(from start: Int) {
        var index = start
        while index < input.count && input[index] != UInt8(ascii: ">") { index += 1 }
        position = min(index + 1, input.count)
    }

    /// Start of the end tag closing a raw-text element, or the end of input.
    private func rawTextEnd(_ element: [UInt8]) -> Int {
        var index = position
        while index + 1 < input.count {
            if input[index] == UInt8(ascii: "<"), input[index + 1] == UInt8(ascii: "/") {
                let nameStart = index + 2
                let nameEnd = nameStart + element.count
                if nameEnd <= input.count,
                    zip(element, input[nameStart..<nameEnd]).allSatisfy({ $0 == $1.asciiLowercased }
                    ),
                    nameEnd == input.count || input[nameEnd].endsTagName
                {
                    return index
                }
            }
            index += 1
        }
        return input.count
    }

    private func matches(_ literal: StaticString, at index: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= input.count else { return false }
        return (0..<count).allSatisfy { input[index + $0] == literal.utf8Start[$0] }
    }
}

extension UInt8 {
    /// Space, tab, LF, FF and CR: the separators of HTML syntax.
    var isHTMLWhitespace: Bool {
        self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0C || self == 0x0D
    }
    var endsTagName: Bool {
        isHTMLWhitespace || self == UInt8(ascii: "/") || self == UInt8(ascii: ">")
    }
    var isASCIILetter: Bool { (self | 0x20) >= 0x61 && (self | 0x20) <= 0x7A }
    var isASCIIDigit: Bool { self >= 0x30 && self <= 0x39 }
    var isASCIIAlphanumeric: Bool { isASCIILetter || isASCIIDigit }
    var asciiLowercased: UInt8 { self >= 0x41 && self <= 0x5A ? self | 0x20 : self }
}
