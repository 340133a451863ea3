import Mustache

// MARK: - Parsing, as swift-mustache's parser

extension ThemeTemplates {
    struct Parser {
        struct State {
            var newLine = true
            var open: [UInt8] = Array("{{".utf8)
            var close: [UInt8] = Array("}}".utf8)
        }

        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { position >= bytes.count }
        var current: UInt8 { bytes[position] }

        /// The length of the line break at `at` ("\n" or "\r\n"), or 0.
        func newline(at index: Int) -> Int {
            guard index < bytes.count else { return 0 }
            if bytes[index] == 0x0A { return 1 }
            if bytes[index] == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { return 2 }
            return 0
        }

        func starts(with delimiter: [UInt8], at index: Int) -> Bool {
            guard index + delimiter.count <= bytes.count else { return false }
            for offset in 0..<delimiter.count where bytes[index + offset] != delimiter[offset] { return false }
            return true
        }

        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

        static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        /// Swift's `Character.isWhitespace` for what a tag may hold around a name.
        static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
        static func isNameByte(_ byte: UInt8, brackets: Bool, slash: Bool = false) -> Bool {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                return true
            case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "?"), UInt8(ascii: "*"): return true
            case UInt8(ascii: "("), UInt8(ascii: ")"): return brackets
            case UInt8(ascii: "/"): return slash
            default: return false
            }
        }

        mutating func skip(_ predicate: (UInt8) -> Bool) {
            while !atEnd, predicate(current) { position += 1 }
        }

        /// Text up to a line break (not consumed) or past the opening delimiter.
        mutating func readText(_ state: State) -> String {
            let start = position
            while !atEnd {
                if newline(at: position) > 0 { return string(start..<position) }
                if starts(with: state.open, at: position) {
                    let text = string(start..<position)
                    position += state.open.count
                    return text
                }
                position += 1
            }
            return string(start..<position)
        }

        /// At a line's end (or the text's): consumes the line break and says yes. Any character Swift calls a line
        /// break counts here, as in swift-mustache's test (a lone CR, vertical tab, form feed, NEL, LS, PS); text
        /// itself breaks only at LF and CRLF.
        mutating func lineFinished() -> Bool {
            if atEnd { return true }
            var probe = position
            while probe < bytes.count, Self.isBlank(bytes[probe]) { probe += 1 }
            var length = newline(at: probe)
            if length == 0, probe < bytes.count {
                switch bytes[probe] {
                case 0x0B, 0x0C, 0x0D: length = 1
                case 0xC2 where probe + 1 < bytes.count && bytes[probe + 1] == 0x85: length = 2
                case 0xE2 where probe + 2 < bytes.count && bytes[probe + 1] == 0x80 && (bytes[probe + 2] == 0xA8 || bytes[probe + 2] == 0xA9):
                    length = 3
                default: break
                }
            }
            guard length > 0 else { return false }
            position = probe + length
            return true
        }

        mutating func standalone(_ state: State) -> Bool { state.newLine && lineFinished() }

        mutating func expect(_ delimiter: [UInt8]) throws {
            guard starts(with: delimiter, at: position) else { throw Unsupported(reason: "unfinished tag") }
            position += delimiter.count
        }

        mutating func name(_ state: State) throws -> String {
            skip(Self.isWhitespace)
            let start = position
            skip { Self.isNameByte($0, brackets: true) }
            let text = string(start..<position)
            skip(Self.isWhitespace)
            try expect(state.close)
            guard !text.contains("(") && !text.contains(")") else { throw Unsupported(reason: "transforms") }
            return text
        }

        mutating func parse(section: String?, state initial: State) throws -> [Node] {
            var nodes: [Node] = []
            var state = initial
            var whiteSpaceBefore = ""
            while !atEnd {
                if state.newLine {
                    let start = position
                    skip(Self.isBlank)
                    whiteSpaceBefore = string(start..<position)
                }
                let text = readText(state)
                let lineBreak = newline(at: position)
                if lineBreak > 0 {
                    nodes.append(.text(whiteSpaceBefore + text + string(position..<position + lineBreak)))
                    state.newLine = true
                    position += lineBreak
                    continue
                }
                if !text.isEmpty {
                    nodes.append(.text(whiteSpaceBefore + text))
                    whiteSpaceBefore = ""
                    state.newLine = false
                }
                if atEnd { break }
                var setNewLine = false
                func flushWhiteSpace() {
                    if !whiteSpaceBefore.isEmpty {
                        nodes.append(.text(whiteSpaceBefore))
                        whiteSpaceBefore = ""
                    }
                }
                switch current {
                case UInt8(ascii: "#"), UInt8(ascii: "^"):
                    let inverted = current == UInt8(ascii: "^")
                    position += 1
                    let name = try name(state)
                    if standalone(state) { setNewLine = true } else { flushWhiteSpace() }
                    var inner = state
                    if !setNewLine { inner.newLine = false }
                    let children = try parse(section: name, state: inner)
                    nodes.append(.section(Name(name), children, inverted: inverted))
                case UInt8(ascii: "/"):
                    position += 1
                    let name = try name(state)
                    guard name == section else { throw Unsupported(reason: "section closed with another name") }
                    if !standalone(state) { flushWhiteSpace() }
                    return nodes
                case UInt8(ascii: "!"):
                    position += 1
                    while !atEnd, !starts(with: state.close, at: position) { position += 1 }
                    try expect(state.close)
                    setNewLine = standalone(state)
                case UInt8(ascii: "{"):
                    flushWhiteSpace()
                    position += 1
                    let name = try name(state)
                    try expect([UInt8(ascii: "}")])
                    nodes.append(.value(Name(name), escaped: false))
                case UInt8(ascii: "&"):
                    flushWhiteSpace()
                    position += 1
                    nodes.append(.value(Name(try name(state)), escaped: false))
                case UInt8(ascii: ">"):
                    position += 1
                    skip(Self.isWhitespace)
                    guard atEnd || current != UInt8(ascii: "*") else { throw Unsupported(reason: "dynamic partials") }
                    let start = position
                    skip { Self.isNameByte($0, brackets: true, slash: true) }
                    let name = string(start..<position)
                    skip(Self.isWhitespace)
                    try expect(state.close)
                    if !whiteSpaceBefore.isEmpty { nodes.append(.text(whiteSpaceBefore)) }
                    if standalone(state) {
                        setNewLine = true
                        nodes.append(.partial(name, indentation: whiteSpaceBefore))
                    } else {
                        nodes.append(.partial(name, indentation: nil))
                    }
                    whiteSpaceBefore = ""
                case UInt8(ascii: "<"), UInt8(ascii: "$"):
                    throw Unsupported(reason: "template inheritance")
                case UInt8(ascii: "="):
                    position += 1
                    state = try delimiters(state)
                    setNewLine = standalone(state)
                case UInt8(ascii: "%"):
                    position += 1
                    nodes.append(.escaping(try contentType(state)))
                    setNewLine = standalone(state)
                default:
                    flushWhiteSpace()
                    nodes.append(.value(Name(try name(state)), escaped: true))
                }
                state.newLine = setNewLine
            }
            guard section == nil else { throw Unsupported(reason: "section \(section ?? "") not closed") }
            return nodes
        }

        mutating func delimiters(_ state: State) throws -> State {
            skip(Self.isWhitespace)
            var start = position
            while !atEnd, !Self.isWhitespace(current) { position += 1 }
            guard !atEnd else { throw Unsupported(reason: "set delimiter") }
            let open = Array(bytes[start..<position])
            skip(Self.isWhitespace)
            start = position
            while !atEnd, current != UInt8(ascii: "="), !Self.isWhitespace(current) { position += 1 }
            guard !atEnd else { throw Unsupported(reason: "set delimiter") }
            let close = Array(bytes[start..<position])
            skip(Self.isWhitespace)
            try expect([UInt8(ascii: "=")])
            try expect(state.close)
            guard !open.isEmpty, !close.isEmpty else { throw Unsupported(reason: "set delimiter") }
            var next = state
            next.open = open
            next.close = close
            return next
        }

        /// `{{% CONTENT_TYPE: … }}`: whether values are HTML-escaped from here on.
        mutating func contentType(_ state: State) throws -> Bool {
            func word() -> String {
                let start = position
                skip { Self.isNameByte($0, brackets: false) }
                return string(start..<position)
            }
            skip(Self.isWhitespace)
            let variable = word()
            skip(Self.isWhitespace)
            try expect([UInt8(ascii: ":")])
            skip(Self.isWhitespace)
            let value = word()
            skip(Self.isWhitespace)
            try expect(state.close)
            guard variable == "CONTENT_TYPE" else { throw Unsupported(reason: "pragma \(variable)") }
            switch value {
            case "HTML", ByteHTMLEscaping.name: return true
            case "TEXT": return false
            default: throw Unsupported(reason: "content type \(value)")
            }
        }
    }
}
