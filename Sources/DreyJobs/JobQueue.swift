import DreyCore
import DreyStore
import Foundation
import Logging
import Metrics

/// Tuning of the queue: how many workers, how long a job may hold its lease, how retries spread.
public struct JobSettings: Sendable {
    /// Workers inside one `drey serve`; 0 runs none (another instance does the work).
    public var workers: Int
    public var backoff: Backoff
    public var maxAttempts: Int
    /// A running job whose worker has not finished after this long is taken to be abandoned (its process died).
    public var lease: TimeInterval
    /// How often idle workers look for due jobs written by other processes.
    public var pollInterval: Duration
    /// Done and cancelled jobs are deleted after this long.
    public var keepFinished: TimeInterval
    /// Failed jobs wait this long for an operator to look at them and retry, then are deleted too.
    public var keepFailed: TimeInterval

    public init(
        workers: Int = 2, backoff: Backoff = Backoff(), maxAttempts: Int = 8, lease: TimeInterval = 300,
        pollInterval: Duration = .seconds(1), keepFinished: TimeInterval = 7 * 86400, keepFailed: TimeInterval = 30 * 86400
    ) {
        self.workers = workers
        self.backoff = backoff
        self.maxAttempts = maxAttempts
        self.lease = lease
        self.pollInterval = pollInterval
        self.keepFinished = keepFinished
        self.keepFailed = keepFailed
    }
}

/// The durable queue: enqueueing, and the workers that run due jobs through their handlers.
public final class JobQueue: Sendable {
    public let store: any JobStore
    public let settings: JobSettings
    let clock: Clock
    let logger: Logger
    private let handlers: Locked<JobHandlers>
    /// Other tidying that rides on the queue's hourly housekeeping (old sign-in records, say).
    private let chores: Locked<[@Sendable () async throws -> Int]>
    /// Wakes idle workers when this process enqueues, instead of waiting for the next poll.
    private let doorbells: Locked<[Doorbell]>
    let instanceID: String

    public init(store: any JobStore, settings: JobSettings, clock: Clock, logger: Logger) {
        self.store = store
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.handlers = Locked(JobHandlers())
        self.chores = Locked([])
        self.doorbells = Locked([])
        self.instanceID = "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UUID().uuidString.prefix(8))"
    }

    public func register(_ kind: String, _ handler: @escaping JobHandlers.Handler) {
        handlers.withLock { $0.register(kind, handler) }
    }

    /// Adds a chore to each housekeeping round; it returns how many rows it deleted.
    public func addChore(_ chore: @escaping @Sendable () async throws -> Int) {
        chores.withLock { $0.append(chore) }
    }

    /// Queues a job to run now (or at `delay` from now); nil when an identical one is already queued.
    @discardableResult
    /// `maxAttempts` overrides the queue's for work that should keep trying longer (fediverse deliveries).
    public func enqueue<T: Encodable>(
        _ kind: String, _ payload: T, siteID: Int64?, delay: TimeInterval = 0, dedupeKey: String? = nil, maxAttempts: Int? = nil
    ) async throws -> Job? {
        let job = try NewJob(
            kind: kind, encoding: payload, siteID: siteID, runAt: clock.now().addingTimeInterval(delay),
            maxAttempts: maxAttempts ?? settings.maxAttempts, dedupeKey: dedupeKey)
        let queued = try await store.enqueue(job)
        wake()
        return queued
    }

    private func wake() {
        for bell in doorbells.current { bell.ring() }
    }

    /// Claims and runs one due job; false when none was due.
    @discardableResult
    public func runNext(worker: String) async -> Bool {
        let job: Job
        do {
            guard let claimed = try await store.claim(worker: worker, now: clock.now(), lease: settings.lease) else { return false }
            job = claimed
        } catch {
            logger.error("claiming a job failed: \(error)")
            return false
        }
        await run(job, worker: worker)
        return true
    }

