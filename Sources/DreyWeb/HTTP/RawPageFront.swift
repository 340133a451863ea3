import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTP1

/// What a connection's two fast-path handlers tell each other; both run on the connection's event loop.
final class FastPathLedger {
    /// Requests NIO's decoder has read whose responses have not ended yet: while there is one, `RawPageFront` answers
    /// nothing, so responses leave in the order their requests came.
    var inFlight = 0
    /// Heads `RawPageFront` already asked the cache about, to no avail, and handed to NIO's decoder: `CachedPageHandler`
    /// does not ask again.
    var alreadyAsked = 0
}

/// Answers cached pages from the connection's bytes, before NIO's HTTP/1 decoder (decision 0029): a plain, bodiless
/// `GET` or `HEAD` (`RawRequestHead`) for a page `answer` has is answered here with a head written by Drey and the
/// page's buffers, and nothing of NIO's HTTP codec runs. A head it does not take goes to NIO's decoder byte for byte,
/// and everything after it too once anything outside `RawRequestHead`'s subset came (a body, another protocol, a
/// malformed or oversized head): the decoder then reads the rest of the connection as it always did.
///
/// It sits at the front of the pipeline (Drey speaks no TLS itself: a proxy in front does), so what it writes goes
/// straight to the socket, past NIO's response encoder, which pairs each response it encodes with a request its
/// decoder read: the two never see the requests answered here, so their pairing is undisturbed.
final class RawPageFront: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = IOData

    let ledger: FastPathLedger
    let stamp: CachedPageHandler.Stamp
    let answer: @Sendable (Request, String?) -> PreparedResponse?
    private var peer: String?
    /// The start of a head not complete yet.
    private var held: ByteBuffer?
    /// Everything from here on goes to NIO's decoder.
    private var passing = false
    private var needsFlush = false

    init(ledger: FastPathLedger, stamp: CachedPageHandler.Stamp, answer: @escaping @Sendable (Request, String?) -> PreparedResponse?) {
        self.ledger = ledger
        self.stamp = stamp
        self.answer = answer
    }

    func handlerAdded(context: ChannelHandlerContext) {
        peer = context.channel.remoteAddress?.ipAddress
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.channel.remoteAddress?.ipAddress
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if passing {
            context.fireChannelRead(data)
            return
        }
        var buffer = unwrapInboundIn(data)
        if var start = held {
            let searched = start.readableBytes
            start.writeBuffer(&buffer)
            // Read again only once the new bytes may decide the head (or it is too long to wait for): not from its
            // start at every piece.
            guard RawRequestHead.mayDecide(start, from: searched) || start.readableBytes > RawRequestHead.maxLength else {
                held = start
                return
            }
            held = nil
            buffer = start
        }
        while buffer.readableBytes > 0 {
            switch RawRequestHead.read(buffer) {
            case .incomplete:
                held = buffer
                return
            case .other:
                passOn(buffer, context: context)
                return
            case .head(let head, let length):
                var asked = false
                if ledger.inFlight == 0, context.channel.isWritable {
                    asked = true
                    if let prepared = answer(head.request, peer) {
                        buffer.moveReaderIndex(forwardBy: length)
                        write(prepared, method: head.method, context: context)
                        continue
                    }
                }
                if asked { ledger.alreadyAsked += 1 }
                // Cut exactly at the head's end: NIO's decoder is left at a request's boundary, as this reader is.
                let request = buffer.readSlice(length: length)!
                context.fireChannelRead(wrapInboundOut(request))
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    /// A head cut short by the end of input is NIO's decoder's to report, as it would without this handler.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event, let start = held {
            held = nil
            passOn(start, context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func passOn(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        passing = true
        context.fireChannelRead(wrapInboundOut(buffer))
    }

    /// The response as NIO's encoder would write it, with `Date` and `Server` as Hummingbird adds them; a page's
    /// parts go as they are, gathered into one `writev` at the flush.
    private func write(_ prepared: PreparedResponse, method: HTTPRequest.Method, context: ChannelHandlerContext) {
        var head = context.channel.allocator.buffer(capacity: 512)
        let status = HTTPResponseStatus(statusCode: prepared.status.code)
        head.writeStaticString("HTTP/1.1 ")
        head.writeString(String(status.code))
        head.writeStaticString(" ")
        head.writeString(status.reasonPhrase)
        head.writeStaticString("\r\n")
        var hasLength = false
        for field in prepared.headers {
            if field.name == .contentLength { hasLength = true }
            head.writeString(field.name.rawName)
            head.writeStaticString(": ")
            head.writeString(field.value)
            head.writeStaticString("\r\n")
        }
        // Every answer that may have a body says how long it is (`prepared`, `filled`); should one not, it is
        // measured here, since a keep-alive response must be framed.
        let bodyless = status.code == 304 || status.code == 204 || status.code < 200
        if !hasLength && !bodyless {
            let length = (prepared.body?.readableBytes ?? 0) + prepared.parts.reduce(0) { $0 + $1.readableBytes }
            head.writeStaticString("Content-Length: ")
            head.writeString(String(length))
            head.writeStaticString("\r\n")
        }
        head.writeStaticString("Date: ")
        head.writeString(stamp.date())
        head.writeStaticString("\r\n")
        if let name = stamp.serverName {
            head.writeStaticString("Server: ")
            head.writeString(name)
            head.writeStaticString("\r\n")
        }
        head.writeStaticString("\r\n")
        context.write(wrapOutboundOut(.byteBuffer(head)), promise: nil)
        if method != .head && !bodyless {
            if let body = prepared.body, body.readableBytes > 0 { context.write(wrapOutboundOut(.byteBuffer(body)), promise: nil) }
            for part in prepared.parts where part.readableBytes > 0 { context.write(wrapOutboundOut(.byteBuffer(part)), promise: nil) }
        }
        needsFlush = true
    }
}

extension RawRequestHead {
    /// The head as Hummingbird's request, as `CachedPageHandler` makes it from NIO's.
    var request: Request {
        Request(
            head: HTTPRequest(method: method, scheme: "http", authority: host, path: target, headerFields: fields),
            body: RequestBody(buffer: ByteBuffer()))
    }
}
