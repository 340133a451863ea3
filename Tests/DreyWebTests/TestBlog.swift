import DreyCore
import DreyRender
import DreyStore
import DreyTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

@testable import DreyApp
@testable import DreyWeb

/// A blog on a fresh database with the HTTP app in front of it, for one test.
struct TestBlog: Sendable {
    let location: TestLocation
    let config: AppConfig
    let drey: Drey
    let site: Site
    let author: User

    static let host = "blog.test"
    /// One seed classifier for every blog a test run opens: training it is the slowest step of opening a blog.
    static let seed = SpamSeed(directory: SharedData.packageRoot.appendingPathComponent("Resources/spam-seed").path)

    static func open(
        _ kind: TestDatabase, pageCache: Bool = true, clock: Clock = .system, fetchAllow: [String] = [],
        trustedProxies: TrustedProxies = .loopback, smtpURL: String? = nil, cacheBytes: Int? = nil, maxUploadSize: Int? = nil
    ) async throws -> TestBlog {
        let location = try await kind.makeLocation()
        var config = AppConfig(
            dataDirectory: location.dataDirectory, databaseURL: location.databaseURL, pageCache: pageCache,
            themesDirectory: SharedData.packageRoot.appendingPathComponent("Themes").path, clock: clock, logLevel: .error,
            spamSeed: seed)
        config.fetchAllow = fetchAllow
        config.trustedProxies = trustedProxies
        config.smtpURL = smtpURL
        if let cacheBytes { config.pageCacheBytes = cacheBytes }
        if let maxUploadSize { config.maxUploadSize = maxUploadSize }
        let drey = try await Drey.open(config, logger: quietLogger)
        let site = try drey.sites.site(named: nil)
        let author = try await drey.users.add(
            email: "korakious@blog.test", name: "korakious", login: "korakious", role: .administrator, password: nil, siteID: site.id)
        return TestBlog(location: location, config: config, drey: drey, site: site, author: author)
    }

    static var quietLogger: Logger {
        var l = Logger(label: "drey-test")
        l.logLevel = .critical
        return l
    }

    /// Runs `body` against the app in-process (or, `live`, over a loopback socket, so requests have a peer), then
    /// closes everything.
    static func with(
        _ kind: TestDatabase, pageCache: Bool = true, clock: Clock = .system, fetchAllow: [String] = [],
        trustedProxies: TrustedProxies = .loopback, live: Bool = false, smtpURL: String? = nil, cacheBytes: Int? = nil, maxUploadSize: Int? = nil,
        _ body: @escaping @Sendable (TestBlog, any TestClientProtocol) async throws -> Void
    ) async throws {
        let blog = try await open(
            kind, pageCache: pageCache, clock: clock, fetchAllow: fetchAllow, trustedProxies: trustedProxies, smtpURL: smtpURL,
            cacheBytes: cacheBytes, maxUploadSize: maxUploadSize)
        do {
            // The composition root `drey serve` uses; the tests drive jobs and the scheduler themselves.
            let built = try await buildApplication(blog.drey, logger: quietLogger, setupToken: "test-setup-token")
            try await built.server(background: false).test(live ? .live : .router) { client in try await body(blog, client) }
        } catch {
            await blog.close()
            throw error
        }
        await blog.close()
    }

    func close() async {
        await drey.close()
        await location.cleanup()
    }

    var siteNow: Site { drey.sites.site(id: site.id)! }

    @discardableResult
    func post(
        _ title: String, _ markdown: String = "Some *text*.", date: String = "2008-01-27T00:04:00Z", categories: [String] = [],
        tags: [String] = [], type: PostType = .post, status: PostStatus = .publish, sticky: Bool = false, parent: Int64? = nil,
        commentStatus: OpenStatus? = nil, typography: Typography = Typography()
    ) async throws -> Post {
        var input = PostInput(title: title, source: markdown, authorID: author.id)
        input.publishedAt = ISO8601DateFormatter().date(from: date)
        input.categories = categories
        input.tags = tags
        input.type = type
        input.status = status
        input.sticky = sticky
        input.parentID = parent
        input.commentStatus = commentStatus
        input.typography = typography
        return try await drey.posts.create(input, siteID: site.id)
    }

    @discardableResult
    func comment(
        _ post: Post, _ text: String, by name: String = "Phil", email: String = "phil@example.org", url: String = "", parent: Int64? = nil,
        status: CommentStatus = .approved, type: CommentType = .comment
    ) async throws -> Comment {
        var s = CommentSubmission(postID: post.id, parentID: parent, authorName: name, email: email, url: url, text: text)
        s.forcedStatus = status
        s.type = type
        return try await drey.comments.submit(s, siteID: site.id)
    }

    func set(_ key: SettingKey, _ value: String) async throws {
        try await drey.siteService.set([key: value], siteID: site.id)
    }
}

extension TestClientProtocol {
    /// GET (or another method) with the test site's Host header.
    func get(_ uri: String, headers: HTTPFields = [:], method: HTTPRequest.Method = .get) async throws -> TestResponse {
        var h = headers
        if h[.xForwardedHost] == nil { h[.xForwardedHost] = TestBlog.host }
        return try await execute(uri: uri, method: method, headers: h, body: nil)
    }

    /// POSTs an urlencoded form.
    func postForm(_ uri: String, _ fields: [(String, String)], headers: HTTPFields = [:]) async throws -> TestResponse {
        var h = headers
        h[.xForwardedHost] = TestBlog.host
        h[.contentType] = "application/x-www-form-urlencoded"
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await execute(uri: uri, method: .post, headers: h, body: ByteBuffer(string: body))
    }

    static func encode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? ""
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var location: String? { headers[.location] }
}
