import DreyApp
import DreyCore
import DreyStore
import Foundation
import ServiceLifecycle

/// Whether the job workers of this process are running: set by the service that runs them, cleared when it ends.
public final class WorkerWatch: Sendable {
    private let state = Locked(false)
    public init() {}
    public var running: Bool { state.current }
    func set(_ value: Bool) { state.withLock { $0 = value } }
}

/// Runs a service and keeps `watch` up to date with whether it runs.
struct WatchedService<Inner: Service>: Service {
    let inner: Inner
    let watch: WorkerWatch

    func run() async throws {
        watch.set(true)
        defer { watch.set(false) }
        try await inner.run()
    }
}

/// `/readyz`: the database answers, its schema is the one this binary knows, and the job workers run.
struct Readiness: Sendable {
    let drey: Drey
    let workers: WorkerWatch
    /// A check slower than this counts as failed: a load balancer's probe must not hang with the database.
    static let timeout: Duration = .seconds(3)

    struct Report: Sendable {
        var ready: Bool
        var lines: [String]
    }

    func check() async -> Report {
        var lines: [String] = []
        var ready = true
        let store = drey.store
        let database = drey.database
        let outcome = await Self.within(Self.timeout) { () async throws -> [Int] in
            try await store.ping()
            return try await Migrator(database: database).appliedVersions()
        }
        switch outcome {
        case .success(let applied):
            lines.append("database: ok")
            let known = Migrator.knownVersions
            if Set(applied) == Set(known) {
                lines.append("migrations: current (\(known.max() ?? 0))")
            } else {
                ready = false
                let missing = Set(known).subtracting(applied).sorted()
                let unknown = Set(applied).subtracting(known).sorted()
                var problem = "migrations: not current"
                if !missing.isEmpty { problem += "; not applied: \(missing.map(String.init).joined(separator: ", ")) (run `drey migrate`)" }
                if !unknown.isEmpty { problem += "; applied by a newer drey: \(unknown.map(String.init).joined(separator: ", "))" }
                lines.append(problem)
            }
        case .failure(let error):
            ready = false
            lines.append("database: not reachable (\(error))")
        }
        if drey.config.jobs.workers == 0 {
            lines.append("workers: none in this process (--workers 0)")
        } else if workers.running {
            lines.append("workers: running (\(drey.config.jobs.workers))")
        } else {
            ready = false
            lines.append("workers: not running")
        }
        return Report(ready: ready, lines: lines)
    }

    struct TimedOut: Error, CustomStringConvertible {
        var description: String { "no answer within \(Readiness.timeout)" }
    }

    /// The work's result, or `TimedOut` after `limit`; a hung database call is left behind rather than waited for.
    static func within<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async -> Result<T, any Error> {
        let pending = Locked<CheckedContinuation<Result<T, any Error>, Never>?>(nil)
        @Sendable func finish(_ result: Result<T, any Error>) {
            let continuation = pending.withLock { c in
                defer { c = nil }
                return c
            }
            continuation?.resume(returning: result)
        }
        return await withCheckedContinuation { continuation in
            pending.withLock { $0 = continuation }
            let worker = Task {
                do { finish(.success(try await work())) } catch { finish(.failure(error)) }
            }
            Task {
                try? await Task.sleep(for: limit)
                worker.cancel()
                finish(.failure(TimedOut()))
            }
        }
    }
}
