import DreyRender
import Foundation

/// A microformats2 item (`h-entry`, `h-card`, …) with its properties and nested children.
public struct MF2Item: Sendable, Equatable {
    public var types: [String]
    public var properties: [String: [MF2Value]] = [:]
    public var children: [MF2Item] = []
    /// When the item is a property value: the text the property would have had (its name, url or text).
    public var value: String = ""

    public func first(_ property: String) -> MF2Value? { properties[property]?.first }

    /// The property's first value as text (a nested item gives its `value`).
    public func text(_ property: String) -> String? { first(property)?.text }

    public func has(type: String) -> Bool { types.contains(type) }
}

public indirect enum MF2Value: Sendable, Equatable {
    case text(String)
    case html(String, text: String)
    case item(MF2Item)

    public var text: String {
        switch self {
        case .text(let s): return s
        case .html(_, let text): return text
        case .item(let item): return item.value
        }
    }

    public var item: MF2Item? {
        if case .item(let i) = self { return i }
        return nil
    }
}

/// A microformats2 parser after the living spec at microformats.org: explicit `h-`, `p-`, `u-`, `dt-`
/// and `e-` classes, nested items, the value-class pattern, and implied `name`, `photo` and `url`.
public enum Microformats {
    /// The top-level items of a page fetched from `url` (relative URLs resolve against it, or its `<base>`).
    public static func parse(_ document: HTMLNode, url: String) -> [MF2Item] {
        var base = URL(string: url)
        if let href = document.first("base")?.attribute("href"), let resolved = URL(string: href, relativeTo: base) {
            base = resolved.absoluteURL
        }
        var parser = MF2Parser(base: base)
        return parser.findItems(in: document)
    }

    public static func parse(html: String, url: String) -> [MF2Item] {
        parse(HTMLDocument.parse(html), url: url)
    }

    /// Every item on the page and inside it (children and property values), depth first.
    public static func flatten(_ items: [MF2Item]) -> [MF2Item] {
        var out: [MF2Item] = []
        var stack = Array(items.reversed())
        while let item = stack.popLast() {
            out.append(item)
            var nested: [MF2Item] = item.children
            for values in item.properties.values { nested += values.compactMap(\.item) }
            stack.append(contentsOf: nested.reversed())
        }
        return out
    }
}

struct MF2Parser {
    let base: URL?

    static func rootTypes(_ node: HTMLNode) -> [String] {
        node.classes.filter { isName($0, prefix: "h-") }
    }

    /// Property classes as (prefix, name) pairs: `p-name` → ("p", "name").
    static func propertyClasses(_ node: HTMLNode) -> [(String, String)] {
        node.classes.compactMap { cls in
            for prefix in ["p-", "u-", "dt-", "e-"] where isName(cls, prefix: prefix) {
                return (String(prefix.dropLast()), String(cls.dropFirst(prefix.count)))
            }
            return nil
        }
    }

    /// `h-entry` yes, `h-` or `h-Entry` or `h-entry-` no: lowercase letters, digits and inner hyphens.
    static func isName(_ cls: String, prefix: String) -> Bool {
        guard cls.hasPrefix(prefix) else { return false }
        let rest = cls.dropFirst(prefix.count)
        guard let first = rest.first, first.isLowercase || first.isNumber, rest.last != "-" else { return false }
        return rest.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }

    mutating func findItems(in node: HTMLNode) -> [MF2Item] {
        var items: [MF2Item] = []
        for child in node.elementChildren {
            if !Self.rootTypes(child).isEmpty {
                items.append(parseItem(child))
            } else {
                items += findItems(in: child)
            }
        }
        return items
    }

    /// What was seen while parsing one item, for the implied-property rules.
    struct Seen {
        var prefixes: Set<String> = []
        var nested = false
    }

    mutating func parseItem(_ node: HTMLNode) -> MF2Item {
        var item = MF2Item(types: Self.rootTypes(node).sorted())
        var seen = Seen()
        walk(node.elementChildren, into: &item, seen: &seen)
        imply(&item, node, seen)
        return item
    }

