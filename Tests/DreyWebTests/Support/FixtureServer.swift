import DreyCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A request the fixture server received.
struct FixtureRequest: Sendable {
    let method: String
    /// Path and query, as sent.
    let target: String
    let headers: HTTPFields
    let body: [UInt8]

    var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
    var text: String { String(decoding: body, as: UTF8.self) }
    /// Fields of an urlencoded form body.
    var form: [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return fields
    }
}

/// What the fixture server answers.
struct FixtureReply: Sendable {
    enum Body: Sendable {
        case text(String)
        /// Chunks of 64 KB for as long as the client reads.
        case endless
    }

    var status: Int = 200
    var headers: [(String, String)] = [("Content-Type", "text/html; charset=utf-8")]
    var body: Body = .text("")
    /// Waits this long before answering (a slow or hung server).
    var delay: Duration? = nil

    static func html(_ text: String, headers: [(String, String)] = []) -> FixtureReply {
        FixtureReply(headers: [("Content-Type", "text/html; charset=utf-8")] + headers, body: .text(text))
    }

    static func status(_ code: Int, _ text: String = "", headers: [(String, String)] = []) -> FixtureReply {
        FixtureReply(status: code, headers: [("Content-Type", "text/plain")] + headers, body: .text(text))
    }
}

/// A real HTTP server on 127.0.0.1 and a free port, answering from a closure: the far side of
/// fetches, discovery and pings in tests. It records every request it receives.
final class FixtureServer: Sendable {
    typealias Handler = @Sendable (FixtureRequest, String) async -> FixtureReply

    let received = Locked([FixtureRequest]())
    /// Requests being answered now, and the most there ever were at once.
    let inFlight = Locked((now: 0, most: 0))
    var maxConcurrent: Int { inFlight.current.most }
    private let portBox = Locked(0)
    var port: Int { portBox.current }
    /// `http://127.0.0.1:PORT`
    var base: String { "http://127.0.0.1:\(port)" }

    static func with<T: Sendable>(_ handler: @escaping Handler, _ body: @Sendable (FixtureServer) async throws -> T) async throws -> T {
        let server = FixtureServer()
        var logger = Logger(label: "fixture")
        logger.logLevel = .critical
        let ready = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: FixtureResponder(server: server, handler: handler),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "Fixture"),
            onServerRunning: { channel in ready.continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let running = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ready.stream.makeAsyncIterator()
        server.portBox.withLock { $0 = 0 }
        if let port = await iterator.next() { server.portBox.withLock { $0 = port } }
        do {
            let value = try await body(server)
            running.cancel()
            _ = await running.result
            return value
        } catch {
            running.cancel()
            _ = await running.result
            throw error
        }
    }

    func requests(to path: String) -> [FixtureRequest] { received.current.filter { $0.path == path } }
}

struct FixtureResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let server: FixtureServer
    let handler: FixtureServer.Handler

    func respond(to request: Request, context: Context) async throws -> Response {
        let body = try await request.body.collect(upTo: 4 << 20)
        let received = FixtureRequest(
            method: request.method.rawValue, target: request.uri.description, headers: request.headers,
            body: Array(body.readableBytesView))
        server.received.withLock { $0.append(received) }
        server.inFlight.withLock {
            $0.now += 1
            $0.most = max($0.most, $0.now)
        }
        let reply = await handler(received, server.base)
        if let delay = reply.delay { try? await Task.sleep(for: delay) }
        server.inFlight.withLock { $0.now -= 1 }
        var headers = HTTPFields()
        for (name, value) in reply.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        switch reply.body {
        case .text(let text):
            return Response(status: .init(code: reply.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        case .endless:
            return Response(
                status: .init(code: reply.status), headers: headers,
                body: ResponseBody { writer in
                    let chunk = ByteBuffer(repeating: UInt8(ascii: "a"), count: 65536)
                    while true { try await writer.write(chunk) }
                })
        }
    }
}
