import Dispatch

/// Work that holds its thread for a long while (a bcrypt hash, a name lookup that may wait seconds for a dead name
/// server, training the first spam model) runs on GCD's threads: never on Swift concurrency's few threads, which
/// answer requests, and never on NIO's thread pool, whose threads are SQLite's (two on a two-core machine, so two
/// slow lookups would stop every database read).
public enum BlockingWork {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    private static let queue = DispatchQueue(label: "drey.blocking-work", qos: .userInitiated, attributes: .concurrent)
}
