import Crypto
import DreyCore
import Foundation
import _CryptoExtras

/// RSA-2048 keys for HTTP signatures (what Mastodon and every other server accept), made on first use and stored.
public enum FediverseKeys {
    public static func generate(now: Date) throws -> FediverseKey {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        return FediverseKey(privatePEM: key.pemRepresentation, publicPEM: key.publicKey.pemRepresentation, createdAt: now)
    }

    /// RSASSA-PKCS1-v1_5 over SHA-256: `rsa-sha256` in draft-cavage, `rsa-v1_5-sha256` in RFC 9421.
    public static func sign(_ data: [UInt8], privatePEM: String) throws -> [UInt8] {
        let key = try _RSA.Signing.PrivateKey(pemRepresentation: privatePEM)
        let signature = try key.signature(for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
        return Array(signature.rawRepresentation)
    }

    public static func verify(_ signature: [UInt8], data: [UInt8], publicPEM: String) -> Bool {
        guard let key = try? _RSA.Signing.PublicKey(pemRepresentation: publicPEM) else { return false }
        return key.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
    }
}