    func run(_ job: Job, worker: String) async {
        let now = { self.clock.now() }
        do {
            if job.attempts > job.maxAttempts {
                // Taken again after its worker died, more often than it may run: give up rather than loop.
                try await store.fail(
                    jobID: job.id, worker: worker, error: "gave up after \(job.maxAttempts) attempts (last: \(job.lastError))",
                    now: now())
                return
            }
            guard let handler = handlers.current.handler(for: job.kind) else {
                try await store.fail(jobID: job.id, worker: worker, error: "no handler for job kind '\(job.kind)'", now: now())
                return
            }
            var failure: JobFailure?
            do {
                try await handler(job)
            } catch let thrown as JobFailure {
                failure = thrown
            } catch {
                failure = .transient(String(describing: error))
            }
            // A stopping server cancels its workers, and a cancelled task's database calls throw: the job would stay
            // `running` until its lease ran out (and a finished one would run again). Settle it in a task of its own;
            // one cut short by the stop is queued to run again at once.
            let interrupted = Task.isCancelled && failure != nil
            Counter(label: "drey_jobs_processed_total", dimensions: [("kind", job.kind), ("outcome", Self.outcome(job, failure, interrupted))])
                .increment()
            try await Task { [failure] in
                if interrupted {
                    try await store.reschedule(
                        jobID: job.id, worker: worker, runAt: clock.now(), error: "interrupted by a shutdown; runs again", now: clock.now())
                } else if let failure {
                    try await settle(job, worker: worker, failure: failure)
                } else {
                    try await store.complete(jobID: job.id, worker: worker, now: clock.now())
                }
            }.value
        } catch {
            // The database itself failed; the lease will hand the job to a worker again later.
            logger.error("job \(job.id) (\(job.kind)) could not be settled: \(error)")
        }
    }

    /// The metric label for how a run ended: `done`, `retry` (tried again later), `failed` (for good) or `interrupted`.
    static func outcome(_ job: Job, _ failure: JobFailure?, _ interrupted: Bool) -> String {
        if interrupted { return "interrupted" }
        switch failure {
        case nil: return "done"
        case .permanent: return "failed"
        case .transient: return job.isLastAttempt ? "failed" : "retry"
        }
    }

    private func settle(_ job: Job, worker: String, failure: JobFailure) async throws {
        let now = clock.now()
        switch failure {
        case .permanent(let message):
            logger.info("job \(job.id) (\(job.kind)) failed: \(message)")
            try await store.fail(jobID: job.id, worker: worker, error: message, now: now)
        case .transient(let message) where job.isLastAttempt:
            logger.info("job \(job.id) (\(job.kind)) gave up after \(job.attempts) attempts: \(message)")
            try await store.fail(
                jobID: job.id, worker: worker, error: "gave up after \(job.attempts) attempts: \(message)", now: now)
        case .transient(let message):
            let delay = settings.backoff.delay(afterAttempt: job.attempts)
            try await store.reschedule(
                jobID: job.id, worker: worker, runAt: now.addingTimeInterval(delay),
                error: "attempt \(job.attempts) of \(job.maxAttempts): \(message)", now: now)
        }
    }

    /// Runs due jobs until none is left; for tests and the CLI. Returns how many ran.
    @discardableResult
    public func drain(limit: Int = 10_000) async -> Int {
        var count = 0
        while count < limit, await runNext(worker: instanceID + "-drain") { count += 1 }
        return count
    }

    /// Runs `settings.workers` workers until the task is cancelled; each sleeps when idle.
    public func runWorkers() async {
        guard settings.workers > 0 else { return }
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<settings.workers {
                group.addTask { await self.workerLoop(name: "\(self.instanceID)-w\(n)") }
            }
            group.addTask { await self.housekeeping() }
        }
    }

    private func workerLoop(name: String) async {
        let bell = Doorbell()
        doorbells.withLock { $0.append(bell) }
        while !Task.isCancelled {
            if await runNext(worker: name) { continue }
            await idle(bell)
        }
    }

    /// Sleeps for the poll interval or until this process enqueues something.
    private func idle(_ bell: Doorbell) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: self.settings.pollInterval) }
            group.addTask { await bell.wait() }
            await group.next()
            group.cancelAll()
        }
    }

    private func housekeeping() async {
        while !Task.isCancelled {
            await prune()
            try? await Task.sleep(for: .seconds(3600))
        }
    }

    /// Deletes jobs past their retention: finished ones after `keepFinished`, failed ones after `keepFailed`.
    /// The workers do it hourly; `drey jobs run` does it too, for instances that run no workers.
    @discardableResult
    public func prune() async -> Int {
        let now = clock.now()
        do {
            let n = try await store.prune(
                finishedBefore: now.addingTimeInterval(-settings.keepFinished), failedBefore: now.addingTimeInterval(-settings.keepFailed))
            if n > 0 { logger.info("deleted \(n) job(s) past their retention period") }
            for chore in chores.current { _ = try await chore() }
            return n
        } catch {
            logger.error("pruning old jobs failed: \(error)")
            return 0
        }
    }
}
