import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation
import Logging

/// The built `drey` binary, run as operators run it: one-off commands, and servers on loopback ports.
enum DreyBinary {
    /// The built binary, checked once per run to be newer than every source file: `swift test` alone builds the tests
    /// but not the executable, and a test of a stale binary would pass or fail for code that is no longer there.
    static var path: String {
        get throws {
            if let stale = staleness { throw StaleBinary(description: stale) }
            return SharedData.packageRoot.appendingPathComponent(".build/debug/drey").path
        }
    }

    struct StaleBinary: Error, CustomStringConvertible { let description: String }

    static let staleness: String? = {
        let root = SharedData.packageRoot
        let binary = root.appendingPathComponent(".build/debug/drey").path
        func modified(_ path: String) -> Date? { try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date }
        guard let built = modified(binary) else { return "\(binary) is missing: run `swift build` (scripts/test.sh does) before the tests" }
        let sources = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        for file in files {
            if let date = modified(sources.appendingPathComponent(file).path), date > built {
                return "\(binary) is older than Sources/\(file): run `swift build` (scripts/test.sh does) before the tests"
            }
        }
        return nil
    }()

    struct Output {
        let status: Int32
        let out: String
        let err: String
    }

    static func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = nil
        env["DREY_THEMES_DIR"] = SharedData.packageRoot.appendingPathComponent("Themes").path
        for (k, v) in extra { env[k] = v }
        return env
    }

    /// Runs one command to its end from async code, waiting on a GCD thread: a test that blocks one of Swift
    /// concurrency's two threads (two cores) stalls every server and client in the test process meanwhile, and
    /// on a loaded machine their timeouts run out. In async code the compiler picks this one.
    @discardableResult
    static func run(_ args: [String], data: String?, env: [String: String] = [:], stdin: String? = nil) async throws -> Output {
        try await offThread { try run(args, data: data, env: env, stdin: stdin) }
    }

    /// Runs one command to its end; `data` adds `--data`, `stdin` is written to its standard input.
    @discardableResult
    static func run(_ args: [String], data: String?, env: [String: String] = [:], stdin: String? = nil) throws -> Output {
        let result = try ChildProcess.run(
            try path, args + (data.map { ["--data", $0] } ?? []), environment: environment(env), directory: SharedData.packageRoot.path,
            input: stdin.map { Data($0.utf8) })
        return Output(status: result.status, out: result.output, err: result.error)
    }
}

/// A `drey serve` process on 127.0.0.1 with its own data folder (SQLite, or a PostgreSQL database).
final class DreyServer: @unchecked Sendable {
    let location: TestLocation
    let port: Int
    let process: ChildProcess
    let log: URL
    /// A second instance on another's database leaves the database to the first to drop.
    let ownsLocation: Bool
    var base: String { "http://127.0.0.1:\(port)" }
    var data: String { location.dataDirectory }
    var env: [String: String] { location.databaseURL.map { ["DATABASE_URL": $0] } ?? [:] }

    private init(location: TestLocation, port: Int, process: ChildProcess, log: URL, ownsLocation: Bool = true) {
        self.location = location
        self.port = port
        self.process = process
        self.log = log
        self.ownsLocation = ownsLocation
    }

    /// Prepares the data folder with `setup` (commands run before serving), then starts serving; `homeURL: false`
    /// leaves the site's address for the first request to fix.
    static func start(
        _ kind: TestDatabase, serveArguments: [String] = [], homeURL: Bool = true, environment: [String: String] = [:],
        prepare: ((TestLocation) async throws -> Void)? = nil, setup: @escaping (String, [String: String], String) throws -> Void
    ) async throws -> DreyServer {
        let location = try await kind.makeLocation()
        let port = try FetcherTests.closedPort()
        let env = location.databaseURL.map { ["DATABASE_URL": $0] } ?? [:]
        let base = "http://127.0.0.1:\(port)"
        // Child processes are waited for on a GCD thread: Swift concurrency's few threads must keep serving meanwhile.
        let data = location.dataDirectory
        _ = try await offThread { try DreyBinary.run(["migrate"], data: data, env: env) }
        if homeURL { _ = try await offThread { try DreyBinary.run(["site", "set", "home_url", base], data: data, env: env) } }
        // On a GCD thread: the commands it runs block, and Swift concurrency's two threads must keep serving.
        let blocking = UncheckedBox(setup)
        try await offThread { try blocking.value(data, env, base) }
        try await prepare?(location)
        return try await serve(location, port: port, serveArguments: serveArguments, environment: environment, ownsLocation: true)
    }

