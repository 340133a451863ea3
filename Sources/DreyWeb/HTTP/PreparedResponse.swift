import HTTPTypes
import Hummingbird
import NIOCore

/// A response whose body is already one buffer (or none: HEAD, 304). The async path turns it into a Hummingbird
/// `Response`; the cached-page fast path writes it to the channel without leaving the event loop.
struct PreparedResponse: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer?
    /// The body as parts written one after another (a cached page's pieces and its fills), when `body` is nil: the
    /// fast path hands them to the socket as they are, without copying the page into one buffer.
    var parts: [ByteBuffer] = []
}

extension Response {
    init(_ prepared: PreparedResponse) {
        var body = prepared.body
        if body == nil, !prepared.parts.isEmpty {
            var joined = ByteBuffer()
            joined.reserveCapacity(prepared.parts.reduce(0) { $0 + $1.readableBytes })
            for part in prepared.parts { joined.writeImmutableBuffer(part) }
            body = joined
        }
        self.init(status: prepared.status, headers: prepared.headers, body: body.map { .init(byteBuffer: $0) } ?? .init())
    }
}
