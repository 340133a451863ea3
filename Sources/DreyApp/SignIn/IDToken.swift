import Crypto
import Foundation
import _CryptoExtras

/// An OpenID Connect ID token (a JWS in compact form), checked as the Core spec (3.1.3.7) asks: signature by a key of
/// the provider's JWKS (RS256 or ES256; never `none`, never a key the token itself carries), issuer, audience and
/// authorized party, expiry and issue time with a little leeway for clocks, and the nonce this sign-in sent.
public struct IDToken: Sendable {
    public let claims: [String: JSONValue]

    public var subject: String { claims["sub"]?.string ?? "" }
    public var email: String? { claims["email"]?.string }
    /// Only a literal `true` (or the string "true", which some providers send) counts as verified.
    public var emailVerified: Bool { claims["email_verified"]?.bool == true || claims["email_verified"]?.string == "true" }
    public var name: String? { claims["name"]?.string ?? claims["preferred_username"]?.string }
    public var picture: String? { claims["picture"]?.string }
    public var website: String? { claims["website"]?.string ?? claims["profile"]?.string }

    /// Why a token was refused, in words for the reader's page and the log.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case malformed
        case algorithm(String)
        case unknownKey
        case badSignature
        case issuer(String)
        case audience
        case authorizedParty
        case expired
        case issuedInFuture
        case nonce
        case noSubject

        public var description: String {
            switch self {
            case .malformed: return "the provider's ID token could not be read"
            case .algorithm(let alg): return "the ID token is signed with \(alg), which Drey does not accept (RS256 or ES256)"
            case .unknownKey: return "the ID token is signed by a key the provider does not publish"
            case .badSignature: return "the ID token's signature is not valid"
            case .issuer(let iss): return "the ID token was issued by \(iss.prefix(100)), not by the provider configured"
            case .audience: return "the ID token was not issued for this blog (wrong audience)"
            case .authorizedParty: return "the ID token was issued for another client (azp)"
            case .expired: return "the ID token has expired"
            case .issuedInFuture: return "the ID token is dated in the future"
            case .nonce: return "the ID token does not answer this sign-in (wrong nonce)"
            case .noSubject: return "the ID token names nobody (no subject)"
            }
        }
    }

    /// Checks `compact` and returns its claims; `keys` is the provider's JWKS (`keys` array).
    public static func verify(
        _ compact: String, keys: [[String: JSONValue]], issuer: String, clientID: String, nonce: String, now: Date, leeway: TimeInterval = 30
    ) throws(Refusal) -> IDToken {
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(String(parts[0])), let payloadBytes = Base64URL.decode(String(parts[1])),
            let signature = Base64URL.decode(String(parts[2])),
            case .object(let header)? = try? JSONDecoder().decode(JSONValue.self, from: Data(headerBytes)),
            case .object(let claims)? = try? JSONDecoder().decode(JSONValue.self, from: Data(payloadBytes))
        else { throw .malformed }
        let alg = header["alg"]?.string ?? "none"
        let kty: String
        switch alg {
        case "RS256": kty = "RSA"
        case "ES256": kty = "EC"
        default: throw .algorithm(alg)
        }
        let kid = header["kid"]?.string
        let candidates = keys.filter { key in
            key["kty"]?.string == kty && (kid == nil || key["kid"]?.string == kid) && (key["use"]?.string ?? "sig") == "sig"
                && (key["alg"]?.string ?? alg) == alg
        }
        guard !candidates.isEmpty else { throw .unknownKey }
        let signed = Data((parts[0] + "." + parts[1]).utf8)
        guard candidates.contains(where: { isValid(signature: signature, of: signed, alg: alg, key: $0) }) else { throw .badSignature }

        let token = IDToken(claims: claims)
        let iss = claims["iss"]?.string ?? ""
        guard iss == issuer else { throw .issuer(iss) }
        let audiences: [String]
        switch claims["aud"] {
        case .string(let one)?: audiences = [one]
        case .array(let many)?: audiences = many.compactMap(\.string)
        default: audiences = []
        }
        guard audiences.contains(clientID) else { throw .audience }
        if let azp = claims["azp"]?.string {
            guard azp == clientID else { throw .authorizedParty }
        } else if audiences.count > 1 {
            throw .authorizedParty
        }
        guard let exp = claims["exp"]?.number else { throw .expired }
        guard now.timeIntervalSince1970 < exp + leeway else { throw .expired }
        if let iat = claims["iat"]?.number, iat > now.timeIntervalSince1970 + leeway { throw .issuedInFuture }
        guard claims["nonce"]?.string == nonce else { throw .nonce }
        guard !token.subject.isEmpty else { throw .noSubject }
        return token
    }

    static func isValid(signature: [UInt8], of data: Data, alg: String, key: [String: JSONValue]) -> Bool {
        switch alg {
        case "RS256":
            guard let n = key["n"]?.string.flatMap(Base64URL.decode), let e = key["e"]?.string.flatMap(Base64URL.decode),
                let publicKey = try? _RSA.Signing.PublicKey(n: n, e: e)
            else { return false }
            return publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
        case "ES256":
            guard key["crv"]?.string == "P-256", let x = key["x"]?.string.flatMap(Base64URL.decode),
                let y = key["y"]?.string.flatMap(Base64URL.decode), x.count == 32, y.count == 32,
                let publicKey = try? P256.Signing.PublicKey(rawRepresentation: x + y),
                let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
            else { return false }
            return publicKey.isValidSignature(ecdsa, for: SHA256.hash(data: data))
        default:
            return false
        }
    }
}

/// Any JSON value, for documents whose shape is the far side's (discovery, JWKS, tokens).
public enum JSONValue: Sendable, Equatable, Decodable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var number: Double? { if case .number(let n) = self { return n } else { return nil } }
    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var object: [String: JSONValue]? { if case .object(let o) = self { return o } else { return nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }

    /// Parses a JSON object; nil for anything else.
    public static func object(from bytes: [UInt8]) -> [String: JSONValue]? {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)))?.object
    }
}

/// Base64 with the URL alphabet and no padding (RFC 7515 §2), as JOSE and PKCE use it.
public enum Base64URL {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String { Array(bytes).withUnsafeBytes { encode(raw: $0) } }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Written directly: Foundation's base64 and string replacing made signing a form token (on every cached page)
    /// the costliest step of answering it.
    public static func encode(raw bytes: UnsafeRawBufferPointer) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        append(raw: bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `encode`'s characters appended to `out`.
    public static func append(raw bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let n = b0 << 16 | b1 << 8 | b2
            let left = bytes.count - i
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            if left > 1 { out.append(alphabet[Int(n >> 6 & 63)]) }
            if left > 2 { out.append(alphabet[Int(n & 63)]) }
            i += 3
        }
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map(Array.init)
    }

    /// A random value of `bytes` bytes, for state, nonce, PKCE verifiers and cookies.
    public static func random(_ bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return encode((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The PKCE S256 challenge of a verifier (RFC 7636 §4.2).
    public static func challenge(_ verifier: String) -> String { encode(SHA256.hash(data: Data(verifier.utf8))) }

    /// Hex SHA-256, as stored for values that must not be kept in the clear.
    public static func hash(_ text: String) -> String { SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined() }
}