    /// A second `drey serve` on the PostgreSQL database of `first`, with a data folder of its own.
    static func another(on first: DreyServer, serveArguments: [String] = [], environment: [String: String] = [:]) async throws -> DreyServer {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drey-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let location = TestLocation(kind: first.location.kind, dataDirectory: dir, databaseURL: first.location.databaseURL)
        return try await serve(
            location, port: try FetcherTests.closedPort(), serveArguments: serveArguments, environment: environment, ownsLocation: false)
    }

    static func serve(
        _ location: TestLocation, port: Int, serveArguments: [String], environment: [String: String], ownsLocation: Bool
    ) async throws -> DreyServer {
        var env = location.databaseURL.map { ["DATABASE_URL": $0] } ?? [:]
        env.merge(environment) { _, new in new }
        let log = URL(fileURLWithPath: location.dataDirectory).appendingPathComponent("serve.log")
        let process = try ChildProcess(
            try DreyBinary.path, ["serve", "--port", String(port), "--data", location.dataDirectory] + serveArguments,
            environment: DreyBinary.environment(env), output: .file(log.path), error: .sameAsOutput)
        let server = DreyServer(location: location, port: port, process: process, log: log, ownsLocation: ownsLocation)
        let started = Date()
        let last = Locked("no answer yet")
        let ready = try await server.waitUntil(timeout: 120) {
            do {
                let status = try await server.get("/").status
                last.withLock { $0 = "the last GET / answered \(status)" }
                return status == 200
            } catch {
                last.withLock { $0 = "the last GET / failed: \(error)" }
                throw error
            }
        }
        guard ready else {
            let running = process.isRunning
            await server.stop()
            throw StartFailed(
                state:
                    "after \(Int(Date().timeIntervalSince(started))) s the process \(running ? "still ran" : "had exited"); \(last.withLock { $0 })",
                log: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
        return server
    }

    struct StartFailed: Error, CustomStringConvertible {
        var state = ""
        let log: String
        var description: String { "drey serve did not start" + (state.isEmpty ? "" : " (\(state))") + "; its log:\n\(log)" }
    }

    static let client: SafeFetcher = {
        var settings = FetchSettings()
        settings.allow = FetchAllowList(["127.0.0.1"])
        // The whole suite starts many servers at once on two cores: a page may take far longer than a reader would wait.
        settings.connectTimeout = .seconds(60)
        settings.totalTimeout = .seconds(180)
        var logger = Logger(label: "drey-server-test")
        logger.logLevel = .critical
        return SafeFetcher(settings: settings, logger: logger)
    }()

    func get(_ path: String) async throws -> FetchResponse {
        try await Self.client.fetch(FetchRequest(url: base + path))
    }

    /// Runs a command against this server's data, waiting on a GCD thread: the in-process servers of other tests
    /// keep Swift concurrency's few threads meanwhile.
    @discardableResult
    func run(_ args: [String]) async throws -> DreyBinary.Output {
        let (data, env) = (data, env)
        return try await offThread { try DreyBinary.run(args, data: data, env: env) }
    }

    /// JSON lines of a command's output.
    func jsonLines(_ args: [String]) async throws -> [[String: Any]] {
        try await run(args).out.split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Polls `condition` until it holds or `timeout` seconds pass: the servers work in the background.
    func waitUntil(timeout: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? await condition()) == true { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return try await condition()
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Whether the process still runs, and the last lines of its log (requests are logged one a line).
    func stateForFailure(lines: Int = 25) -> String {
        let tail = logText.split(separator: "\n").suffix(lines).joined(separator: "\n")
        return "drey serve on port \(port) \(process.isRunning ? "is running" : "has exited"); the end of its log:\n\(tail)"
    }

    /// For `defer`: asks the process to end; the wait, the folder and the database go in the background.
    func stopSoon() {
        // Not waited for here: a graceful stop can take seconds, and this runs on one of Swift concurrency's threads.
        process.terminate()
        Task { await stop() }
    }

    func stop() async {
        if process.isRunning {
            process.terminate()
            let process = process
            _ = try? await offThread { process.waitUntilExit() }
        }
        if ownsLocation {
            await location.cleanup()
        } else {
            try? FileManager.default.removeItem(atPath: location.dataDirectory)
        }
    }
}
