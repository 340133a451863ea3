import CompressNIO
import DreyTestSupport
import Foundation
import NIOCore
import Testing

@testable import DreyApp
@testable import DreyWeb

@Suite struct FormTokenTests {
    let signer = Signer(secret: "s3cret")
    let shown = Date(timeIntervalSince1970: 1_700_000_000.5)

    @Test("a token carries its post, time and nonce, and is refused when forged, elsewhere or too old")
    func check() {
        let token = FormToken(postID: 42, shownAt: shown, nonce: "abc")
        let signed = token.signed(with: signer)
        #expect(FormToken.check(signed, postID: 42, now: shown.addingTimeInterval(10), maxAge: 86400, signer: signer) == .valid(token))
        #expect(FormToken.check(signed, postID: 43, now: shown, maxAge: 86400, signer: signer) == .otherPost)
        #expect(FormToken.check(signed, postID: 42, now: shown.addingTimeInterval(86401), maxAge: 86400, signer: signer) == .expired(86401))
        #expect(FormToken.check(signed, postID: 42, now: shown.addingTimeInterval(86400), maxAge: 86400, signer: signer) == .valid(token))
        #expect(FormToken.check(signed, postID: 42, now: shown, maxAge: 86400, signer: Signer(secret: "other")) == .forged)
        let tampered = signed.replacingOccurrences(of: ":42:", with: ":43:")
        #expect(FormToken.check(tampered, postID: 43, now: shown, maxAge: 86400, signer: signer) == .forged)
        for raw in [
            nil, "", ".", "comment:42", signer.sign("comment:42", purpose: .commentForm), signer.sign("comment:42:x:abc", purpose: .commentForm),
            signer.sign("comment:42:1::", purpose: .commentForm),
        ] {
            #expect(FormToken.check(raw, postID: 42, now: shown, maxAge: 86400, signer: signer) == .forged, "\(raw ?? "nil")")
        }
        #expect(FormToken.randomNonce() != FormToken.randomNonce())
        #expect(FormToken.randomNonce().count == 16)
    }

    @Test("CRC-32 matches the standard check value, and combining two CRCs equals the CRC of the whole")
    func crc() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        let a = Array("The quick brown fox ".utf8)
        let b = Array("jumps over the lazy dog".utf8)
        #expect(CRC32.combine(CRC32.checksum(a), CRC32.checksum(b), lengthB: b.count) == CRC32.checksum(a + b))
        #expect(CRC32.combine(CRC32.checksum([]), CRC32.checksum(b), lengthB: b.count) == CRC32.checksum(b))
    }

    @Test("a spliced page is the page with the token in place, plain and as one valid gzip member")
    func splice() throws {
        let page =
            "<html>" + String(repeating: "lorem ipsum ", count: 200) + "<input value=\"\(FormToken.placeholder)\">"
            + String(repeating: "dolor sit ", count: 100) + "<i>\(FormToken.placeholder)</i></html>"
        let splice = try #require(TokenSplice(body: ByteBuffer(string: page), postID: 7, gzip: true))
        for token in ["tok-1.sig", "another-token-of-other-length.sig"] {
            let expected = page.replacingOccurrences(of: FormToken.placeholder, with: token)
            #expect(String(buffer: splice.body(token: token)) == expected)
            #expect(splice.length(tokenLength: token.utf8.count) == expected.utf8.count)
            var zipped = splice.gzipped(token: token)
            #expect(splice.gzipLength(tokenLength: token.utf8.count) == zipped.readableBytes)
            // zlib checks the CRC and length in the trailer: a wrong combine would fail here.
            #expect(String(buffer: try zipped.decompress(with: .gzip())) == expected)
        }
        #expect(TokenSplice(body: ByteBuffer(string: "<html>no form</html>"), postID: 7, gzip: true) == nil)
        let edge = try #require(TokenSplice(body: ByteBuffer(string: FormToken.placeholder), postID: 7, gzip: true))
        var zipped = edge.gzipped(token: "T")
        #expect(String(buffer: try zipped.decompress(with: .gzip())) == "T")
    }
}

@Suite struct Base64URLTests {
    @Test("base64url matches Foundation's base64 with the URL alphabet and no padding")
    func matchesFoundation() {
        for length in 0..<40 {
            let data = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 251) })
            let expected = data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(data.base64URLEncoded == expected, "length \(length)")
        }
    }
}

@Suite struct FormTokenFillTests {
    @Test("every placeholder is filled byte by byte; pages without one, or in any script, come back unchanged")
    func fill() {
        let p = FormToken.placeholder
        let page = "<p>ἀρχή 🌷</p><input value=\"\(p)\"><input value=\"\(p)\">end"
        #expect(String(buffer: FormToken.fill(page, token: "tok.1")) == "<p>ἀρχή 🌷</p><input value=\"tok.1\"><input value=\"tok.1\">end")
        #expect(String(buffer: FormToken.fill("no slot here", token: "t")) == "no slot here")
        #expect(String(buffer: FormToken.fill(p, token: "t")) == "t")
        #expect(String(buffer: FormToken.fill("drey0form0", token: "t")) == "drey0form0")
        #expect(String(buffer: FormToken.fill("", token: "t")) == "")
    }
}

@Suite struct PercentDecodingTests {
    @Test("paths decode as Foundation decodes them; malformed escapes and bytes that are not UTF-8 are refused")
    func decode() {
        for path in ["/2008/01/27/post/", "/caf%C3%A9/", "/%E2%9C%93%20ok", "/a%2Fb", "/%41%62", "/ἀρχή/"] {
            #expect(PercentDecoding.decode(path) == path.removingPercentEncoding, "\(path)")
        }
        #expect(PercentDecoding.decode("/caf%C3%A9/") == "/café/")
        for bad in ["/%", "/%4", "/%zz", "/%C3", "/%FF%FE"] {
            #expect(PercentDecoding.decode(bad) == nil, "\(bad)")
        }
    }

    @Test("a path with a malformed escape or a NUL gets 400; an encoded one finds its page", arguments: [TestDatabase.sqlite])
    func overHTTP(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.post("Café")
            #expect(try await client.get("/2008/01/27/caf%C3%A9/").status != .badRequest)
            #expect(try await client.get("/2008/01/27/%zz/").status == .badRequest)
            #expect(try await client.get("/2008/%00/").status == .badRequest)
        }
    }
}
