import Foundation

/// An outbound HTTP request; only the one safe fetcher sends it.
public struct FetchRequest: Sendable {
    public var url: String
    public var method: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// GETs follow redirects (each hop checked again); a POST never does.
    public var followRedirects: Bool
    /// Hosts or ranges a site allows on top of the server's own allowance (its `fetch_allow` setting).
    public var allow: [String]

    public init(
        url: String, method: String = "GET", headers: [(String, String)] = [], body: [UInt8]? = nil,
        followRedirects: Bool? = nil, allow: [String] = []
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.followRedirects = followRedirects ?? (method == "GET" || method == "HEAD")
        self.allow = allow
    }

    /// A form POST, as Webmention and WebSub send.
    public static func form(_ url: String, _ fields: [(String, String)], allow: [String] = []) -> FetchRequest {
        let body = fields.map { "\(FormEncoding.encode($0.0))=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
        return FetchRequest(
            url: url, method: "POST", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(body.utf8), allow: allow)
    }
}

/// What came back, after any redirects.
public struct FetchResponse: Sendable {
    /// The URL that answered, after redirects.
    public var url: String
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(url: String, status: Int, headers: [(String, String)], body: [UInt8]) {
        self.url = url
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header of that name, compared without regard to case.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// Every header of that name, in order.
    public func headers(named name: String) -> [String] {
        headers.filter { $0.0.caseInsensitiveCompare(name) == .orderedSame }.map(\.1)
    }

    /// The body as text, with invalid UTF-8 replaced.
    public var text: String { String(decoding: body, as: UTF8.self) }

    public var isHTML: Bool {
        let type = (header("Content-Type") ?? "").lowercased()
        return type.isEmpty || type.contains("text/html") || type.contains("application/xhtml")
    }
}

/// Why a fetch did not happen or did not finish, in words an operator can act on.
public enum FetchError: Error, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case unsupportedScheme(String)
    /// The host resolved only to addresses inside the network (loopback, private, link-local, …).
    case refusedAddress(host: String, address: String)
    case unresolvable(String)
    case tooManyRedirects(Int)
    case tooLarge(limit: Int)
    case timedOut
    case connection(String)

    public var description: String {
        switch self {
        case .invalidURL(let url): return "not a valid URL: \(url.prefix(200))"
        case .unsupportedScheme(let scheme): return "only http and https can be fetched, not \(scheme)"
        case .refusedAddress(let host, let address):
            return "refused to fetch \(host): it resolves to \(address), an address inside the network"
        case .unresolvable(let host): return "cannot resolve \(host)"
        case .tooManyRedirects(let n): return "more than \(n) redirects"
        case .tooLarge(let limit): return "the response is larger than \(limit / 1024) KB"
        case .timedOut: return "timed out"
        case .connection(let message): return "connection failed: \(message)"
        }
    }

    /// Whether trying again later may succeed (the far side was down), rather than never.
    public var isTransient: Bool {
        switch self {
        case .timedOut, .connection: return true
        default: return false
        }
    }
}

/// Outbound HTTP through the address and size checks; tests may hand in another.
public protocol Fetcher: Sendable {
    func fetch(_ request: FetchRequest) async throws -> FetchResponse
}

/// `application/x-www-form-urlencoded`, as browsers write it.
public enum FormEncoding {
    static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.*")

    public static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved.union(CharacterSet(charactersIn: " ")))?
            .replacingOccurrences(of: " ", with: "+") ?? ""
    }
}
