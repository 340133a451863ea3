import Mustache

/// A theme's templates, parsed once into nodes and rendered without swift-mustache's per-value work (decision 0028).
///
/// swift-mustache finds every name by casting each object of the context stack to several protocols, copying a view
/// into a new existential each time, and splits dotted names per lookup; on an uncached post page that was a quarter
/// of the time. Here a name is split when the template is parsed, an object's kind is decided once when it enters the
/// stack, and a page is written into one string. Whitespace, standalone lines, partial indentation, set delimiters and
/// `CONTENT_TYPE` follow swift-mustache's parser token for token, so a theme renders byte for byte the same (tests
/// render the same templates with both). A theme using what only swift-mustache does — transforms such as
/// `{{uppercased(x)}}`, template inheritance (`{{<parent}}`, `{{$block}}`), dynamic partials, another content type —
/// gets swift-mustache for all its templates (`Theme`).
struct ThemeTemplates: Sendable {
    indirect enum Node: Sendable {
        case text(String)
        case value(Name, escaped: Bool)
        case section(Name, [Node], inverted: Bool)
        case partial(String, indentation: String?)
        case escaping(Bool)
    }

    /// A name as written: `a.b.c` looked up from the innermost object outwards, `.b` in the innermost object only, `.`
    /// the innermost object itself.
    struct Name: Sendable, Equatable {
        let parts: [String]
        let innermostOnly: Bool

        init(_ text: String) {
            parts = text.split(separator: ".").map(String.init)
            innermostOnly = text.first == "."
        }
    }

    struct Unsupported: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    let templates: [String: [Node]]

    /// Parses every template; throws `Unsupported` when one uses what only swift-mustache renders, or does not parse.
    init(sources: [String: String]) throws {
        var templates: [String: [Node]] = [:]
        for (name, source) in sources {
            var parser = Parser(Array(source.utf8))
            templates[name] = try parser.parse(section: nil, state: Parser.State())
        }
        self.templates = templates
    }

    func render(_ view: Any, template: String) -> String? {
        guard let nodes = templates[template] else { return nil }
        var out = ""
        out.reserveCapacity(16_384)
        var stack = [Frame(view)]
        render(nodes, stack: &stack, escaping: true, indentation: nil, into: &out)
        return out
    }
}

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

// MARK: - Rendering, as swift-mustache renders

extension ThemeTemplates {
    /// An object of the context stack, its kind decided when it enters.
    struct Frame {
        enum Kind {
            case parent(any MustacheParent)
            /// Has no names (a string).
            case leaf
            /// `OptionalText`, whose one stored property reflection would find.
            case optionalText(String)
            /// Looked up by reflection, as swift-mustache does for a type that is not a `MustacheParent`.
            case reflected
        }
        let value: Any
        let kind: Kind

        init(_ value: Any, parent: any MustacheParent) {
            self.value = value
            kind = .parent(parent)
        }

        init(_ value: Any) {
            self.value = value
            if value is String {
                kind = .leaf
            } else if let text = value as? OptionalText {
                kind = .optionalText(text.text)
            } else if let parent = value as? any MustacheParent {
                kind = .parent(parent)
            } else if let custom = value as? any MustacheCustomRepresentation {
                // Looked up as what it stands for; `NSNull` has no names.
                kind = custom.representation.map { Frame($0).kind } ?? .leaf
            } else {
                kind = .reflected
            }
        }

        func child(_ name: String) -> Any? {
            switch kind {
            case .parent(let parent): return parent.child(named: name)
            case .leaf: return nil
            case .optionalText(let text): return name == "text" ? text : nil
            case .reflected: return Self.reflectedChild(name, of: value)
            }
        }

        static func child(_ name: String, of value: Any) -> Any? {
            if value is String { return nil }
            if let parent = value as? any MustacheParent { return parent.child(named: name) }
            if let custom = value as? any MustacheCustomRepresentation { return custom.representation.flatMap { child(name, of: $0) } }
            return reflectedChild(name, of: value)
        }

        /// A stored property by name; an optional one that is nil counts as absent (swift-mustache's `Mirror` lookup).
        static func reflectedChild(_ name: String, of value: Any) -> Any? {
            guard let found = Mirror(reflecting: value).children.first(where: { $0.label == name }) else { return nil }
            let inner = Mirror(reflecting: found.value)
            guard inner.displayStyle == .optional else { return found.value }
            return inner.children.first?.value
        }
    }

    func lookup(_ name: Name, in stack: [Frame]) -> Any? {
        guard let first = name.parts.first else { return stack.last?.value }
        var value: Any?
        if name.innermostOnly {
            value = stack.last?.child(first)
        } else {
            for frame in stack.reversed() {
                if let found = frame.child(first) {
                    value = found
                    break
                }
            }
        }
        for part in name.parts.dropFirst() {
            guard let current = value else { return nil }
            value = Frame.child(part, of: current)
        }
        return value
    }

