import Foundation

/// Where a job stands; `failed` and `cancelled` wait for an operator, `done` is kept a while for the record.
public enum JobState: String, Sendable, Codable, CaseIterable {
    case queued, running, done, failed, cancelled
}

/// One side effect that leaves the process (a ping, a webmention, a hub notification), kept in the
/// `jobs` table until it is done or has used up its attempts.
public struct Job: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var siteID: Int64?
    public var kind: String
    /// JSON text the kind's handler understands.
    public var payload: String
    public var state: JobState
    /// Attempts started so far, including the one running now.
    public var attempts: Int
    public var maxAttempts: Int
    public var runAt: Date
    public var lockedAt: Date?
    public var lockedBy: String?
    public var lastError: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, siteID: Int64?, kind: String, payload: String, state: JobState, attempts: Int, maxAttempts: Int,
        runAt: Date, lockedAt: Date? = nil, lockedBy: String? = nil, lastError: String = "", createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.siteID = siteID
        self.kind = kind
        self.payload = payload
        self.state = state
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.lockedAt = lockedAt
        self.lockedBy = lockedBy
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether this run is the last one the job is allowed.
    public var isLastAttempt: Bool { attempts >= maxAttempts }

    /// Decodes the payload as `T`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(payload.utf8))
    }
}

/// A job to add to the queue.
public struct NewJob: Sendable, Equatable {
    public var kind: String
    public var payload: String
    public var siteID: Int64?
    public var runAt: Date
    public var maxAttempts: Int
    /// While a queued job has this key, enqueueing another with the same key does nothing.
    public var dedupeKey: String?

    public init(kind: String, payload: String, siteID: Int64?, runAt: Date, maxAttempts: Int = 8, dedupeKey: String? = nil) {
        self.kind = kind
        self.payload = payload
        self.siteID = siteID
        self.runAt = runAt
        self.maxAttempts = maxAttempts
        self.dedupeKey = dedupeKey
    }

    /// A job whose payload is `value` as JSON.
    public init<T: Encodable>(
        kind: String, encoding value: T, siteID: Int64?, runAt: Date, maxAttempts: Int = 8, dedupeKey: String? = nil
    ) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        self.init(kind: kind, payload: text, siteID: siteID, runAt: runAt, maxAttempts: maxAttempts, dedupeKey: dedupeKey)
    }
}

/// Exponential backoff with a cap and jitter: the wait after attempt n is about base × 2^(n−1).
public struct Backoff: Sendable, Equatable {
    public var base: TimeInterval
    public var cap: TimeInterval
    /// Up to this share of the delay is added at random, so retries from many jobs spread out.
    public var jitter: Double

    public init(base: TimeInterval = 30, cap: TimeInterval = 6 * 3600, jitter: Double = 0.2) {
        self.base = base
        self.cap = cap
        self.jitter = jitter
    }

    /// Seconds to wait after `attempt` (1 for the first) failed; `random` in 0..<1 picks the jitter.
    public func delay(afterAttempt attempt: Int, random: Double = Double.random(in: 0..<1)) -> TimeInterval {
        let exponent = Double(max(0, min(attempt - 1, 40)))
        let plain = min(cap, base * pow(2, exponent))
        return min(cap, plain * (1 + jitter * random))
    }
}
