import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// An XML-RPC value, as pingback clients and servers exchange them.
public indirect enum XMLRPCValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case double(Double)
    case dateTime(String)
    case base64(String)
    case array([XMLRPCValue])
    case `struct`([String: XMLRPCValue])

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

/// A `methodCall` as received.
public struct XMLRPCCall: Sendable, Equatable {
    public var method: String
    public var params: [XMLRPCValue]
}

/// A fault as WordPress answers it: a code and a sentence.
public struct XMLRPCFault: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var message: String

    public init(_ code: Int, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "fault \(code): \(message)" }

    /// The XML-RPC interoperability codes WordPress's IXR server uses for broken requests.
    public static let notWellFormed = XMLRPCFault(-32700, "parse error. not well formed")
    public static let notACall = XMLRPCFault(-32600, "server error. invalid xml-rpc. not conforming to spec. Request must be a methodCall")
    public static func unknownMethod(_ name: String) -> XMLRPCFault {
        XMLRPCFault(-32601, "server error. requested method \(name.prefix(100)) does not exist.")
    }
    public static let wrongParameters = XMLRPCFault(-32602, "server error. invalid method parameters")
}

/// Reading and writing XML-RPC documents.
public enum XMLRPC {
    /// Parses a `methodCall`; throws the fault WordPress would answer for a broken one.
    public static func parseCall(_ body: [UInt8]) throws(XMLRPCFault) -> XMLRPCCall {
        // XML-RPC never needs a DTD; refusing one anywhere rules out entity expansion and external entities.
        guard !declaresDTD(body) else { throw .notWellFormed }
        let reader = XMLRPCReader()
        let parser = XMLParser(data: Data(body))
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse(), reader.failed == nil, reader.rootName != nil else { throw .notWellFormed }
        guard reader.rootName == "methodCall", let method = reader.methodName, !method.isEmpty else { throw .notACall }
        return XMLRPCCall(method: method, params: reader.params)
    }

    /// Parses a `methodResponse`: the value, or the fault it carries.
    public static func parseResponse(_ body: [UInt8]) -> Result<XMLRPCValue, XMLRPCFault> {
        // A remote server's answer is as untrusted as a request.
        guard !declaresDTD(body) else { return .failure(XMLRPCFault(-32700, "the answer declares a DTD, which XML-RPC never needs")) }
        let reader = XMLRPCReader()
        let parser = XMLParser(data: Data(body))
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse(), reader.failed == nil, reader.rootName == "methodResponse" else {
            return .failure(XMLRPCFault(-32700, "the answer is not an XML-RPC response"))
        }
        if let fault = reader.fault {
            if case .struct(let members) = fault {
                let code: Int
                switch members["faultCode"] {
                case .int(let n): code = n
                case .string(let s): code = Int(s) ?? 0
                default: code = 0
                }
                return .failure(XMLRPCFault(code, members["faultString"]?.stringValue ?? ""))
            }
            return .failure(XMLRPCFault(0, "unreadable fault"))
        }
        guard let value = reader.params.first else { return .failure(XMLRPCFault(-32700, "the answer holds no value")) }
        return .success(value)
    }

    /// Whether `<!DOCTYPE` or `<!ENTITY` appears anywhere in the document, in any letter case: after a long
    /// comment, inside CDATA or past any prefix. The parser's own declaration callbacks refuse them again.
    public static func declaresDTD(_ body: [UInt8]) -> Bool {
        let words: [[UInt8]] = [Array("DOCTYPE".utf8), Array("ENTITY".utf8)]
        var i = 0
        while i + 1 < body.count {
            if body[i] == UInt8(ascii: "<"), body[i + 1] == UInt8(ascii: "!") {
                for word in words where i + 2 + word.count <= body.count {
                    var same = true
                    for (k, letter) in word.enumerated() where body[i + 2 + k] & 0xDF != letter {
                        same = false
                        break
                    }
                    if same { return true }
                }
            }
            i += 1
        }
        return false
    }

    public static func call(_ method: String, _ params: [XMLRPCValue]) -> String {
        var out = "<?xml version=\"1.0\"?>\n<methodCall>\n<methodName>\(escape(method))</methodName>\n<params>\n"
        for param in params { out += "<param><value>\(encode(param))</value></param>\n" }
        return out + "</params>\n</methodCall>\n"
    }

    public static func response(_ value: XMLRPCValue) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <methodResponse>
          <params>
            <param>
              <value>\(encode(value))</value>
            </param>
          </params>
        </methodResponse>

        """
    }

    public static func fault(_ fault: XMLRPCFault) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <methodResponse>
          <fault>
            <value>
              <struct>
                <member><name>faultCode</name><value><int>\(fault.code)</int></value></member>
                <member><name>faultString</name><value><string>\(escape(fault.message))</string></value></member>
              </struct>
            </value>
          </fault>
        </methodResponse>

        """
    }

    static func encode(_ value: XMLRPCValue) -> String {
        switch value {
        case .string(let s): return "<string>\(escape(s))</string>"
        case .int(let n): return "<int>\(n)</int>"
        case .bool(let b): return "<boolean>\(b ? 1 : 0)</boolean>"
        case .double(let d): return "<double>\(d)</double>"
        case .dateTime(let s): return "<dateTime.iso8601>\(escape(s))</dateTime.iso8601>"
        case .base64(let s): return "<base64>\(escape(s))</base64>"
        case .array(let items): return "<array><data>" + items.map { "<value>\(encode($0))</value>" }.joined() + "</data></array>"
        case .struct(let members):
            return "<struct>"
                + members.sorted { $0.key < $1.key }.map {
                    "<member><name>\(escape($0.key))</name><value>\(encode($0.value))</value></member>"
                }.joined() + "</struct>"
        }
    }

    /// Text for XML element content; control characters XML cannot carry are dropped.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
