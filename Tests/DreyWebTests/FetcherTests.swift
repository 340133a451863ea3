import DreyCore
import DreyFetch
import Foundation
import Logging
import Testing

/// The one safe fetcher against a real server on loopback: what it refuses, caps and follows.
@Suite struct FetcherTests {
    static var quiet: Logger {
        var l = Logger(label: "fetch-test")
        l.logLevel = .critical
        return l
    }

    /// A fetcher allowed to reach the fixture only by the name `fixture.test`, which resolves to 127.0.0.1.
    static func fetcher(allow: [String] = ["fixture.test"], configure: (inout FetchSettings) -> Void = { _ in }) -> SafeFetcher {
        var settings = FetchSettings()
        settings.allow = FetchAllowList(allow)
        settings.resolver = Resolver { host in
            switch host {
            case "fixture.test": return [IPAddress("127.0.0.1")!]
            case "inside.test": return [IPAddress("10.0.0.7")!]
            case "mapped.test": return [IPAddress("::ffff:127.0.0.1")!]
            default: return nil
            }
        }
        // A loaded test machine (the whole suite runs at once on two cores) can stall the fixture server for seconds;
        // only the tests of timeouts themselves want them short.
        settings.connectTimeout = .seconds(60)
        settings.totalTimeout = .seconds(180)
        configure(&settings)
        return SafeFetcher(settings: settings, logger: quiet)
    }

    static func routes(_ request: FixtureRequest, _ base: String) async -> FixtureReply {
        let port = base.split(separator: ":").last.map(String.init) ?? ""
        switch request.path {
        case "/page": return .html("<p>hello</p>")
        case "/ua": return .status(200, request.headers[.userAgent] ?? "")
        case "/loop": return .status(302, headers: [("Location", "/loop")])
        case let p where p.hasPrefix("/hop/"):
            let n = Int(p.dropFirst(5)) ?? 0
            return n == 0 ? .html("arrived") : .status(301, headers: [("Location", "/hop/\(n - 1)")])
        case "/to-inside": return .status(302, headers: [("Location", "http://127.0.0.1:\(port)/page")])
        case "/to-file": return .status(302, headers: [("Location", "file:///etc/passwd")])
        case "/huge": return .html(String(repeating: "x", count: (1 << 20) + 1))
        case "/endless": return FixtureReply(body: .endless)
        case "/slow": return FixtureReply(body: .text("late"), delay: .seconds(10))
        case "/busy": return FixtureReply(body: .text("ok"), delay: .milliseconds(150))
        default: return .status(404, "not here")
        }
    }

