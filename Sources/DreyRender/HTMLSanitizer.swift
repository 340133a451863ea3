import Foundation

/// Allowlist HTML sanitizer for everything not written by a site's trusted staff.
///
/// The input is tokenized and rebuilt, never patched: only allowed elements and attributes are
/// written back, every text and attribute value is decoded and then fully re-escaped, and every
/// element written is closed in proper nesting. A browser therefore parses the output into the
/// tree the sanitizer meant, whatever tricks the input played on the parser.
public enum HTMLSanitizer {
    /// Returns `html` reduced to what `policy` allows; links to `trustedHosts` get no `nofollow`.
    public static func sanitize(
        _ html: String,
        policy: SanitizerPolicy,
        trustedHosts: Set<String> = []
    ) -> String {
        var html = html
        return html.withUTF8 { input in
            var run = SanitizerRun(
                input: input,
                policy: policy,
                trustedHosts: Set(trustedHosts.map { $0.lowercased() })
            )
            run.sanitize()
            return String(decoding: run.output, as: UTF8.self)
        }
    }
}

/// One pass of the sanitizer: the tokenizer, the stack of open elements and the output.
struct SanitizerRun {
    struct OpenElement {
        let id: Int
        let role: ElementInfo.Role
        let traits: ElementInfo.Traits
        /// False for an element being dropped together with its content.
        let isKept: Bool
    }

    /// Deeper nesting than this is dropped (its text kept): no real post needs it, and it keeps
    /// every stack walk short and the output safe for recursive consumers.
    static let maxKeptDepth = 100
    /// Room for elements inside dropped content, so their end tags match them and not an outer one.
    static let maxStackDepth = 256

    var tokenizer: HTMLTokenizer
    let policy: SanitizerPolicy
    let trustedHosts: Set<String>
    var registry: ElementRegistry
    var output: [UInt8] = []
    var open: [OpenElement] = []
    /// Open elements per name id and per role, so an end tag for nothing open, or a search for
    /// an open `p` when there is none, costs nothing.
    private var openCounts: [Int] = []
    private(set) var openRoleCounts = [Int](repeating: 0, count: ElementInfo.Role.allCases.count)
    private var droppingDepth = 0
    private let entities = HTMLEntityTable.shared
    private var scratch: [UInt8] = []
    private var handledAttributes: [String] = []

    init(input: UnsafeBufferPointer<UInt8>, policy: SanitizerPolicy, trustedHosts: Set<String>) {
        tokenizer = HTMLTokenizer(input: input)
        self.policy = policy
        self.trustedHosts = trustedHosts
        // The tokenizer reads raw-text elements' content as text; dropping it keeps code out.
        registry = ElementRegistry(
            policy: policy,
            contentDropping: policy.contentDroppingElements.union(HTMLTokenizer.rawTextElements)
        )
        output.reserveCapacity(input.count + input.count / 8)
    }

    mutating func sanitize() {
        while let token = tokenizer.next() {
            switch token {
            case .text(let range):
                if droppingDepth == 0 { appendText(range) }
            case .startTag(let range):
                if let name = tokenizer.name(range) { startTag(registry.id(for: name)) }
            case .endTag(let range):
                if let name = tokenizer.name(range), let id = registry.existingID(for: name),
                    id < openCounts.count, openCounts[id] > 0,
                    let index = openIndex(forEndTag: registry.elements[id].traits, id: id)
                {
                    close(downTo: index)
                }
            }
        }
        close(downTo: 0)
    }

    private mutating func startTag(_ id: Int) {
        let role = registry.elements[id].role
        let traits = registry.elements[id].traits
        let isVoid = traits.contains(.void)
        if droppingDepth > 0 || traits.contains(.dropsContent) {
            if !isVoid && open.count < Self.maxStackDepth {
                push(OpenElement(id: id, role: role, traits: traits, isKept: false))
            }
            return
        }
        if role == .input {
            if policy.allowsTaskListCheckboxes && prepareToInsert(role, traits) { appendCheckbox() }
            return
        }
        guard let attributes = registry.elements[id].attributes,
            prepareToInsert(role, traits),
            open.count < Self.maxKeptDepth
        else { return }
        appendStartTag(
            registry.elements[id].name, role: role, attributes: attributes, isVoid: isVoid)
        if !isVoid { push(OpenElement(id: id, role: role, traits: traits, isKept: true)) }
    }

    private mutating func push(_ element: OpenElement) {
        open.append(element)
        while openCounts.count <= element.id { openCounts.append(0) }
        openCounts[element.id] += 1
        openRoleCounts[Int(element.role.rawValue)] += 1
        if !element.isKept { droppingDepth += 1 }
    }

    /// Pops and closes every element from the top of the stack down to `index`, inclusive.
    mutating func close(downTo index: Int) {
        while open.count > index {
            let element = open.removeLast()
            openCounts[element.id] -= 1
            openRoleCounts[Int(element.role.rawValue)] -= 1
            if element.isKept {
                output.append(contentsOf: "</".utf8)
                output.append(contentsOf: registry.elements[element.id].name.utf8)
                output.append(UInt8(ascii: ">"))
            } else {
                droppingDepth -= 1
            }
        }
    }