    mutating func walk(_ nodes: [HTMLNode], into item: inout MF2Item, seen: inout Seen) {
        for child in nodes {
            let roots = Self.rootTypes(child)
            let properties = Self.propertyClasses(child)
            if !roots.isEmpty {
                seen.nested = true
                let nested = parseItem(child)
                if properties.isEmpty {
                    item.children.append(nested)
                }
                for (prefix, name) in properties {
                    seen.prefixes.insert(prefix)
                    var valued = nested
                    valued.value = nestedValue(nested, prefix: prefix, node: child)
                    item.properties[name, default: []].append(.item(valued))
                }
                continue
            }
            for (prefix, name) in properties {
                seen.prefixes.insert(prefix)
                item.properties[name, default: []].append(propertyValue(prefix, child))
            }
            walk(child.elementChildren, into: &item, seen: &seen)
        }
    }

    func nestedValue(_ nested: MF2Item, prefix: String, node: HTMLNode) -> String {
        switch prefix {
        case "p": return nested.text("name") ?? Self.clean(node.textWithImageAlts)
        case "u": return nested.text("url") ?? propertyValue("u", node).text
        default: return Self.clean(node.textContent)
        }
    }

    func propertyValue(_ prefix: String, _ node: HTMLNode) -> MF2Value {
        switch prefix {
        case "u": return .text(urlValue(node))
        case "dt": return .text(dateValue(node))
        case "e": return .html(node.innerHTML.trimmingCharacters(in: .whitespacesAndNewlines), text: Self.clean(node.textContent))
        default: return .text(textValue(node))
        }
    }

    func textValue(_ node: HTMLNode) -> String {
        if let parts = Self.valueClassParts(node) { return parts.joined() }
        switch node.name {
        case "abbr", "link": if let title = node.attribute("title") { return title }
        case "data", "input": if let value = node.attribute("value") { return value }
        case "img", "area": if let alt = node.attribute("alt") { return alt }
        default: break
        }
        return Self.clean(node.textWithImageAlts)
    }

    func urlValue(_ node: HTMLNode) -> String {
        let attribute: String?
        switch node.name {
        case "a", "area", "link": attribute = node.attribute("href")
        case "img", "audio", "source", "iframe": attribute = node.attribute("src")
        case "video": attribute = node.attribute("src") ?? node.attribute("poster")
        case "object": attribute = node.attribute("data")
        default: attribute = nil
        }
        if let attribute { return resolve(attribute) }
        if let parts = Self.valueClassParts(node) { return resolve(parts.joined()) }
        switch node.name {
        case "abbr": if let title = node.attribute("title") { return resolve(title) }
        case "data", "input": if let value = node.attribute("value") { return resolve(value) }
        default: break
        }
        return resolve(Self.clean(node.textContent))
    }

    func dateValue(_ node: HTMLNode) -> String {
        if let parts = Self.valueClassParts(node) { return parts.joined(separator: " ") }
        switch node.name {
        case "time", "ins", "del": if let value = node.attribute("datetime") { return value }
        case "abbr": if let value = node.attribute("title") { return value }
        case "data", "input": if let value = node.attribute("value") { return value }
        default: break
        }
        return Self.clean(node.textContent)
    }

    /// The value-class pattern: text of descendant `value` (or `value-title`) elements, outside nested items.
    static func valueClassParts(_ node: HTMLNode) -> [String]? {
        var parts: [String] = []
        var stack = Array(node.elementChildren.reversed())
        while let child = stack.popLast() {
            if !rootTypes(child).isEmpty { continue }
            let classes = child.classes
            if classes.contains("value-title") {
                parts.append(child.attribute("title") ?? "")
            } else if classes.contains("value") {
                switch child.name {
                case "img", "area": parts.append(child.attribute("alt") ?? "")
                case "data": parts.append(child.attribute("value") ?? clean(child.textContent))
                case "abbr": parts.append(child.attribute("title") ?? clean(child.textContent))
                case "time", "ins", "del": parts.append(child.attribute("datetime") ?? clean(child.textContent))
                default: parts.append(clean(child.textContent))
                }
            } else {
                stack.append(contentsOf: child.elementChildren.reversed())
            }
        }
        return parts.isEmpty ? nil : parts
    }

    func resolve(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let url = URL(string: trimmed, relativeTo: base) else { return trimmed }
        return url.absoluteURL.absoluteString
    }

    static func clean(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
