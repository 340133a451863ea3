import Foundation

/// The durable queue's table. Claiming is safe with several workers and several processes.
public protocol JobStore: Sendable {
    /// Adds a job; nil when a queued job with the same dedupe key already exists.
    @discardableResult
    func enqueue(_ job: NewJob) async throws -> Job?
    /// Takes the next due job for `worker`: a queued one whose time has come, or a running one whose
    /// lease ran out because the process holding it died. Counts the attempt.
    func claim(worker: String, now: Date, lease: TimeInterval) async throws -> Job?
    /// Marks a job this worker holds as done; false when the lease was lost to another worker.
    @discardableResult
    func complete(jobID: Int64, worker: String, now: Date) async throws -> Bool
    /// Puts a job this worker holds back in the queue to run at `runAt`, keeping `error` for operators.
    @discardableResult
    func reschedule(jobID: Int64, worker: String, runAt: Date, error: String, now: Date) async throws -> Bool
    /// Marks a job this worker holds as failed for good.
    @discardableResult
    func fail(jobID: Int64, worker: String, error: String, now: Date) async throws -> Bool
    func job(id: Int64) async throws -> Job?
    /// Newest first; nil state or kind means any.
    func jobs(state: JobState?, kind: String?, limit: Int, offset: Int) async throws -> [Job]
    /// A failed or cancelled job queued again with fresh attempts; false when it is in another state.
    func retry(jobID: Int64, now: Date) async throws -> Bool
    /// A queued or failed job cancelled; false when it is running, done or already cancelled.
    func cancel(jobID: Int64, now: Date) async throws -> Bool
    func countsByState() async throws -> [JobState: Int]
    /// Deletes done and cancelled jobs last touched before `finishedBefore`, and failed ones before
    /// `failedBefore` (kept longer, for operators to look at); returns how many.
    @discardableResult
    func prune(finishedBefore: Date, failedBefore: Date) async throws -> Int
}

extension JobStore {
    /// Deletes done and cancelled jobs last touched before `date`; failed ones stay.
    @discardableResult
    public func prune(before date: Date) async throws -> Int { try await prune(finishedBefore: date, failedBefore: .distantPast) }
}
