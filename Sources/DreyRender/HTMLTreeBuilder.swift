import Foundation

/// Builds an `HTMLNode` tree from the tokenizer's tokens with the few tree rules readers rely on.
struct HTMLTreeBuilder {
    static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    ]
    /// Start tags that close an open `p`, as a browser does.
    static let closesParagraph: Set<String> = [
        "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figcaption", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "menu", "nav", "ol", "p", "pre",
        "section", "table", "ul",
    ]
    /// Deeper nesting than this is flattened into the deepest element, keeping every walk bounded.
    static let maxDepth = 256

    let root = HTMLNode(name: "#document")
    private var open: [HTMLNode] = []
    private let entities = HTMLEntityTable.shared

    init() {}

    mutating func build(_ input: UnsafeBufferPointer<UInt8>) {
        open = [root]
        var tokenizer = HTMLTokenizer(input: input)
        var scratch: [UInt8] = []
        while let token = tokenizer.next() {
            switch token {
            case .text(let range):
                scratch.removeAll(keepingCapacity: true)
                HTMLCharacterReferences.decode(input, range, inAttribute: false, entities: entities, into: &scratch)
                current.append(HTMLNode(name: "#text", text: String(decoding: scratch, as: UTF8.self)))
            case .startTag(let range):
                guard let name = Self.lowercasedName(input, range) else { continue }
                var attributes: [(name: String, value: String)] = []
                for attribute in tokenizer.attributes {
                    guard let attributeName = Self.lowercasedName(input, attribute.name),
                        !attributes.contains(where: { $0.name == attributeName })
                    else { continue }
                    var value = ""
                    if let valueRange = attribute.value {
                        scratch.removeAll(keepingCapacity: true)
                        HTMLCharacterReferences.decode(input, valueRange, inAttribute: true, entities: entities, into: &scratch)
                        value = String(decoding: scratch, as: UTF8.self)
                    }
                    attributes.append((attributeName, value))
                }
                start(name, attributes)
            case .endTag(let range):
                guard let name = Self.lowercasedName(input, range) else { continue }
                end(name)
            }
        }
    }

    private var current: HTMLNode { open.last ?? root }

    private mutating func start(_ name: String, _ attributes: [(name: String, value: String)]) {
        if Self.closesParagraph.contains(name) { closeIfOpen("p", stoppingAt: ["button", "td", "th", "table"]) }
        switch name {
        case "li": closeIfOpen("li", stoppingAt: ["ul", "ol", "menu"])
        case "dt", "dd":
            closeIfOpen("dt", stoppingAt: ["dl"])
            closeIfOpen("dd", stoppingAt: ["dl"])
        case "td", "th":
            closeIfOpen("td", stoppingAt: ["tr", "table"])
            closeIfOpen("th", stoppingAt: ["tr", "table"])
        case "tr": closeIfOpen("tr", stoppingAt: ["table", "tbody", "thead", "tfoot"])
        case "option": closeIfOpen("option", stoppingAt: ["select", "datalist"])
        case "a": closeIfOpen("a", stoppingAt: [])
        default: break
        }
        let node = HTMLNode(name: name, attributes: attributes)
        current.append(node)
        if !Self.voidElements.contains(name) && open.count < Self.maxDepth { open.append(node) }
    }

    private mutating func end(_ name: String) {
        guard let index = open.lastIndex(where: { $0.name == name }), index > 0 else { return }
        open.removeSubrange(index...)
    }

    /// Pops to and including the nearest open `name`, unless one of `boundaries` is nearer.
    private mutating func closeIfOpen(_ name: String, stoppingAt boundaries: Set<String>) {
        for index in stride(from: open.count - 1, to: 0, by: -1) {
            let element = open[index].name
            if element == name {
                open.removeSubrange(index...)
                return
            }
            if boundaries.contains(element) { return }
        }
    }

    static func lowercasedName(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        guard !range.isEmpty, range.count <= 64 else { return nil }
        return String(decoding: input[range].map { $0.asciiLowercased }, as: UTF8.self)
    }

    /// Names safe to write back as attribute names.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }
}
