import DreyRender
import Foundation

extension MF2Parser {
    /// Adds the implied `name`, `photo` and `url` where the item states none (spec: "implied properties").
    func imply(_ item: inout MF2Item, _ node: HTMLNode, _ seen: Seen) {
        if item.properties["name"] == nil, !seen.prefixes.contains("p"), !seen.prefixes.contains("e"), !seen.nested {
            item.properties["name"] = [.text(impliedName(node))]
        }
        if item.properties["photo"] == nil, !seen.prefixes.contains("u"), !seen.nested, let photo = impliedPhoto(node) {
            item.properties["photo"] = [.text(resolve(photo))]
        }
        if item.properties["url"] == nil, !seen.prefixes.contains("u"), !seen.nested, let url = impliedURL(node) {
            item.properties["url"] = [.text(resolve(url))]
        }
    }

    /// The only element child, when it is not itself a microformat.
    static func onlyChild(_ node: HTMLNode, named names: Set<String>) -> HTMLNode? {
        let children = node.elementChildren
        guard children.count == 1, let child = children.first, names.contains(child.name), rootTypes(child).isEmpty else {
            return nil
        }
        return child
    }

    static func onlyChildren(_ node: HTMLNode) -> [HTMLNode] {
        var found: [HTMLNode] = []
        let children = node.elementChildren
        if children.count == 1, let child = children.first, rootTypes(child).isEmpty {
            found.append(child)
            let grand = child.elementChildren
            if grand.count == 1, let g = grand.first, rootTypes(g).isEmpty { found.append(g) }
        }
        return found
    }

    func impliedName(_ node: HTMLNode) -> String {
        switch node.name {
        case "img", "area": if let alt = node.attribute("alt") { return alt }
        case "abbr": if let title = node.attribute("title") { return title }
        default: break
        }
        for candidate in Self.onlyChildren(node) {
            switch candidate.name {
            case "img", "area": if let alt = candidate.attribute("alt"), !alt.isEmpty { return alt }
            case "abbr": if let title = candidate.attribute("title"), !title.isEmpty { return title }
            default: continue
            }
        }
        return Self.clean(node.textWithImageAlts)
    }

    /// The one child element of that name (`:only-of-type`), when it is not itself a microformat.
    static func onlyOfType(_ node: HTMLNode, _ name: String) -> HTMLNode? {
        let matching = node.elementChildren.filter { $0.name == name }
        guard matching.count == 1, let only = matching.first, rootTypes(only).isEmpty else { return nil }
        return only
    }

    /// `node` and, when it has exactly one element child that is no microformat, that child: where
    /// implied photos and URLs are looked for.
    static func impliedScopes(_ node: HTMLNode) -> [HTMLNode] {
        let children = node.elementChildren
        if children.count == 1, let child = children.first, rootTypes(child).isEmpty { return [node, child] }
        return [node]
    }

    func impliedPhoto(_ node: HTMLNode) -> String? {
        if node.name == "img", let src = node.attribute("src") { return src }
        if node.name == "object", let data = node.attribute("data") { return data }
        for scope in Self.impliedScopes(node) {
            if let img = Self.onlyOfType(scope, "img"), let src = img.attribute("src") { return src }
            if let object = Self.onlyOfType(scope, "object"), let data = object.attribute("data") { return data }
        }
        return nil
    }

    func impliedURL(_ node: HTMLNode) -> String? {
        if node.name == "a" || node.name == "area", let href = node.attribute("href") { return href }
        for scope in Self.impliedScopes(node) {
            if let a = Self.onlyOfType(scope, "a"), let href = a.attribute("href") { return href }
            if let area = Self.onlyOfType(scope, "area"), let href = area.attribute("href") { return href }
        }
        return nil
    }
}
