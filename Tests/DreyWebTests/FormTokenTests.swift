import CompressNIO
import DreyCore
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

    @Test("a minted token is a new token signed: it checks out with its post and time, and each has a nonce of its own")
    func minted() throws {
        let minted = (0..<3).map { _ in FormToken.mint(postID: 42, shownAt: shown, signer: signer) }
        #expect(Set(minted).count == 3)
        for text in minted {
            guard case .valid(let token) = FormToken.check(text, postID: 42, now: shown, maxAge: 86400, signer: signer) else {
                Issue.record("not valid: \(text)")
                continue
            }
            #expect(token.shownAt == shown && token.postID == 42 && token.nonce.count == 16)
            #expect(token.signed(with: signer) == text)
            #expect(text.hasPrefix("comment:42:1700000000500:"))
        }
        #expect(FormToken(postID: -7, shownAt: shown, nonce: "n").signed(with: signer).hasPrefix("comment:-7:1700000000500:n."))
    }

    @Test("CRC-32 matches the standard check value, and combining two CRCs equals the CRC of the whole")
    func crc() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        let a = Array("The quick brown fox ".utf8)
        let b = Array("jumps over the lazy dog".utf8)
        #expect(CRC32.combine(CRC32.checksum(a), CRC32.checksum(b), lengthB: b.count) == CRC32.checksum(a + b))
        #expect(CRC32.combine(CRC32.checksum([]), CRC32.checksum(b), lengthB: b.count) == CRC32.checksum(b))
    }

    @Test("a page with holes is the page with each fill in place, plain and as one valid gzip member, whatever the fills' sizes")
    func holes() throws {
        let token = PageHole.marker("form-token", 7)
        let bar = PageHole.marker("reader-bar")
        let page =
            "<html>\(bar)" + String(repeating: "lorem ipsum ", count: 200) + "<input value=\"\(token)\">"
            + String(repeating: "dolor sit ", count: 100) + "<i>\(token)</i></html>"
        let holed = try #require(HoledPage(body: ByteBuffer(string: page), gzip: true))
        #expect(holed.holes == [PageHole("reader-bar"), PageHole("form-token", 7), PageHole("form-token", 7)])
        let big = String(repeating: "x", count: 70_000)
        for (first, second) in [("tok-1.sig", "<b>Ann</b>"), ("", "another-token-of-other-length.sig"), (big, "t")] {
            let fills = [second, first, first]
            let expected = page.replacingOccurrences(of: token, with: first).replacingOccurrences(of: bar, with: second)
            #expect(String(buffer: holed.body(fills: fills)) == expected)
            #expect(holed.length(fills: fills) == expected.utf8.count)
            var zipped = holed.gzipped(fills: fills)
            #expect(holed.gzipLength(fills: fills) == zipped.readableBytes)
            // zlib checks the CRC and length in the trailer: a wrong combine would fail here.
            #expect(String(buffer: try zipped.decompress(with: .gzip())) == expected)
        }
        #expect(HoledPage(body: ByteBuffer(string: "<html>no holes</html>"), gzip: true) == nil)
        let edge = try #require(HoledPage(body: ByteBuffer(string: token), gzip: true))
        var zipped = edge.gzipped(fills: ["T"])
        #expect(String(buffer: try zipped.decompress(with: .gzip())) == "T")
    }

    @Test("only this process's markers open holes: another prefix, a bad name or argument, a cut-off marker are text")
    func markers() {
        let p = PageHole.prefix
        let text = "ἀρχή 🌷 \(p)like_42_ drey_hole_0000_like_1_ \(p)Like_1_ \(p)like__ \(p)like_1 \(p)_1_ \(p)like_x_ \(p)like_7_"
        let found = Array(text.utf8).withUnsafeBytes { PageHole.find(in: $0) }
        #expect(found.map(\.hole) == [PageHole("like", 42), PageHole("like", 7)])
        // Found by the marker's first underscore: underscores everywhere, a marker at the very start and at the very end.
        let crowded = "\(p)like_1_" + String(repeating: "_d_drey_hole__", count: 50) + "_\(p)form-token_2_" + "\(p)like_3_"
        let holes = Array(crowded.utf8).withUnsafeBytes { PageHole.find(in: $0) }
        #expect(holes.map(\.hole) == [PageHole("like", 1), PageHole("form-token", 2), PageHole("like", 3)])
        #expect(holes.first?.range.lowerBound == 0 && holes.last?.range.upperBound == crowded.utf8.count)
        #expect(PageHole.prefix.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" })
        #expect(PageHole.prefix.count > 30)
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
