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
        var stack = Stack(root: Frame(view))
        render(nodes, stack: &stack, escaping: true, indentation: nil, into: &out)
        return out
    }
}

// MARK: - Rendering, as swift-mustache renders

extension ThemeTemplates {
    /// The context stack of one render, and what its outermost object (the page's view, never popped) answered to the
    /// first part of a dotted name. `{{chrome.siteTitle}}` and its forty kin look `chrome` up anew each time, and each
    /// answer is a copy of the whole chrome in a new box, asked again what it is; views do not change while they render.
    struct Stack {
        var frames: [Frame]
        var rootChildren: [String: Frame] = [:]

        init(root: Frame) { frames = [root] }

        mutating func append(_ frame: Frame) { frames.append(frame) }
        mutating func removeLast() { frames.removeLast() }
    }

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

        init(_ value: Any, kind: Kind) {
            self.value = value
            self.kind = kind
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

    func lookup(_ name: Name, in stack: inout Stack) -> Any? {
        let frames = stack.frames
        guard let first = name.parts.first else { return frames.last?.value }
        guard name.parts.count > 1 else {
            if name.innermostOnly { return frames.last?.child(first) }
            for frame in frames.reversed() {
                if let found = frame.child(first) { return found }
            }
            return nil
        }
        // A dotted name: its first part as an object on its own, kept when the page's view answered it.
        var value: Any?
        if name.innermostOnly, frames.count > 1 {
            value = frames[frames.count - 1].child(first)
        } else {
            var index = frames.count - 1
            while index > 0, value == nil {
                value = frames[index].child(first)
                index -= 1
            }
            if value == nil {
                if let kept = stack.rootChildren[first] {
                    value = kept.child(name.parts[1])
                } else if let child = frames[0].child(first) {
                    let frame = Frame(child)
                    stack.rootChildren[first] = frame
                    value = frame.child(name.parts[1])
                }
                for part in name.parts.dropFirst(2) {
                    guard let current = value else { return nil }
                    value = Frame.child(part, of: current)
                }
                return value
            }
        }
        for part in name.parts.dropFirst() {
            guard let current = value else { return nil }
            value = Frame.child(part, of: current)
        }
        return value
    }

    func render(_ nodes: [Node], stack: inout Stack, escaping: Bool, indentation: String?, into out: inout String) {
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

    func render(_ node: Node, stack: inout Stack, escaping: inout Bool, indentation: String?, into out: inout String) {
        switch node {
        case .text(let text):
            out += text
        case .value(let name, let escaped):
            guard let value = lookup(name, in: &stack) else { return }
            let text = Self.text(of: value)
            out += escaped && escaping ? ByteHTMLEscaping.escape(text) : text
        case .section(let name, let children, let inverted):
            let value = lookup(name, in: &stack)
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
        _ value: Any?, _ children: [Node], stack: inout Stack, escaping: Bool, indentation: String?, into out: inout String
    ) {
        guard let value else { return }
        // The commonest section, a text (`{{#chrome.tagline}}`): on the stack as a leaf, as the casts below would end.
        if value is String {
            stack.append(Frame(value, kind: .leaf))
            render(children, stack: &stack, escaping: escaping, indentation: indentation, into: &out)
            stack.removeLast()
            return
        }
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
        _ value: Any?, _ children: [Node], stack: inout Stack, escaping: Bool, indentation: String?, into out: inout String
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
