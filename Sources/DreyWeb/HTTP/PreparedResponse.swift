import HTTPTypes
import Hummingbird
import NIOCore

/// A response whose body is already one buffer (or none: HEAD, 304). The async path turns it into a Hummingbird
/// `Response`; the cached-page fast path writes it to the channel without leaving the event loop.
struct PreparedResponse: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer?
}

extension Response {
    init(_ prepared: PreparedResponse) {
        self.init(status: prepared.status, headers: prepared.headers, body: prepared.body.map { .init(byteBuffer: $0) } ?? .init())
    }
}