    @Test("an allowed host is fetched with Drey's User-Agent; redirects are followed up to five, re-checked at each hop")
    func fetchesAndFollows() async throws {
        try await FixtureServer.with(Self.routes) { server in
            let fetcher = Self.fetcher()
            let page = try await fetcher.fetch(FetchRequest(url: "http://fixture.test:\(server.port)/page"))
            #expect(page.status == 200 && page.text == "<p>hello</p>")
            let ua = try await fetcher.fetch(FetchRequest(url: "http://fixture.test:\(server.port)/ua"))
            #expect(ua.text.hasPrefix("Drey/"))
            let five = try await fetcher.fetch(FetchRequest(url: "http://fixture.test:\(server.port)/hop/5"))
            #expect(five.text == "arrived" && five.url.hasSuffix("/hop/0"))
            await #expect(throws: FetchError.tooManyRedirects(5)) {
                _ = try await fetcher.fetch(FetchRequest(url: "http://fixture.test:\(server.port)/hop/6"))
            }
            await #expect(throws: FetchError.tooManyRedirects(5)) {
                _ = try await fetcher.fetch(FetchRequest(url: "http://fixture.test:\(server.port)/loop"))
            }
            // The name was allowed, not the address: a redirect to the bare address is refused.
            await #expect(throws: FetchError.refusedAddress(host: "127.0.0.1", address: "127.0.0.1")) {
                _ = try await fetcher.fetch(FetchRequest(url: "http://fixture.test:\(server.port)/to-inside"))
            }
            await #expect(throws: FetchError.unsupportedScheme("file")) {
                _ = try await fetcher.fetch(FetchRequest(url: "http://fixture.test:\(server.port)/to-file"))
            }
            let hopsSeen = server.received.current.filter { $0.path.hasPrefix("/hop/") }.count
            #expect(hopsSeen == 6 + 6)  // five redirects and the page, then six before giving up
        }
    }

    @Test("addresses inside the network are refused after resolution, in every spelling, before any connection")
    func refusesInside() async throws {
        try await FixtureServer.with(Self.routes) { server in
            let fetcher = Self.fetcher(allow: [])
            let port = server.port
            let refused = [
                "http://127.0.0.1:\(port)/page", "http://localhost:\(port)/page", "http://[::1]:\(port)/page",
                "http://[::ffff:127.0.0.1]:\(port)/page", "http://2130706433:\(port)/page", "http://0x7f.1:\(port)/page",
                "http://127.1:\(port)/page", "http://0.0.0.0:\(port)/page", "http://[::]:\(port)/page",
                "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://192.168.1.1/", "http://172.16.0.1/",
                "http://[fe80::1]/", "http://[fd00::1]/", "http://224.0.0.1/", "http://inside.test/", "http://mapped.test:\(port)/page",
                "http://fixture.test:\(port)/page",
            ]
            for url in refused {
                do {
                    _ = try await fetcher.fetch(FetchRequest(url: url))
                    Issue.record("\(url) was fetched")
                } catch let error as FetchError {
                    guard case .refusedAddress = error else {
                        Issue.record("\(url): \(error)")
                        continue
                    }
                }
            }
            #expect(server.received.current.isEmpty, "nothing reached the server")
            for (url, scheme) in [("ftp://example.com/x", "ftp"), ("file:///etc/passwd", "file"), ("gopher://x/", "gopher")] {
                await #expect(throws: FetchError.unsupportedScheme(scheme)) { _ = try await fetcher.fetch(FetchRequest(url: url)) }
            }
            await #expect(throws: FetchError.self) { _ = try await fetcher.fetch(FetchRequest(url: "not a url")) }
            // A CIDR allowance opens the range, and only it.
            let ranged = Self.fetcher(allow: ["127.0.0.0/8"])
            #expect(try await ranged.fetch(FetchRequest(url: "http://127.0.0.1:\(port)/page")).status == 200)
            await #expect(throws: FetchError.self) { _ = try await ranged.fetch(FetchRequest(url: "http://10.0.0.1/")) }
        }
    }

    @Test("bodies over 1 MB are refused, whether announced or endless; a hung server times out")
    func caps() async throws {
        try await FixtureServer.with(Self.routes) { server in
            let fetcher = Self.fetcher()
            await #expect(throws: FetchError.tooLarge(limit: 1 << 20)) {
                _ = try await fetcher.fetch(FetchRequest(url: "http://fixture.test:\(server.port)/huge"))
            }
            await #expect(throws: FetchError.tooLarge(limit: 1 << 20)) {
                _ = try await fetcher.fetch(FetchRequest(url: "http://fixture.test:\(server.port)/endless"))
            }
            await #expect(throws: FetchError.timedOut) {
                _ = try await Self.fetcher { $0.totalTimeout = .seconds(2) }.fetch(FetchRequest(url: "http://fixture.test:\(server.port)/slow"))
            }
            let closed = try Self.closedPort()
            do {
                _ = try await Self.fetcher(allow: ["127.0.0.1"]).fetch(FetchRequest(url: "http://127.0.0.1:\(closed)/"))
                Issue.record("a closed port answered")
            } catch let error as FetchError {
                #expect(error.isTransient, "\(error)")
            }
        }
    }

    @Test("at most two fetches run at once against one host")
    func perHostLimit() async throws {
        try await FixtureServer.with(Self.routes) { server in
            let fetcher = Self.fetcher()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 {
                    group.addTask { _ = try await fetcher.fetch(FetchRequest(url: "http://fixture.test:\(server.port)/busy")) }
                }
                try await group.waitForAll()
            }
            // Counted on the server: how many requests overlapped there.
            #expect(server.requests(to: "/busy").count == 6)
            #expect(server.maxConcurrent <= 2)
        }
    }

    /// A port nothing listens on: bound, noted and closed again. Never the same one twice in a test run: the suite's
    /// servers are given their ports seconds before they bind them, and two given the same one would share it, the
    /// second failing to bind while the first answered its requests (seen once: an access log left empty).
    static func closedPort() throws -> Int {
        for _ in 0..<100 {
            let port = try anyClosedPort()
            if handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
        return try anyClosedPort()
    }

    private static let handedOut = Locked(Set<Int>())

    private static func anyClosedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        close(fd)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
