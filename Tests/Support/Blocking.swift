import Dispatch
import Foundation

/// Runs blocking work (a child process, a pipe read) on a GCD thread, so it never holds one of the few
/// threads Swift concurrency has — servers inside the test process must keep answering meanwhile.
public func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// Hands a closure that is not `Sendable` to another thread while its owner waits for it (the test's setup steps).
public struct UncheckedBox<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