    func render(_ nodes: [Node], stack: inout [Frame], escaping: Bool, indentation: String?, into out: inout String) {
        var escaping = escaping
        guard let indentation, !indentation.isEmpty else {
            for node in nodes { render(node, stack: &stack, escaping: &escaping, indentation: indentation, into: &out) }
            return
        }
        // In an indented partial, a piece that starts a line of this template's output is indented (swift-mustache).
        var local = ""
        for node in nodes {
            var piece = ""
            render(node, stack: &stack, escaping: &escaping, indentation: indentation, into: &piece)
            if !piece.isEmpty, local.last == "\n" { local += indentation }
            local += piece
        }
        out += local
    }

    func render(_ node: Node, stack: inout [Frame], escaping: inout Bool, indentation: String?, into out: inout String) {
        switch node {
        case .text(let text):
            out += text
        case .value(let name, let escaped):
            guard let value = lookup(name, in: stack) else { return }
            let text = Self.text(of: value)
            out += escaped && escaping ? ByteHTMLEscaping.escape(text) : text
        case .section(let name, let children, let inverted):
            let value = lookup(name, in: stack)
            if inverted {
                renderInverted(value, children, stack: &stack, escaping: escaping, indentation: indentation, into: &out)
            } else {
                renderSection(value, children, stack: &stack, escaping: escaping, indentation: indentation, into: &out)
            }
        case .partial(let name, let indented):
            guard let partial = templates[name] else { return }
            let deeper = indented.map { (indentation ?? "") + $0 } ?? indentation
            render(partial, stack: &stack, escaping: true, indentation: deeper, into: &out)
        case .escaping(let on):
            escaping = on
        }
    }

    static func text(of value: Any) -> String {
        if let string = value as? String { return string }
        if let text = value as? OptionalText { return text.text }
        if let renderable = value as? any MustacheCustomRenderable { return renderable.renderText }
        // `NSNull` and its kind stand for something else, or for nothing (asked only here, past the kinds views give).
        if let custom = value as? any MustacheCustomRepresentation { return custom.representation.map(text(of:)) ?? "" }
        if let optional = value as? any OptionalValue, let wrapped = optional.wrapped { return String(describing: wrapped) }
        return String(describing: value)
    }

    func renderSection(
        _ value: Any?, _ children: [Node], stack: inout [Frame], escaping: Bool, indentation: String?, into out: inout String
    ) {
        guard let value else { return }
        if let flag = value as? Bool {
            if flag { render(children, stack: &stack, escaping: escaping, indentation: indentation, into: &out) }
            return
        }
        if let text = value as? OptionalText, text.text.isEmpty { return }
        // A view (no view is also a sequence or a null): on the stack as it is, without asking again what it is.
        if let parent = value as? any MustacheParent {
            stack.append(Frame(value, parent: parent))
            render(children, stack: &stack, escaping: escaping, indentation: indentation, into: &out)
            stack.removeLast()
            return
        }
        if !(value is String), let sequence = value as? any MustacheSequence {
            Self.forEach(sequence) { element in
                stack.append(Frame(element))
                render(children, stack: &stack, escaping: escaping, indentation: indentation, into: &out)
                stack.removeLast()
            }
            return
        }
        if let renderable = value as? any MustacheCustomRenderable, renderable.isNull { return }
        if let custom = value as? any MustacheCustomRepresentation {
            renderSection(custom.representation, children, stack: &stack, escaping: escaping, indentation: indentation, into: &out)
            return
        }
        stack.append(Frame(value))
        render(children, stack: &stack, escaping: escaping, indentation: indentation, into: &out)
        stack.removeLast()
    }

    func renderInverted(
        _ value: Any?, _ children: [Node], stack: inout [Frame], escaping: Bool, indentation: String?, into out: inout String
    ) {
        guard let value else {
            render(children, stack: &stack, escaping: escaping, indentation: indentation, into: &out)
            return
        }
        if let flag = value as? Bool {
            if !flag { render(children, stack: &stack, escaping: escaping, indentation: indentation, into: &out) }
            return
        }
        if value is String { return }
        if let text = value as? OptionalText {
            if text.text.isEmpty { render(children, stack: &stack, escaping: escaping, indentation: indentation, into: &out) }
            return
        }
        if let sequence = value as? any MustacheSequence {
            if Self.isEmpty(sequence) {
                stack.append(Frame(value))
                render(children, stack: &stack, escaping: escaping, indentation: indentation, into: &out)
                stack.removeLast()
            }
            return
        }
        if let renderable = value as? any MustacheCustomRenderable, renderable.isNull {
            render(children, stack: &stack, escaping: escaping, indentation: indentation, into: &out)
            return
        }
        if let custom = value as? any MustacheCustomRepresentation {
            renderInverted(custom.representation, children, stack: &stack, escaping: escaping, indentation: indentation, into: &out)
        }
    }

    static func forEach<S: Sequence>(_ sequence: S, _ body: (Any) -> Void) {
        for element in sequence { body(element) }
    }

    static func isEmpty<S: Sequence>(_ sequence: S) -> Bool {
        var iterator = sequence.makeIterator()
        return iterator.next() == nil
    }
}

/// An optional inside an `Any`, so a variable prints what it wraps (as swift-mustache does).
protocol OptionalValue {
    var wrapped: Any? { get }
}

extension Optional: OptionalValue {
    var wrapped: Any? { self.map { $0 as Any } }
}
