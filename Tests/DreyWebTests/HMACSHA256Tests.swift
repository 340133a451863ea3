import Crypto
import Foundation
import Testing

@testable import DreyApp

/// Drey's own HMAC-SHA256 (`HMACSHA256`, used by every signature) must give swift-crypto's bytes for every key and
/// message length, and RFC 4231's published values.
@Suite struct HMACSHA256Tests {
    static func ours(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { HMACSHA256(key: key).mac($0) { Array($0) } }
    }

    static func theirs(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(hex.utf8)[...]
        while chars.count >= 2 {
            out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)!)
            chars = chars.dropFirst(2)
        }
        return out
    }

    @Test("RFC 4231's test cases 1, 2, 4, 6 and 7")
    func rfc4231() {
        let cases: [(key: [UInt8], data: [UInt8], mac: String)] = [
            (
                [UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
            ),
            (
                Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ),
            (
                Array(1...25), [UInt8](repeating: 0xcd, count: 50),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
            ),
            (
                [UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
            (
                [UInt8](repeating: 0xaa, count: 131),
                Array(
                    "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
                        .utf8),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
            ),
        ]
        for c in cases { #expect(Self.ours(key: c.key, c.data) == Self.bytes(hex: c.mac)) }
    }

    @Test("the same bytes as swift-crypto for keys and messages of every length around the block boundaries")
    func sameAsSwiftCrypto() {
        var generator = SystemRandomNumberGenerator()
        for keyLength in [0, 1, 31, 32, 63, 64, 65, 69, 128, 200] {
            let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
            for length in 0...200 {
                let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                #expect(Self.ours(key: key, message) == Self.theirs(key: key, message), "key \(keyLength), message \(length)")
            }
        }
    }

    @Test("a signer's signature is swift-crypto's HMAC of purpose, a zero byte and the value")
    func signerUnchanged() {
        let signer = Signer(secret: "s3cret")
        let message = Array("comment-form".utf8) + [0] + Array("comment:7:1700000000000:abc".utf8)
        let expected = Self.theirs(key: Array("drey:s3cret".utf8), message)
        #expect(signer.signature("comment:7:1700000000000:abc", purpose: .commentForm) == Base64URL.encode(expected))
    }

    @Test(
        "the CPU's SHA instructions compress as the Swift compression does, for random states and blocks",
        .enabled(if: HMACSHA256.usesInstructions, "this CPU has no SHA instructions: the Swift compression is the one used, tested above"))
    func instructions() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var state = SIMD8<UInt32>((0..<8).map { _ in UInt32.random(in: .min ... .max, using: &generator) })
            let block = (0..<64).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            var expected = state
            block.withUnsafeBytes {
                HMACSHA256.portableCompress(&expected, $0)
                HMACSHA256.instructionCompress(&state, $0)
            }
            #expect(state == expected)
        }
    }
}
