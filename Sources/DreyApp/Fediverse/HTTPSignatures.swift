import Crypto
import DreyCore
import Foundation

/// An incoming request as a signature covers it.
public struct SignedRequest: Sendable {
    public var method: String
    /// The path and query, as sent.
    public var target: String
    /// The full URL the sender addressed (our canonical base and `target`): RFC 9421's `@target-uri`.
    public var targetURI: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String, target: String, targetURI: String, headers: [(String, String)], body: [UInt8]) {
        self.method = method
        self.target = target
        self.targetURI = targetURI
        self.headers = headers
        self.body = body
    }

    /// Every value of a field, joined as RFC 9110 combines them; nil when absent.
    public func header(_ name: String) -> String? {
        let values = headers.filter { $0.0.caseInsensitiveCompare(name) == .orderedSame }.map { $0.1.trimmingCharacters(in: .whitespaces) }
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }
}

/// Why a signed request was refused; the text goes back to the sender.
public struct SignatureError: Error, Equatable, CustomStringConvertible {
    public let description: String
    init(_ text: String) { description = text }
}

/// A signature read from a request, ready to be checked once the signer's key is known.
public struct ParsedSignature: Sendable {
    public enum Form: String, Sendable { case cavage, rfc9421 }
    public var form: Form
    public var keyID: String
    /// The exact bytes that were signed.
    public var base: [UInt8]
    public var signature: [UInt8]
}

/// HTTP signatures in both forms the fediverse uses: draft-cavage-12 (`Signature` with `Digest`), as Mastodon has
/// always sent, and RFC 9421 (`Signature-Input` and `Signature` with `Content-Digest`), as newer servers send.
public enum HTTPSignatures {
    /// How far a request's date may be from ours, either way.
    public static let maxSkew: TimeInterval = 12 * 3600

    // MARK: Signing what we send

    /// Headers for a request signed draft-cavage style (with `Digest` when there is a body).
    public static func cavageHeaders(
        method: String, url: String, body: [UInt8]?, keyID: String, privatePEM: String, now: Date
    ) throws -> [(String, String)] {
        guard let parts = URLComponents(string: url), let host = parts.host else { throw SignatureError("bad URL \(url)") }
        let hostValue = parts.port.map { "\(host):\($0)" } ?? host
        let target = (parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath) + (parts.percentEncodedQuery.map { "?" + $0 } ?? "")
        var headers: [(String, String)] = [("Host", hostValue), ("Date", httpDate(now))]
        var names = ["(request-target)", "host", "date"]
        var lines = ["(request-target): \(method.lowercased()) \(target)", "host: \(hostValue)", "date: \(httpDate(now))"]
        if let body {
            let digest = "SHA-256=" + Data(SHA256.hash(data: body)).base64EncodedString()
            headers.append(("Digest", digest))
            names.append("digest")
            lines.append("digest: \(digest)")
        }
        let signature = try FediverseKeys.sign(Array(lines.joined(separator: "\n").utf8), privatePEM: privatePEM)
        headers.append(
            (
                "Signature",
                "keyId=\"\(keyID)\",algorithm=\"rsa-sha256\",headers=\"\(names.joined(separator: " "))\",signature=\"\(Data(signature).base64EncodedString())\""
            ))
        return headers
    }

    /// Headers for a request signed as RFC 9421 with Mastodon's components (`@method`, `@target-uri`, `content-digest`).
    public static func rfc9421Headers(
        method: String, url: String, body: [UInt8]?, keyID: String, privatePEM: String, now: Date
    ) throws -> [(String, String)] {
        var headers: [(String, String)] = [("Date", httpDate(now))]
        var components = ["\"@method\"", "\"@target-uri\""]
        var lines = ["\"@method\": \(method.uppercased())", "\"@target-uri\": \(url)"]
        if let body {
            let digest = "sha-256=:" + Data(SHA256.hash(data: body)).base64EncodedString() + ":"
            headers.append(("Content-Digest", digest))
            components.append("\"content-digest\"")
            lines.append("\"content-digest\": \(digest)")
        }
        let params = "(\(components.joined(separator: " ")));created=\(Int(now.timeIntervalSince1970));keyid=\"\(keyID)\";alg=\"rsa-v1_5-sha256\""
        lines.append("\"@signature-params\": \(params)")
        let signature = try FediverseKeys.sign(Array(lines.joined(separator: "\n").utf8), privatePEM: privatePEM)
        headers.append(("Signature-Input", "sig1=\(params)"))
        headers.append(("Signature", "sig1=:\(Data(signature).base64EncodedString()):"))
        return headers
    }

