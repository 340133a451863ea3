import Crypto
import Foundation
import Testing

@testable import DreyApp

/// ES256 ID tokens (the identity peer signs RS256 only): a P-256 key of our own signs, the verifier checks.
@Suite struct IDTokenTests {
    let key = P256.Signing.PrivateKey()
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    var jwks: [[String: JSONValue]] {
        let raw = Array(key.publicKey.rawRepresentation)
        return [
            [
                "kty": .string("EC"), "crv": .string("P-256"), "kid": .string("e1"), "x": .string(Base64URL.encode(raw[0..<32])),
                "y": .string(Base64URL.encode(raw[32..<64])),
            ]
        ]
    }

    func token(_ claims: [String: Any], alg: String = "ES256", kid: String = "e1") throws -> String {
        let header = try JSONSerialization.data(withJSONObject: ["alg": alg, "kid": kid, "typ": "JWT"])
        let payload = try JSONSerialization.data(withJSONObject: claims)
        let input = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        let signature = try key.signature(for: Data(input.utf8))
        return input + "." + Base64URL.encode(signature.rawRepresentation)
    }

    var claims: [String: Any] {
        [
            "iss": "https://id.example", "aud": "blog", "sub": "42", "nonce": "n-1", "exp": now.timeIntervalSince1970 + 300,
            "iat": now.timeIntervalSince1970, "email": "a@example.org", "email_verified": true,
        ]
    }

    func verify(_ compact: String) throws(IDToken.Refusal) -> IDToken {
        try IDToken.verify(compact, keys: jwks, issuer: "https://id.example", clientID: "blog", nonce: "n-1", now: now)
    }

    @Test("a good ES256 token is accepted with its claims")
    func good() throws {
        let t = try verify(try token(claims))
        #expect(t.subject == "42" && t.email == "a@example.org" && t.emailVerified)
    }

    @Test("tampered, unsigned, unknown-key, multi-audience without azp and early tokens are refused")
    func refusals() throws {
        let good = try token(claims)
        let parts = good.split(separator: ".").map(String.init)
        var changed = claims
        changed["sub"] = "43"
        let forged = parts[0] + "." + Base64URL.encode(try JSONSerialization.data(withJSONObject: changed)) + "." + parts[2]
        #expect(throws: IDToken.Refusal.badSignature) { try verify(forged) }
        let none = Base64URL.encode(Data(#"{"alg":"none"}"#.utf8)) + "." + parts[1] + "."
        #expect(throws: IDToken.Refusal.algorithm("none")) { try verify(none) }
        #expect(throws: IDToken.Refusal.unknownKey) { try verify(try token(claims, kid: "other")) }
        var two = claims
        two["aud"] = ["blog", "someone"]
        #expect(throws: IDToken.Refusal.authorizedParty) { try verify(try token(two)) }
        two["azp"] = "blog"
        #expect(try verify(try token(two)).subject == "42")
        var future = claims
        future["iat"] = now.timeIntervalSince1970 + 3600
        #expect(throws: IDToken.Refusal.issuedInFuture) { try verify(try token(future)) }
        var unverified = claims
        unverified["email_verified"] = false
        #expect(try verify(try token(unverified)).emailVerified == false)
    }
}
