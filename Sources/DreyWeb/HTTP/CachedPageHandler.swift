import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// Answers cached pages in the channel pipeline, on the event loop, before a request becomes a Hummingbird request:
/// no task, no async sequence, no conversion of the head through Foundation's URL parser. What it does not answer
/// (anything `answer` declines) goes on to Hummingbird untouched. Decision 0024.
///
/// It sits between NIO's HTTP/1 codec and Hummingbird's HTTP types codec, so it reads `HTTPServerRequestPart`s and
/// writes `HTTPServerResponsePart`s. Responses leave in request order: while a request it passed on is unanswered
/// (pipelining), it passes on every later one too.
final class CachedPageHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What a response carries besides the app's headers, as Hummingbird's `Application` adds them.
    struct Stamp: Sendable {
        let serverName: String?
        let date: @Sendable () -> String
    }

    let answer: @Sendable (Request, String?) -> PreparedResponse?
    let stamp: Stamp
    let ledger: FastPathLedger
    private var peer: String?
    /// Requests passed on to Hummingbird whose response has not ended yet.
    private var passedOn = 0
    /// The answer to the request being read, sent at its end.
    private var answered: PreparedResponse?
    private var needsFlush = false

    init(stamp: Stamp, ledger: FastPathLedger = FastPathLedger(), answer: @escaping @Sendable (Request, String?) -> PreparedResponse?) {
        self.stamp = stamp
        self.ledger = ledger
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
        switch unwrapInboundIn(data) {
        case .head(let head):
            ledger.inFlight += 1
            let asked = ledger.alreadyAsked > 0
            if asked { ledger.alreadyAsked -= 1 }
            if !asked, passedOn == 0, context.channel.isWritable, let prepared = quickAnswer(head) {
                answered = prepared
                return
            }
            passedOn += 1
            context.fireChannelRead(data)
        case .body:
            // A request answered here has no body (`quickAnswer` takes only those); the parts of others pass on.
            if answered == nil { context.fireChannelRead(data) }
        case .end:
            guard let prepared = answered else {
                context.fireChannelRead(data)
                return
            }
            answered = nil
            write(prepared, context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            // Not below zero: an error's answer (a head NIO's decoder could not read) ends no head counted here.
            passedOn = max(0, passedOn - 1)
            ledger.inFlight = max(0, ledger.inFlight - 1)
        }
        context.write(data, promise: promise)
    }

    /// The prepared answer to a bodiless, keep-alive GET or HEAD in origin form; nil for everything else.
    private func quickAnswer(_ head: HTTPRequestHead) -> PreparedResponse? {
        let method: HTTPRequest.Method
        switch head.method {
        case .GET: method = .get
        case .HEAD: method = .head
        default: return nil
        }
        guard head.isKeepAlive, head.uri.utf8.first == UInt8(ascii: "/"), !head.headers.contains(name: "content-length"),
            !head.headers.contains(name: "transfer-encoding")
        else { return nil }
        let request = HTTPRequest(
            method: method, scheme: "http", authority: head.headers.first(name: "host"), path: head.uri,
            headerFields: HTTPFields(head.headers, splitCookie: false))
        return answer(Request(head: request, body: RequestBody(buffer: ByteBuffer())), peer)
    }

    /// The response through NIO's encoder, which pairs each response with its request's method (a HEAD's answer gets
    /// no body) and so must see every response; a page's parts go as they are, gathered by one `writev`.
    private func write(_ prepared: PreparedResponse, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.reserveCapacity(prepared.headers.count + 2)
        for field in prepared.headers { headers.add(name: field.name.rawName, value: field.value) }
        headers.add(name: "Date", value: stamp.date())
        if let name = stamp.serverName { headers.add(name: "Server", value: name) }
        // NIO's standard phrase: a status made from its code alone carries none.
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: prepared.status.code), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body = prepared.body, body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        for part in prepared.parts where part.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(part))), promise: nil) }
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
        ledger.inFlight -= 1
        needsFlush = true
    }
}

/// Hummingbird's HTTP/1 channel with `RawPageFront` before NIO's HTTP/1 codec and `CachedPageHandler` after it, in
/// front of Hummingbird's HTTP types codec.
struct CachedPageHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel
    let makeHandlers: @Sendable () -> (RawPageFront, CachedPageHandler)

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let (front, handler) = makeHandlers()
            let operations = channel.pipeline.syncOperations
            try operations.addHandler(handler, position: .before(try operations.handler(type: HTTP1ToHTTPServerCodec.self)))
            // Before NIO's response encoder, which comes before its request decoder: first after TLS, if any.
            try operations.addHandler(front, position: .before(try operations.handler(type: HTTPResponseEncoder.self)))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with cached pages answered in the pipeline.
    static func http1CachedPages(_ makeHandlers: @escaping @Sendable () -> (RawPageFront, CachedPageHandler)) -> HTTPServerBuilder {
        .init { responder in CachedPageHTTP1Channel(inner: HTTP1Channel(responder: responder), makeHandlers: makeHandlers) }
    }
}