    // MARK: Checking what we receive

    /// Reads the signature and checks what needs no key: the date, the body's digest, the covered parts.
    public static func parse(_ request: SignedRequest, now: Date) throws -> ParsedSignature {
        if request.header("Signature-Input") != nil { return try parseRFC9421(request, now: now) }
        guard request.header("Signature") != nil else { throw SignatureError("the request is not signed") }
        return try parseCavage(request, now: now)
    }

    public static func verify(_ parsed: ParsedSignature, publicPEM: String) -> Bool {
        FediverseKeys.verify(parsed.signature, data: parsed.base, publicPEM: publicPEM)
    }

    static func checkDate(_ request: SignedRequest, created: Date?, now: Date) throws {
        let date = request.header("Date").flatMap(parseHTTPDate) ?? created
        guard let date else { throw SignatureError("the request has no Date") }
        guard abs(date.timeIntervalSince(now)) <= maxSkew else { throw SignatureError("the request's Date is more than 12 hours off") }
    }

    static func parseCavage(_ request: SignedRequest, now: Date) throws -> ParsedSignature {
        let fields = cavageFields(request.header("Signature") ?? "")
        guard let keyID = fields["keyid"], !keyID.isEmpty, let encoded = fields["signature"], let signature = Data(base64Encoded: encoded)
        else { throw SignatureError("the Signature header is not valid") }
        let names = (fields["headers"] ?? "date").lowercased().split(separator: " ").map(String.init)
        var lines: [String] = []
        for name in names {
            switch name {
            case "(request-target)": lines.append("(request-target): \(request.method.lowercased()) \(request.target)")
            case "(created)": lines.append("(created): \(fields["created"] ?? "")")
            case "(expires)": lines.append("(expires): \(fields["expires"] ?? "")")
            default:
                guard let value = request.header(name) else { throw SignatureError("the signed header \(name) is missing") }
                lines.append("\(name): \(value)")
            }
        }
        guard names.contains("(request-target)") else { throw SignatureError("the signature does not cover (request-target)") }
        guard names.contains("date") || names.contains("(created)") else { throw SignatureError("the signature does not cover the date") }
        try checkDate(request, created: fields["created"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)), now: now)
        if request.method == "POST" {
            guard names.contains("digest"), let digest = request.header("Digest") else {
                throw SignatureError("the signature does not cover a Digest")
            }
            try checkDigest(digest, body: request.body)
        }
        return ParsedSignature(form: .cavage, keyID: keyID, base: Array(lines.joined(separator: "\n").utf8), signature: Array(signature))
    }

    /// `keyId="…",algorithm="…",headers="…",signature="…"`, names lowercased.
    static func cavageFields(_ header: String) -> [String: String] {
        var fields: [String: String] = [:]
        var rest = Substring(header)
        while let eq = rest.firstIndex(of: "=") {
            let name = rest[..<eq].trimmingCharacters(in: CharacterSet(charactersIn: " ,")).lowercased()
            rest = rest[rest.index(after: eq)...]
            let value: Substring
            if rest.first == "\"" {
                rest = rest.dropFirst()
                let end = rest.firstIndex(of: "\"") ?? rest.endIndex
                value = rest[..<end]
                rest = end < rest.endIndex ? rest[rest.index(after: end)...] : ""
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end]
                rest = rest[end...]
            }
            fields[name] = String(value)
        }
        return fields
    }

    static func checkDigest(_ header: String, body: [UInt8]) throws {
        // `SHA-256=base64`, possibly among others.
        let want = Data(SHA256.hash(data: body)).base64EncodedString()
        for part in header.split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let eq = trimmed.firstIndex(of: "=") else { continue }
            if trimmed[..<eq].lowercased() == "sha-256" {
                guard trimmed[trimmed.index(after: eq)...] == want else { throw SignatureError("the Digest does not match the body") }
                return
            }
        }
        throw SignatureError("the Digest has no SHA-256")
    }

    static func checkContentDigest(_ header: String, body: [UInt8]) throws {
        let want = Data(SHA256.hash(data: body)).base64EncodedString()
        for part in header.split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let eq = trimmed.firstIndex(of: "=") else { continue }
            if trimmed[..<eq].lowercased() == "sha-256" {
                let value = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: CharacterSet(charactersIn: ":"))
                guard value == want else { throw SignatureError("the Content-Digest does not match the body") }
                return
            }
        }
        throw SignatureError("the Content-Digest has no sha-256")
    }

    static func parseRFC9421(_ request: SignedRequest, now: Date) throws -> ParsedSignature {
        guard let input = request.header("Signature-Input"), let signatureField = request.header("Signature"),
            let eq = input.firstIndex(of: "=")
        else { throw SignatureError("the Signature-Input header is not valid") }
        // The first signature; its label names its value in `Signature`.
        let label = input[..<eq].trimmingCharacters(in: .whitespaces)
        let afterLabel = input[input.index(after: eq)...]
        guard afterLabel.first == "(", let close = afterLabel.firstIndex(of: ")") else {
            throw SignatureError("the Signature-Input header is not valid")
        }
        let components = afterLabel[afterLabel.index(after: afterLabel.startIndex)..<close].split(separator: " ").map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        var paramsText = String(afterLabel[...])
        if let comma = topLevelComma(paramsText) { paramsText = String(paramsText[..<comma]) }
        var params: [String: String] = [:]
        let paramsClose = paramsText.firstIndex(of: ")") ?? paramsText.endIndex
        for part in paramsText[paramsClose...].dropFirst().split(separator: ";") {
            guard let peq = part.firstIndex(of: "=") else { continue }
            params[part[..<peq].trimmingCharacters(in: .whitespaces)] = part[part.index(after: peq)...]
                .trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        }
        guard let keyID = params["keyid"], !keyID.isEmpty else { throw SignatureError("the signature has no keyid") }
        if let alg = params["alg"], alg != "rsa-v1_5-sha256" { throw SignatureError("the signature algorithm \(alg) is not supported") }
        var signature: Data? = nil
        for member in signatureField.split(separator: ",") {
            let trimmed = member.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(label + "=") {
                signature = Data(base64Encoded: trimmed.dropFirst(label.count + 1).trimmingCharacters(in: CharacterSet(charactersIn: ":")))
            }
        }
        guard let signature else { throw SignatureError("the Signature header has no \(label)") }
        var lines: [String] = []
        let uri = URLComponents(string: request.targetURI)
        for component in components {
            let value: String?
            switch component {
            case "@method": value = request.method.uppercased()
            case "@target-uri": value = request.targetURI
            case "@authority": value = uri.flatMap { u in u.host.map { h in u.port.map { "\(h):\($0)" } ?? h } }
            case "@scheme": value = uri?.scheme
            case "@path": value = uri?.percentEncodedPath
            case "@query": value = "?" + (uri?.percentEncodedQuery ?? "")
            case "@request-target": value = request.target
            default: value = component.hasPrefix("@") ? nil : request.header(component)
            }
            guard let value else { throw SignatureError("the signed component \(component) is missing") }
            lines.append("\"\(component)\": \(value)")
        }
        lines.append("\"@signature-params\": \(paramsText)")
        guard components.contains("@target-uri") || components.contains("@path") || components.contains("@request-target") else {
            throw SignatureError("the signature does not cover the target")
        }
        try checkDate(request, created: params["created"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)), now: now)
        if request.method == "POST" {
            guard components.contains("content-digest"), let digest = request.header("Content-Digest") else {
                throw SignatureError("the signature does not cover a Content-Digest")
            }
            try checkContentDigest(digest, body: request.body)
        }
        return ParsedSignature(form: .rfc9421, keyID: keyID, base: Array(lines.joined(separator: "\n").utf8), signature: Array(signature))
    }

    /// Where a second signature starts in a `Signature-Input` value (a comma outside quotes and parentheses).
    static func topLevelComma(_ text: String) -> String.Index? {
        var depth = 0
        var quoted = false
        for i in text.indices {
            switch text[i] {
            case "\"": quoted.toggle()
            case "(" where !quoted: depth += 1
            case ")" where !quoted: depth -= 1
            case "," where !quoted && depth == 0: return i
            default: break
            }
        }
        return nil
    }

    public static func httpDate(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(days[Int(tmv.tm_wday)]), \(two(tmv.tm_mday)) \(months[Int(tmv.tm_mon)]) \(Int(tmv.tm_year) + 1900) "
            + "\(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec)) GMT"
    }

    /// The IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`) every current server sends; nil for anything else.
    public static func parseHTTPDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]),
            let month = months.firstIndex(of: String(parts[2])).map({ $0 + 1 })
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        return utcDate(year, month, day, clock[0], clock[1], clock[2])
    }

    static func utcDate(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) -> Date? {
        var components = DateComponents()
        (components.year, components.month, components.day) = (year, month, day)
        (components.hour, components.minute, components.second) = (hour, minute, second)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components)
    }
}
