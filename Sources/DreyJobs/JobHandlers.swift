import DreyCore
import Foundation

/// How a job's run ended when it did not succeed.
public enum JobFailure: Error, CustomStringConvertible {
    /// Trying again cannot help (the target refused, the input is bad): the job fails now.
    case permanent(String)
    /// The far side was unreachable or busy: the job runs again after the backoff, until its attempts run out.
    case transient(String)

    public var description: String {
        switch self {
        case .permanent(let m), .transient(let m): return m
        }
    }
}

/// The work behind each job kind. A handler returns normally when done, or throws: `JobFailure`
/// says whether to retry; any other error is taken as transient.
public struct JobHandlers: Sendable {
    public typealias Handler = @Sendable (Job) async throws -> Void

    private var handlers: [String: Handler] = [:]

    public init() {}

    public mutating func register(_ kind: String, _ handler: @escaping Handler) {
        handlers[kind] = handler
    }

    public func handler(for kind: String) -> Handler? { handlers[kind] }

    public var kinds: [String] { handlers.keys.sorted() }
}
