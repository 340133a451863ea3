import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import DreyWeb

/// `RawPageFront` (decision 0029) reads request heads from a connection's bytes and must agree with NIO's decoder on
/// every head it takes, hand everything else to that decoder byte for byte, and keep responses in request order.
@Suite struct RawPageFrontTests {
    // MARK: The reader's subset against NIO's decoder

    static func decodeWithNIO(_ bytes: [UInt8]) throws -> [HTTPServerRequestPart] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder()))
        defer { _ = try? channel.finish() }
        try channel.writeInbound(ByteBuffer(bytes: bytes))
        var parts: [HTTPServerRequestPart] = []
        while let part = try channel.readInbound(as: HTTPServerRequestPart.self) { parts.append(part) }
        return parts
    }

    /// Where the reader takes a head, NIO's decoder reads the same bytes as one whole bodiless request with the same
    /// method, target and fields, and reads nothing more from them.
    static func disagreement(_ bytes: [UInt8]) throws -> String? {
        guard case .head(let head, let length) = bytes.withUnsafeBytes({ RawRequestHead.read($0) }) else { return nil }
        let parts = try decodeWithNIO(Array(bytes[..<length]))
        guard parts.count == 2, case .head(let nio) = parts[0], case .end(nil) = parts[1] else { return "NIO read \(parts)" }
        let nioFields = nio.headers.map { "\($0.name.lowercased()):\($0.value)" }
        let ours = head.fields.map { "\($0.name.canonicalName):\($0.value)" }
        let same =
            nio.method.rawValue == head.method.rawValue && nio.uri == head.target && nioFields == ours && nio.version == .http1_1
            && nio.headers.first(name: "host") == head.host && nio.isKeepAlive
        return same ? nil : "NIO read \(nio), the reader \(head.method) \(head.target) \(ours)"
    }

    static func read(_ text: String) -> RawRequestHead.Reading { Array(text.utf8).withUnsafeBytes { RawRequestHead.read($0) } }

    @Test("a plain GET or HEAD is read with its length; the bytes after it are left for the next request")
    func plainHeads() throws {
        let text = "GET /2008/01/27/post/?a=1 HTTP/1.1\r\nHost: blog.test\r\nAccept-Encoding: gzip\r\nX-Odd_Name:  v\r\n\r\nGET /next"
        guard case .head(let head, let length) = Self.read(text) else {
            Issue.record("not read")
            return
        }
        #expect(length == text.utf8.count - "GET /next".utf8.count)
        #expect(head.method == .get && head.target == "/2008/01/27/post/?a=1" && head.host == "blog.test")
        #expect(head.fields[.acceptEncoding] == "gzip")
        #expect(head.fields[HTTPField.Name("x-odd_name")!] == "v")
        #expect(try Self.disagreement(Array(text.utf8)) == nil)
        guard case .head(let headHead, _) = Self.read("HEAD / HTTP/1.1\r\nhost: a\r\nConnection: Keep-Alive\r\n\r\n") else {
            Issue.record("HEAD not read")
            return
        }
        #expect(headHead.method == .head)
    }

    @Test("a head cut anywhere is waited for; one longer than the limit is not")
    func incomplete() {
        let text = "GET / HTTP/1.1\r\nHost: blog.test\r\nCookie: a=b\r\n\r\n"
        let bytes = Array(text.utf8)
        for cut in 0..<bytes.count {
            let reading = bytes[..<cut].withUnsafeBytes { RawRequestHead.read(UnsafeRawBufferPointer($0)) }
            guard case .incomplete = reading else {
                Issue.record("cut at \(cut): \(reading)")
                continue
            }
        }
        let long = "GET / HTTP/1.1\r\nHost: a\r\nCookie: " + String(repeating: "x", count: RawRequestHead.maxLength)
        guard case .other = Self.read(long) else {
            Issue.record("an endless head is waited for")
            return
        }
    }

    @Test(
        "anything outside the plain subset goes to NIO's decoder",
        arguments: [
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx",
            "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\ntransfer-encoding : chunked\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n",
            "GET / HTTP/1.0\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\nHost: a\n\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n",
            "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET * HTTP/1.1\r\nHost: a\r\n\r\n",
            "get / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /é HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX: caf\u{E9}\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nBad Name: v\r\n\r\n",
            "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n",
            "OPTIONS / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a \r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nProxy-Connection: close\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nPROXY-CONNECTION: keep-alive\r\n\r\n",
        ])
    func others(_ text: String) {
        guard case .other = Self.read(text) else {
            Issue.record("taken: \(text.debugDescription)")
            return
        }
    }

    @Test("a thousand mangled heads: wherever the reader takes one, NIO's decoder reads the same request")
    func mangledAgree() throws {
        let base = Array("GET /p/?q=1 HTTP/1.1\r\nHost: blog.test\r\nCookie: a=b; c=d\r\nAccept: text/html\r\nConnection: keep-alive\r\n\r\n".utf8)
        let alphabet = Array(" \t\r\n:;,=/?%-_.aZ09\u{7F}\u{0}".utf8) + [0x80, 0xC3, 0xFF]
        var generator = SystemRandomNumberGenerator()
        var taken = 0
        for _ in 0..<1_000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[at] = alphabet.randomElement(using: &generator)!
                case 1: bytes.insert(alphabet.randomElement(using: &generator)!, at: at)
                default: bytes.remove(at: at)
                }
            }
            if case .head = bytes.withUnsafeBytes({ RawRequestHead.read($0) }) { taken += 1 }
            #expect(try Self.disagreement(bytes) == nil, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
        // Most mangled heads are refused, but not all: the comparison must have had something to compare.
        #expect(taken > 50)
    }

    // MARK: The handler in a pipeline like the server's

    /// Stands for Hummingbird: records the request parts that reach it and answers when told to.
    final class App: ChannelDuplexHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundIn = HTTPServerResponsePart
        typealias OutboundOut = HTTPServerResponsePart
        var heads: [HTTPRequestHead] = []
        var bodies: [String] = []
        var context: ChannelHandlerContext?

        func handlerAdded(context: ChannelHandlerContext) { self.context = context }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): heads.append(head)
            case .body(let buffer): bodies.append(String(buffer: buffer))
            case .end: break
            }
        }

        func respond(_ text: String) {
            guard let context else { return }
            let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": String(text.utf8.count)])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    final class Asked: @unchecked Sendable {
        private let lock = NSLock()
        private var raw: [String] = []
        private var later: [String] = []
        func note(_ path: String, raw isRaw: Bool) { lock.withLock { isRaw ? raw.append(path) : later.append(path) } }
        var byFront: [String] { lock.withLock { raw } }
        var byHandler: [String] { lock.withLock { later } }
    }

    /// A channel with the server's handlers in the server's order; `/cached` is a cached page of "cached!".
    static func pipeline() throws -> (EmbeddedChannel, App, Asked) {
        let asked = Asked()
        let stamp = CachedPageHandler.Stamp(serverName: "Drey", date: { "Sun, 06 Dec 2026 09:00:00 GMT" })
        let ledger = FastPathLedger()
        func answer(raw: Bool) -> @Sendable (Request, String?) -> PreparedResponse? {
            { request, _ in
                asked.note(request.uri.path, raw: raw)
                guard request.uri.path == "/cached" else { return nil }
                return PreparedResponse(
                    status: .ok, headers: [.contentType: "text/plain", .contentLength: "7"],
                    body: request.method == .head ? nil : ByteBuffer(string: "cached!"))
            }
        }
        let app = App()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([
            RawPageFront(ledger: ledger, stamp: stamp, answer: answer(raw: true)), HTTPResponseEncoder(),
            ByteToMessageHandler(HTTPRequestDecoder()), CachedPageHandler(stamp: stamp, ledger: ledger, answer: answer(raw: false)), app,
        ])
        return (channel, app, asked)
    }

    static func send(_ channel: EmbeddedChannel, _ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
        channel.pipeline.fireChannelReadComplete()
    }

    static func output(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let part = try channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(let buffer) = part else { continue }
            text += String(buffer: buffer)
        }
        return text
    }

    static func get(_ path: String, _ method: String = "GET") -> String { "\(method) \(path) HTTP/1.1\r\nHost: blog.test\r\n\r\n" }

    static let cachedAnswer =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\nDate: Sun, 06 Dec 2026 09:00:00 GMT\r\nServer: Drey\r\n\r\ncached!"

    @Test("a cached page is answered from the bytes, whole or in pieces; HEAD gets the head alone")
    func answered() throws {
        let (channel, app, asked) = try Self.pipeline()
        try Self.send(channel, Self.get("/cached"))
        #expect(try Self.output(channel) == Self.cachedAnswer)
        for byte in Self.get("/cached").utf8 { try Self.send(channel, String(UnicodeScalar(byte))) }
        #expect(try Self.output(channel) == Self.cachedAnswer)
        try Self.send(channel, Self.get("/cached", "HEAD"))
        #expect(try Self.output(channel) == Self.cachedAnswer.replacingOccurrences(of: "cached!", with: ""))
        #expect(asked.byFront == ["/cached", "/cached", "/cached"])
        #expect(asked.byHandler.isEmpty && app.heads.isEmpty)
    }

    @Test("a head held in pieces is read again only when a piece may decide it: its end, or a byte NIO's decoder refuses")
    func heldInPieces() throws {
        let (channel, app, asked) = try Self.pipeline()
        // Bare line feeds, split so the first piece is incomplete: held until the empty line comes, then handed to
        // NIO's decoder, which refuses them (its error is the proof the bytes reached it, and only then).
        try Self.send(channel, "GET /cached HTTP/1.")
        try Self.send(channel, "1\nHost: blog.test\n")
        #expect(throws: (any Error).self) { try Self.send(channel, "\n") }
        #expect(app.heads.isEmpty && asked.byFront.isEmpty)
        // A control byte in a later piece goes to the decoder at once, which refuses it there and then.
        let (second, _, _) = try Self.pipeline()
        try Self.send(second, "GET /cached HTTP/1.1\r\nHost: blog.test\r\n")
        #expect(throws: (any Error).self) { try Self.send(second, "X: a\u{1}b") }
        let bytes = Array("GET /cached HTTP/1.1\r\nHost: blog.test\r\nCookie: a=b\r\n\r\n".utf8)
        #expect(RawRequestHead.mayDecide(ByteBuffer(bytes: bytes.dropLast(2)), from: 0) == false)
        #expect(RawRequestHead.mayDecide(ByteBuffer(bytes: bytes), from: bytes.count - 1))
    }

    @Test("what is not cached goes on once, and answers stay in request order under pipelining")
    func inOrder() throws {
        let (channel, app, asked) = try Self.pipeline()
        try Self.send(channel, Self.get("/cached") + Self.get("/rendered") + Self.get("/cached") + Self.get("/cached", "HEAD"))
        // The first is answered at once; the second waits for the app, and so do the two after it.
        #expect(try Self.output(channel) == Self.cachedAnswer)
        #expect(app.heads.map(\.uri) == ["/rendered", "/cached", "/cached"])
        #expect(asked.byFront == ["/cached", "/rendered"])
        #expect(asked.byHandler.isEmpty)
        app.respond("one")
        app.respond("two")
        app.respond("")
        #expect(try Self.output(channel).components(separatedBy: "HTTP/1.1 200 OK").count == 4)
        // Everything answered: the next cached page is the front's again.
        try Self.send(channel, Self.get("/cached"))
        #expect(try Self.output(channel) == Self.cachedAnswer)
        #expect(asked.byFront == ["/cached", "/rendered", "/cached"])
    }

    @Test("a request with a body hands the rest of the connection to NIO's decoder, byte for byte")
    func bodyPassesOn() throws {
        let (channel, app, asked) = try Self.pipeline()
        let post = "POST /comment HTTP/1.1\r\nHost: blog.test\r\nContent-Length: 11\r\n\r\nhello=world"
        try Self.send(channel, post + Self.get("/cached").prefix(10))
        #expect(app.heads.map(\.uri) == ["/comment"])
        #expect(app.bodies == ["hello=world"])
        app.respond("posted")
        try Self.send(channel, String(Self.get("/cached").dropFirst(10)))
        // The cached page is still answered from the cache, by the handler after NIO's decoder.
        #expect(try Self.output(channel).hasSuffix("cached!"))
        #expect(asked.byFront.isEmpty)
        #expect(asked.byHandler == ["/cached"])
    }
}
