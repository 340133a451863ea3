import AsyncHTTPClient
import DreyCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// Limits every outbound fetch lives within.
public struct FetchSettings: Sendable {
    public var connectTimeout: TimeAmount = .seconds(5)
    /// For the whole fetch, redirects and body included.
    public var totalTimeout: TimeAmount = .seconds(15)
    public var maxBodySize: Int = 1 << 20
    public var maxRedirects: Int = 5
    public var perHostLimit: Int = 2
    public var userAgent: String = "Drey/1.0 (+https://github.com/drey-blog; linkbacks)"
    /// What the server allows beyond public addresses (`--allow-fetch`).
    public var allow: FetchAllowList = FetchAllowList()
    public var resolver: Resolver = Resolver()
    /// A PEM file of certificates trusted for https besides the system's (`DREY_FETCH_CA_FILE`): a private CA inside
    /// the network, or a test peer's self-signed certificate. Verification stays on.
    public var extraTrustRoots: String? = nil

    public init() {}
}

/// The one way out of the process for HTTP: http and https only, addresses checked after DNS and then
/// connected to exactly, redirects checked again at every hop, timeouts, a body cap and per-host limits.
public final class SafeFetcher: Fetcher {
    public let settings: FetchSettings
    let logger: Logger
    private let limiter: HostLimiter

    public init(settings: FetchSettings = FetchSettings(), logger: Logger) {
        self.settings = settings
        self.logger = logger
        self.limiter = HostLimiter(limit: settings.perHostLimit)
    }

    /// A checked place to connect to: the URL as asked, and the one address it may reach.
    struct Destination {
        let url: URL
        let host: String
        let address: IPAddress
    }

    public func fetch(_ request: FetchRequest) async throws -> FetchResponse {
        let deadline = NIODeadline.now() + settings.totalTimeout
        let allow = settings.allow.merging(request.allow)
        var current = request
        var hops = 0
        while true {
            let destination = try await check(current.url, allow: allow)
            let hop = current
            let (response, isRedirect) = try await limiter.withSlot(destination.host.lowercased()) {
                try await self.send(hop, to: destination, deadline: deadline)
            }
            guard isRedirect, let location = response.header("Location") else { return response }
            hops += 1
            if hops > settings.maxRedirects { throw FetchError.tooManyRedirects(settings.maxRedirects) }
            guard let next = URL(string: location, relativeTo: destination.url)?.absoluteURL else {
                throw FetchError.invalidURL(location)
            }
            // Every hop is a GET, as browsers do after 301, 302 and 303; the body is not sent again.
            current = FetchRequest(
                url: next.absoluteString, method: "GET", headers: current.headers.filter { $0.0.lowercased() != "content-type" },
                followRedirects: true, allow: request.allow)
        }
    }

    /// Parses and resolves `text`, and picks an address the policy allows; throws when there is none.
    func check(_ text: String, allow: FetchAllowList) async throws -> Destination {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { throw FetchError.invalidURL(text) }
        guard scheme == "http" || scheme == "https" else { throw FetchError.unsupportedScheme(scheme) }
        guard let host = url.host, !host.isEmpty else { throw FetchError.invalidURL(text) }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let addresses: [IPAddress]
        do {
            addresses = try await settings.resolver.resolve(bare)
        } catch let error as Resolver.ResolveError where error.temporary {
            throw FetchError.connection("the name server did not answer for \(bare)")
        } catch {
            throw FetchError.unresolvable(bare)
        }
        guard let chosen = addresses.first(where: { AddressPolicy.isPublic($0) || allow.allows(host: bare, address: $0) }) else {
            throw FetchError.refusedAddress(host: bare, address: addresses.first?.description ?? "?")
        }
        return Destination(url: url, host: bare, address: chosen)
    }

    /// One HTTP exchange with the checked address; the flag says the answer is a redirect to follow.
    private func send(_ request: FetchRequest, to destination: Destination, deadline: NIODeadline) async throws -> (
        FetchResponse, Bool
    ) {
        var config = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: settings.connectTimeout, read: settings.totalTimeout),
            connectionPool: .init(idleTimeout: .seconds(1)), proxy: nil, decompression: .disabled)
        // Connect to the address that was checked, while TLS and the Host header still name the host.
        config.dnsOverride = IPAddress(destination.host) == nil ? [destination.host: destination.address.description] : [:]
        config.httpVersion = .http1Only
        if let file = settings.extraTrustRoots {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.file(file)]
            config.tlsConfiguration = tls
        }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
        do {
            let result = try await exchange(client, request, destination, deadline: deadline)
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw Self.translate(error)
        }
    }

    private func exchange(_ client: HTTPClient, _ request: FetchRequest, _ destination: Destination, deadline: NIODeadline)
        async throws -> (FetchResponse, Bool)
    {
        var outgoing = HTTPClientRequest(url: destination.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        outgoing.headers.add(name: "User-Agent", value: settings.userAgent)
        for (name, value) in request.headers { outgoing.headers.replaceOrAdd(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(outgoing, deadline: deadline, logger: logger)
        let status = Int(response.status.code)
        let headers = response.headers.map { ($0.name, $0.value) }
        let redirect =
            request.followRedirects && [301, 302, 303, 307, 308].contains(status)
            && response.headers.first(name: "Location") != nil
        if redirect {
            return (FetchResponse(url: destination.url.absoluteString, status: status, headers: headers, body: []), true)
        }
        if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > settings.maxBodySize {
            throw FetchError.tooLarge(limit: settings.maxBodySize)
        }
        var body: [UInt8] = []
        for try await chunk in response.body {
            if body.count + chunk.readableBytes > settings.maxBodySize { throw FetchError.tooLarge(limit: settings.maxBodySize) }
            body.append(contentsOf: chunk.readableBytesView)
        }
        return (FetchResponse(url: destination.url.absoluteString, status: status, headers: headers, body: body), false)
    }

    /// Client and network errors in the words of `FetchError`.
    static func translate(_ error: any Error) -> any Error {
        if error is FetchError { return error }
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout: return FetchError.timedOut
            default: return FetchError.connection(String(describing: client))
            }
        }
        if let channel = error as? ChannelError, case .connectTimeout = channel { return FetchError.timedOut }
        if let parser = error as? HTTPParserError { return FetchError.connection("the answer was not valid HTTP (\(parser))") }
        return FetchError.connection(String(describing: error).prefix(300).description)
    }
}