    /// Opens an element the sanitizer adds itself (the `tr` a bare `td` implies).
    mutating func openImplied(_ name: String) {
        let id = registry.id(for: name)
        output.append(UInt8(ascii: "<"))
        output.append(contentsOf: name.utf8)
        output.append(UInt8(ascii: ">"))
        let element = registry.elements[id]
        push(OpenElement(id: id, role: element.role, traits: element.traits, isKept: true))
    }

    private mutating func appendText(_ range: Range<Int>) {
        scratch.removeAll(keepingCapacity: true)
        HTMLCharacterReferences.decode(
            tokenizer.input, range, inAttribute: false, entities: entities, into: &scratch)
        appendEscaped(scratch[...], inAttribute: false)
    }

    private mutating func appendStartTag(
        _ name: String,
        role: ElementInfo.Role,
        attributes: Set<String>,
        isVoid: Bool
    ) {
        output.append(UInt8(ascii: "<"))
        output.append(contentsOf: name.utf8)
        handledAttributes.removeAll(keepingCapacity: true)
        var rel: [UInt8]?
        var linksOut = false
        for attribute in tokenizer.attributes {
            // Only allowed names are remembered, so thousands of attributes stay linear; the first
            // occurrence wins, as in browsers, even when its value is then refused.
            guard let attributeName = tokenizer.name(attribute.name),
                attributes.contains(attributeName),
                !handledAttributes.contains(attributeName)
            else { continue }
            handledAttributes.append(attributeName)
            scratch.removeAll(keepingCapacity: true)
            if let value = attribute.value {
                HTMLCharacterReferences.decode(
                    tokenizer.input, value, inAttribute: true, entities: entities, into: &scratch)
            }
            var kept = scratch.indices
            if policy.urlAttributes.contains(attributeName) {
                guard let url = checkedURL(scratch) else { continue }
                kept = url.range
                if role == .link && attributeName == "href" { linksOut = url.leavesSite }
            }
            if role == .link && attributeName == "rel" {
                rel = scratch
                continue
            }
            appendAttribute(attributeName, scratch[kept])
        }
        if role == .link {
            let addsNofollow = linksOut && policy.addsNofollowToExternalLinks
            let tokens = Self.relTokens(rel ?? [], addingNofollow: addsNofollow)
            if !tokens.isEmpty {
                appendAttribute("rel", Array(tokens.joined(separator: " ").utf8)[...])
            }
        }
        output.append(contentsOf: (isVoid ? " />" : ">").utf8)
    }

    private static func relTokens(_ value: [UInt8], addingNofollow: Bool) -> [String] {
        var tokens: [String] = []
        var seen: Set<String> = []
        let written = String(decoding: value, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        for token in written.map({ $0.lowercased() }) + (addingNofollow ? ["nofollow", "ugc"] : [])
        where seen.insert(token).inserted {
            tokens.append(token)
        }
        return tokens
    }

    /// Task-list checkboxes only: always disabled, so a reader cannot toggle anything.
    private mutating func appendCheckbox() {
        var type: String?
        var isChecked = false
        for attribute in tokenizer.attributes {
            switch tokenizer.name(attribute.name) {
            case "type" where type == nil:
                scratch.removeAll(keepingCapacity: true)
                if let value = attribute.value {
                    HTMLCharacterReferences.decode(
                        tokenizer.input, value, inAttribute: true, entities: entities,
                        into: &scratch)
                }
                type = String(decoding: scratch, as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            case "checked":
                isChecked = true
            default:
                continue
            }
        }
        guard type == "checkbox" else { return }
        let checked = isChecked ? #" checked="""# : ""
        output.append(contentsOf: #"<input type="checkbox"\#(checked) disabled="" />"#.utf8)
    }

    private mutating func appendAttribute(_ name: String, _ value: ArraySlice<UInt8>) {
        output.append(UInt8(ascii: " "))
        output.append(contentsOf: name.utf8)
        output.append(contentsOf: #"=""#.utf8)
        appendEscaped(value, inAttribute: true)
        output.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ bytes: ArraySlice<UInt8>, inAttribute: Bool) {
        bytes.withUnsafeBufferPointer { bytes in
            var copied = 0
            for index in bytes.indices {
                let escape: StaticString
                switch bytes[index] {
                case UInt8(ascii: "&"): escape = "&amp;"
                case UInt8(ascii: "<"): escape = "&lt;"
                case UInt8(ascii: ">"): escape = "&gt;"
                case UInt8(ascii: "\"") where inAttribute: escape = "&quot;"
                default: continue
                }
                if copied < index {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<index]))
                }
                output.append(
                    contentsOf: UnsafeBufferPointer(
                        start: escape.utf8Start, count: escape.utf8CodeUnitCount))
                copied = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
        }
    }
}
