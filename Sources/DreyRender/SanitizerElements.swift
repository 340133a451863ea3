import Foundation

/// What the tree-building rules need to know about an element name, worked out once per run so
/// that walking the stack of open elements compares integers and bits, never strings.
struct ElementInfo {
    enum Role: UInt8, CaseIterable {
        case other, paragraph, listItem, definitionItem, link, heading, table, tableSection
        case tableCaption, row, cell, input
    }

    struct Traits: OptionSet {
        let rawValue: UInt8
        static let void = Traits(rawValue: 1 << 0)
        static let dropsContent = Traits(rawValue: 1 << 1)
        static let closesParagraph = Traits(rawValue: 1 << 2)
        /// An end tag for an element outside this one cannot close through it.
        static let scopeBoundary = Traits(rawValue: 1 << 3)
        /// The parser's "special" elements that stop the search for an `li`, `dd` or `dt`.
        static let listItemBarrier = Traits(rawValue: 1 << 4)
        /// Inside these a browser moves anything but table parts away from where it was written.
        static let tableContext = Traits(rawValue: 1 << 5)
        /// The table and its parts, whose end tags may reach across cells.
        static let tablePart = Traits(rawValue: 1 << 6)
    }

    let name: String
    let role: Role
    let traits: Traits
    /// Attributes the policy lets this element keep, globals included; nil if the element goes.
    let attributes: Set<String>?

    init(name: String, policy: SanitizerPolicy, contentDropping: Set<String>) {
        self.name = name
        role = Self.roles[name] ?? .other
        var traits: Traits = []
        if Self.voidElements.contains(name) { traits.insert(.void) }
        if contentDropping.contains(name) { traits.insert(.dropsContent) }
        if Self.closesParagraph.contains(name) { traits.insert(.closesParagraph) }
        if ["caption", "table", "td", "th"].contains(name) { traits.insert(.scopeBoundary) }
        if Self.listItemBarriers.contains(name) { traits.insert(.listItemBarrier) }
        if ["table", "tbody", "tfoot", "thead", "tr"].contains(name) {
            traits.insert(.tableContext)
        }
        if Self.tableParts.contains(name) { traits.insert(.tablePart) }
        self.traits = traits
        // Names are written out as they were read, so a hand-made policy naming something odd
        // (`x"y`) must not get it into the output: only plain lowercase names are ever kept.
        if let own = policy.elements[name], Self.isPlainName(name),
            !SanitizerPolicy.forbiddenElements.contains(name)
        {
            attributes = own.union(policy.globalAttributes).filter {
                Self.isPlainName($0) && policy.allowsAttribute($0, permitted: own)
            }
        } else {
            attributes = nil
        }
    }

    private static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || $0.isASCIIDigit
                    || $0 == UInt8(ascii: "-")
            }
    }

    static let voidElements: Set<String> = [
        "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
        "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
    ]
    static let closesParagraph: Set<String> = [
        "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary",
        "table",
        "ul",
    ]
    static let listItemBarriers: Set<String> = [
        "blockquote", "caption", "dd", "details", "dl", "dt", "figcaption", "figure", "h1", "h2",
        "h3", "h4", "h5", "h6", "li", "ol", "pre", "summary", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "ul",
    ]
    static let tableParts: Set<String> = [
        "caption", "col", "colgroup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    ]
    static let roles: [String: Role] = [
        "p": .paragraph, "li": .listItem, "dd": .definitionItem, "dt": .definitionItem, "a": .link,
        "h1": .heading, "h2": .heading, "h3": .heading, "h4": .heading, "h5": .heading,
        "h6": .heading, "table": .table, "thead": .tableSection, "tbody": .tableSection,
        "tfoot": .tableSection, "caption": .tableCaption, "colgroup": .tableCaption, "tr": .row,
        "td": .cell, "th": .cell, "input": .input,
    ]
}

/// Interns element names for one sanitizer run.
struct ElementRegistry {
    private let policy: SanitizerPolicy
    private let contentDropping: Set<String>
    private var ids: [String: Int] = [:]
    private(set) var elements: [ElementInfo] = []

    init(policy: SanitizerPolicy, contentDropping: Set<String>) {
        self.policy = policy
        self.contentDropping = contentDropping
    }

    func existingID(for name: String) -> Int? { ids[name] }

    mutating func id(for name: String) -> Int {
        if let id = ids[name] { return id }
        let id = elements.count
        elements.append(ElementInfo(name: name, policy: policy, contentDropping: contentDropping))
        ids[name] = id
        return id
    }
}
