import Crypto
import DreyApp
import DreyCore
import DreyFetch
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// In front of the blog: `/healthz`, `/readyz` and `/metrics` for the operator, and for every request an id, its
/// metrics and an access log line.
public struct OpsResponder: HTTPResponder {
    public typealias Context = DreyRequestContext
    let inner: DreyResponder
    let ops: OpsEndpoints

    public func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        switch OperationsRoute.match(request.uri.path) {
        case .health: response = WebApp.plain(.ok, "ok")
        case .ready: response = await ops.ready()
        case .metrics:
            response = await ops.metrics(request, origin: RequestOrigin.decide(request, peer: context.peer, proxies: ops.proxies))
        case nil: response = try await inner.respond(to: request, context: context)
        }
        ops.record(request, peer: context.peer, status: response.status, headers: &response.headers, started: started)
        return response
    }

    /// A cached page answered by the fast path (`CachedPageHandler`), with the same id, metrics and log line; nil when
    /// the request is for the operator's endpoints or not a cached page.
    func cachedAnswer(_ request: Request, peer: String?) -> PreparedResponse? {
        let started = ContinuousClock.now
        guard OperationsRoute.match(request.uri.path) == nil, let answer = inner.app.cachedAnswer(request, peer: peer) else { return nil }
        var prepared = answer.response
        ops.record(request, peer: peer, status: prepared.status, headers: &prepared.headers, started: started, origin: answer.origin, cache: "HIT")
        return prepared
    }
}

extension OpsEndpoints {
    /// Every answered request: its id (a trusted proxy's, else a new one) in `X-Request-Id`, its metrics, its log line.
    /// `origin` and `cache` are what the fast path already knows (the front door's origin, a hit); otherwise they are
    /// decided here and read from the response.
    func record(
        _ request: Request, peer: String?, status: HTTPResponse.Status, headers: inout HTTPFields, started: ContinuousClock.Instant,
        origin known: RequestOrigin? = nil, cache knownCache: String? = nil
    ) {
        let origin = known ?? RequestOrigin.decide(request, peer: peer, proxies: proxies)
        let requestID = Self.requestID(request, trusted: origin.trusted && peer != nil)
        headers[.xRequestID] = requestID
        let duration = ContinuousClock.now - started
        let kind = RouteKind.of(method: request.method, path: request.uri.path, query: request.uri.query)
        let cache = knownCache ?? headers[.xDreyCache]
        telemetry.request(kind: kind, status: status.code, duration: duration, cache: cache)
        if let log = accessLog {
            log.append(
                AccessLog.Entry(
                    client: origin.clientIP, time: Date(), method: request.method.rawValue, target: request.uri.description,
                    status: status.code, bytes: headers[.contentLength].flatMap(Int.init), referer: request.headers[.referer],
                    userAgent: request.headers[.userAgent], requestID: requestID, duration: duration, kind: kind, cache: cache))
        }
    }
}

/// The operator's endpoints and what they read.
struct OpsEndpoints: Sendable {
    let drey: Drey
    let cache: PageCache
    let telemetry: Telemetry
    let readiness: Readiness
    let metricsToken: String?
    let accessLog: AccessLog?
    var proxies: TrustedProxies { drey.config.trustedProxies }

    func ready() async -> Response {
        let report = await readiness.check()
        return WebApp.plain(
            report.ready ? .ok : .serviceUnavailable, (report.ready ? "ready" : "not ready") + "\n" + report.lines.joined(separator: "\n"))
    }

    /// Open to the trusted addresses (loopback, or `--trusted-proxy` ranges: the client's own address, not the
    /// proxy's), and to anyone with the bearer token.
    func metrics(_ request: Request, origin: RequestOrigin) async -> Response {
        let fromTrusted = IPAddress(origin.clientIP).map(proxies.trusts) ?? false
        guard fromTrusted || hasToken(request) else {
            return WebApp.plain(
                .forbidden, "/metrics answers trusted addresses only, or requests with the bearer token (--metrics-token).",
                extra: [.wwwAuthenticate: "Bearer realm=\"metrics\""])
        }
        await telemetry.collect(store: drey.store, cache: cache)
        let body = telemetry.render()
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    func hasToken(_ request: Request) -> Bool {
        guard let token = metricsToken, !token.isEmpty, let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            return false
        }
        // Compared as digests: equal length, and no early exit that times the token out.
        let given = SHA256.hash(data: Data(header.dropFirst("Bearer ".count).utf8))
        let expected = SHA256.hash(data: Data(token.utf8))
        return given == expected
    }

    /// The id a trusted proxy gave the request (`X-Request-Id`), when it looks like one; else a new one.
    static func requestID(_ request: Request, trusted: Bool) -> String {
        if trusted, let given = request.headers[.xRequestID], (1...128).contains(given.utf8.count),
            given.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C })
        {
            return given
        }
        // Drawn from the batched pool (one system call per 4 KB), written as hex without String(radix:) per byte.
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(24)
        for byte in RandomBytes.take(12) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 15)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-Id")!
    static let xDreyCache = HTTPField.Name("X-Drey-Cache")!
}
