import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Streams an XML-RPC document into values; parsing is bounded by the request size the server accepts.
final class XMLRPCReader: NSObject, XMLParserDelegate {
    private(set) var rootName: String?
    private(set) var methodName: String?
    private(set) var params: [XMLRPCValue] = []
    private(set) var fault: XMLRPCValue?
    private(set) var failed: String?

    /// Open containers: arrays and structs being filled, with the member name pending for structs.
    private enum Container {
        case array([XMLRPCValue])
        case structure([String: XMLRPCValue], pendingName: String?)
    }

    private var elements: [String] = []
    private var containers: [Container] = []
    private var text = ""
    /// A `<value>` with no type element inside is a string.
    private var valueHadType: [Bool] = []
    private static let maxDepth = 64

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if rootName == nil { rootName = name }
        elements.append(name)
        if elements.count > Self.maxDepth {
            failed = "too deep"
            parser.abortParsing()
            return
        }
        text = ""
        switch name {
        case "value": valueHadType.append(false)
        case "array": containers.append(.array([]))
        case "struct": containers.append(.structure([:], pendingName: nil))
        default: break
        }
        if ["string", "int", "i4", "i8", "boolean", "double", "dateTime.iso8601", "base64", "array", "struct"].contains(name),
            !valueHadType.isEmpty
        {
            valueHadType[valueHadType.count - 1] = true
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) { text += String(decoding: CDATABlock, as: UTF8.self) }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        defer { _ = elements.popLast() }
        switch name {
        case "methodName": methodName = text.trimmingCharacters(in: .whitespacesAndNewlines)
        case "string": emit(.string(text))
        case "int", "i4", "i8":
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)) else { return fail(parser, "bad int") }
            emit(.int(n))
        case "boolean": emit(.bool(text.trimmingCharacters(in: .whitespaces) == "1"))
        case "double":
            guard let d = Double(text.trimmingCharacters(in: .whitespaces)) else { return fail(parser, "bad double") }
            emit(.double(d))
        case "dateTime.iso8601": emit(.dateTime(text.trimmingCharacters(in: .whitespaces)))
        case "base64": emit(.base64(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        case "name":
            if case .structure(let members, _) = containers.last {
                containers[containers.count - 1] = .structure(members, pendingName: text)
            }
        case "array":
            guard case .array(let items) = containers.popLast() else { return fail(parser, "unbalanced array") }
            emit(.array(items))
        case "struct":
            guard case .structure(let members, _) = containers.popLast() else { return fail(parser, "unbalanced struct") }
            emit(.struct(members))
        case "value":
            if valueHadType.popLast() == false { emit(.string(text)) }
        default: break
        }
    }

    private func fail(_ parser: XMLParser, _ why: String) {
        failed = why
        parser.abortParsing()
    }

    /// Puts a finished value where it belongs: in the open container, or as a param or the fault.
    private func emit(_ value: XMLRPCValue) {
        if let last = containers.last {
            switch last {
            case .array(var items):
                items.append(value)
                containers[containers.count - 1] = .array(items)
            case .structure(var members, let pending):
                if let pending { members[pending] = value }
                containers[containers.count - 1] = .structure(members, pendingName: nil)
            }
            return
        }
        if elements.contains("fault") {
            fault = value
        } else if elements.contains("param") {
            params.append(value)
        }
    }

    // Declarations of any kind mean a DTD, which XML-RPC never has: stop before anything is expanded.
    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        fail(parser, "entity declaration")
    }

    func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
        fail(parser, "entity declaration")
    }

    func parser(_ parser: XMLParser, foundUnparsedEntityDeclarationWithName name: String, publicID: String?, systemID: String?, notationName: String?)
    {
        fail(parser, "entity declaration")
    }

    func parser(_ parser: XMLParser, foundElementDeclarationWithName elementName: String, model: String) {
        fail(parser, "element declaration")
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        if failed == nil { failed = "\(parseError)" }
    }
}
