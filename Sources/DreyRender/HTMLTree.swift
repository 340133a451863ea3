import Foundation

/// A node of a parsed HTML document: an element with attributes and children, or text.
///
/// Built for reading pages from outside (links, titles, microformats), not for rendering:
/// tree construction follows the HTML rules that matter for that (void elements, implied end
/// tags of `p`, `li`, `dt`/`dd`, table cells, options) and is tolerant of everything else.
public final class HTMLNode {
    /// Lowercased element name; `#text` for text and `#document` for the root.
    public let name: String
    public let attributes: [(name: String, value: String)]
    /// Decoded text of a text node; empty for elements.
    public let text: String
    public private(set) var children: [HTMLNode] = []
    public private(set) weak var parent: HTMLNode?

    init(name: String, attributes: [(name: String, value: String)] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.text = text
    }

    func append(_ child: HTMLNode) {
        child.parent = self
        children.append(child)
    }

    public var isText: Bool { name == "#text" }
    public var isElement: Bool { !name.hasPrefix("#") }

    /// The attribute's decoded value, or nil when absent.
    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// Class names, split on whitespace.
    public var classes: [String] {
        (attribute("class") ?? "").split(whereSeparator: { $0.isWhitespace }).map(String.init)
    }

    /// `rel` values, lowercased.
    public var rels: [String] {
        (attribute("rel") ?? "").lowercased().split(whereSeparator: { $0.isWhitespace }).map(String.init)
    }

    public var elementChildren: [HTMLNode] { children.filter(\.isElement) }

    /// Every element below this node, in document order.
    public var descendants: [HTMLNode] {
        var result: [HTMLNode] = []
        var stack: [HTMLNode] = children.reversed()
        while let node = stack.popLast() {
            guard node.isElement else { continue }
            result.append(node)
            stack.append(contentsOf: node.children.reversed())
        }
        return result
    }

    public func first(_ name: String) -> HTMLNode? { descendants.first { $0.name == name } }

    /// The text a reader sees: descendant text without scripts and styles; images count as their `alt`.
    public var textContent: String {
        var out = ""
        appendText(to: &out, imagesAsAlt: false)
        return out
    }

    /// Text as microformats read it for `p-` properties: images count as their `alt`.
    public var textWithImageAlts: String {
        var out = ""
        appendText(to: &out, imagesAsAlt: true)
        return out
    }

    private func appendText(to out: inout String, imagesAsAlt: Bool) {
        var stack: [HTMLNode] = [self]
        while let node = stack.popLast() {
            if node.isText {
                out += node.text
            } else if node.name == "script" || node.name == "style" || node.name == "template" {
                continue
            } else if node.name == "img", imagesAsAlt {
                out += node.attribute("alt") ?? ""
            } else {
                stack.append(contentsOf: node.children.reversed())
            }
        }
    }

    /// The children serialised back to HTML (text escaped, attributes quoted).
    public var innerHTML: String {
        var out = ""
        for child in children { child.serialize(into: &out, depth: 0) }
        return out
    }

    private func serialize(into out: inout String, depth: Int) {
        if isText {
            out += HTMLEscape.text(text)
            return
        }
        guard isElement, depth < HTMLTreeBuilder.maxDepth else { return }
        out += "<" + name
        for attribute in attributes where HTMLTreeBuilder.isPlainName(attribute.name) {
            out += " \(attribute.name)=\"\(HTMLEscape.text(attribute.value))\""
        }
        out += ">"
        if HTMLTreeBuilder.voidElements.contains(name) { return }
        for child in children { child.serialize(into: &out, depth: depth + 1) }
        out += "</\(name)>"
    }
}

/// Parses HTML into `HTMLNode`s.
public enum HTMLDocument {
    public static func parse(_ html: String) -> HTMLNode {
        var builder = HTMLTreeBuilder()
        var copy = html
        copy.withUTF8 { builder.build($0) }
        return builder.root
    }
}
