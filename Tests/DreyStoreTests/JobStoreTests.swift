import DreyCore
import DreyJobs
import DreyTestSupport
import Foundation
import Logging
import Testing

@testable import DreyStore

/// A clock tests move by hand.
final class ManualClock: Sendable {
    let time = Locked(Date(timeIntervalSince1970: 1_700_000_000))
    var clock: Clock { Clock { self.time.current } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// The durable queue on SQLite and PostgreSQL: claiming, leases, retries, and several instances at once.
@Suite struct JobStoreTests {
    func withStore(_ kind: TestDatabase, _ body: (SQLStore, TestLocation) async throws -> Void) async throws {
        try await kind.withMigrated { db, location in try await body(SQLStore(database: db), location) }
    }

    static var quiet: Logger {
        var l = Logger(label: "jobs-test")
        l.logLevel = .critical
        return l
    }

    @Test("a job is claimed once, counted, and done; a future job waits; a dedupe key queues once", arguments: TestDatabase.allCases)
    func lifecycle(_ kind: TestDatabase) async throws {
        try await withStore(kind) { store, _ in
            let now = Date(timeIntervalSince1970: 1_700_000_000)
            let job = try #require(try await store.enqueue(NewJob(kind: "k", payload: "{}", siteID: nil, runAt: now, dedupeKey: "a")))
            #expect(try await store.enqueue(NewJob(kind: "k", payload: "{}", siteID: nil, runAt: now, dedupeKey: "a")) == nil)
            try await store.enqueue(NewJob(kind: "later", payload: "{}", siteID: nil, runAt: now.addingTimeInterval(60)))
            let claimed = try #require(try await store.claim(worker: "w1", now: now, lease: 300))
            #expect(claimed.id == job.id)
            #expect(claimed.state == .running && claimed.attempts == 1 && claimed.lockedBy == "w1")
            #expect(try await store.claim(worker: "w2", now: now, lease: 300) == nil)
            // While it runs, the same key may be queued again: the running job may have read old data.
            #expect(try await store.enqueue(NewJob(kind: "k", payload: "{}", siteID: nil, runAt: now, dedupeKey: "a")) != nil)
            #expect(try await store.complete(jobID: job.id, worker: "w1", now: now))
            #expect(try await store.job(id: job.id)?.state == .done)
            #expect(try await store.claim(worker: "w1", now: now.addingTimeInterval(61), lease: 300)?.kind == "k")
            #expect(try await store.claim(worker: "w1", now: now.addingTimeInterval(61), lease: 300)?.kind == "later")
            let counts = try await store.countsByState()
            #expect(counts[.done] == 1 && counts[.running] == 2)
        }
    }

    @Test("a job whose worker died is taken again after its lease; the dead worker's late answer changes nothing", arguments: TestDatabase.allCases)
    func crashRecovery(_ kind: TestDatabase) async throws {
        try await withStore(kind) { store, _ in
            let now = Date(timeIntervalSince1970: 1_700_000_000)
            let job = try #require(try await store.enqueue(NewJob(kind: "k", payload: "{}", siteID: nil, runAt: now)))
            _ = try await store.claim(worker: "dead", now: now, lease: 300)
            #expect(try await store.claim(worker: "alive", now: now.addingTimeInterval(299), lease: 300) == nil)
            let again = try #require(try await store.claim(worker: "alive", now: now.addingTimeInterval(301), lease: 300))
            #expect(again.id == job.id && again.attempts == 2 && again.lockedBy == "alive")
            #expect(try await store.complete(jobID: job.id, worker: "dead", now: now) == false)
            #expect(try await store.fail(jobID: job.id, worker: "dead", error: "late", now: now) == false)
            #expect(try await store.complete(jobID: job.id, worker: "alive", now: now.addingTimeInterval(302)))
        }
    }

    @Test("retry and cancel act only on the states they name; listing filters; prune removes old finished jobs", arguments: TestDatabase.allCases)
    func operatorActions(_ kind: TestDatabase) async throws {
        try await withStore(kind) { store, _ in
            let now = Date(timeIntervalSince1970: 1_700_000_000)
            let a = try #require(try await store.enqueue(NewJob(kind: "a", payload: "1", siteID: nil, runAt: now)))
            let b = try #require(try await store.enqueue(NewJob(kind: "b", payload: "2", siteID: nil, runAt: now.addingTimeInterval(5))))
            _ = try await store.claim(worker: "w", now: now, lease: 300)
            #expect(try await store.retry(jobID: a.id, now: now) == false)
            #expect(try await store.cancel(jobID: a.id, now: now) == false)
            #expect(try await store.fail(jobID: a.id, worker: "w", error: "boom", now: now))
            #expect(try await store.jobs(state: .failed, kind: nil, limit: 10, offset: 0).map(\.id) == [a.id])
            #expect(try await store.jobs(state: nil, kind: "b", limit: 10, offset: 0).map(\.id) == [b.id])
            #expect(try await store.retry(jobID: a.id, now: now))
            let retried = try #require(try await store.job(id: a.id))
            #expect(retried.state == .queued && retried.attempts == 0 && retried.lastError == "boom")
            #expect(try await store.cancel(jobID: b.id, now: now))
            #expect(try await store.cancel(jobID: b.id, now: now) == false)
            #expect(try await store.prune(before: now.addingTimeInterval(1)) == 1)
            #expect(try await store.job(id: b.id) == nil)
        }
    }

    @Test("two instances with two workers each run 40 jobs, each exactly once", arguments: TestDatabase.allCases)
    func sharedTable(_ kind: TestDatabase) async throws {
        try await withStore(kind) { store, location in
            let now = Date()
            for n in 0..<40 { try await store.enqueue(NewJob(kind: "n", payload: "\(n)", siteID: nil, runAt: now)) }
            // On PostgreSQL the second instance is a second connection pool, as another process would have.
            // On SQLite a second handle inside this process would share its two NIO threads with the first,
            // and a busy wait on one could starve the lock holder, which separate processes never do; the
            // two-process case is covered by the `drey serve` tests.
            let other = try await Database.open(
                sqlitePath: (location.dataDirectory as NSString).appendingPathComponent("drey.sqlite"), url: location.databaseURL,
                logger: Self.quiet)
            let second = kind == .postgres ? SQLStore(database: other) : store
            let seen = Locked([String]())
            await withTaskGroup(of: Void.self) { group in
                for (instance, s) in [("A", store), ("B", second)] {
                    for w in 0..<2 {
                        group.addTask {
                            let worker = "\(instance)\(w)"
                            while let job = try? await s.claim(worker: worker, now: Date(), lease: 300) {
                                seen.withLock { $0.append(job.payload) }
                                _ = try? await s.complete(jobID: job.id, worker: worker, now: Date())
                            }
                        }
                    }
                }
            }
            await other.close()
            #expect(seen.current.count == 40)
            #expect(Set(seen.current).count == 40)
            #expect(try await store.countsByState()[.done] == 40)
        }
    }

    @Test("the queue retries with growing waits, gives up after its attempts, and fails unknown kinds at once", arguments: TestDatabase.allCases)
    func queueBackoff(_ kind: TestDatabase) async throws {
        try await withStore(kind) { store, _ in
            let manual = ManualClock()
            var settings = JobSettings(workers: 0, maxAttempts: 3)
            settings.backoff = Backoff(base: 10, cap: 15, jitter: 0)
            let queue = JobQueue(store: store, settings: settings, clock: manual.clock, logger: Self.quiet)
            let runs = Locked(0)
            queue.register("flaky") { _ in
                runs.withLock { $0 += 1 }
                throw JobFailure.transient("connection refused")
            }
            queue.register("refused") { _ in throw JobFailure.permanent("404") }
            queue.register("fine") { _ in }
            let flaky = try #require(try await queue.enqueue("flaky", ["x": 1], siteID: nil))
            let refused = try #require(try await queue.enqueue("refused", ["x": 1], siteID: nil))
            let fine = try #require(try await queue.enqueue("fine", ["x": 1], siteID: nil))
            let unknown = try #require(try await queue.enqueue("nobody", ["x": 1], siteID: nil))
            #expect(await queue.drain() == 4)
            var job = try #require(try await store.job(id: flaky.id))
            #expect(job.state == .queued && job.attempts == 1)
            #expect(job.runAt == manual.time.current.addingTimeInterval(10))
            #expect(job.lastError == "attempt 1 of 3: connection refused")
            #expect(await queue.drain() == 0)
            manual.advance(10)
            #expect(await queue.drain() == 1)
            job = try #require(try await store.job(id: flaky.id))
            #expect(job.runAt == manual.time.current.addingTimeInterval(15))  // 20 s, capped at 15
            manual.advance(15)
            #expect(await queue.drain() == 1)
            job = try #require(try await store.job(id: flaky.id))
            #expect(job.state == .failed && job.lastError == "gave up after 3 attempts: connection refused")
            #expect(runs.current == 3)
            #expect(try await store.job(id: refused.id)?.state == .failed)
            #expect(try await store.job(id: refused.id)?.attempts == 1)
            #expect(try await store.job(id: fine.id)?.state == .done)
            #expect(try await store.job(id: unknown.id)?.lastError == "no handler for job kind 'nobody'")
        }
    }

    @Test("backoff doubles from its base up to its cap, with bounded jitter")
    func backoff() {
        let b = Backoff(base: 30, cap: 3600, jitter: 0.2)
        #expect(b.delay(afterAttempt: 1, random: 0) == 30)
        #expect(b.delay(afterAttempt: 2, random: 0) == 60)
        #expect(b.delay(afterAttempt: 4, random: 0) == 240)
        #expect(b.delay(afterAttempt: 30, random: 0) == 3600)
        #expect(b.delay(afterAttempt: 1, random: 0.999) < 36.01)
        #expect(b.delay(afterAttempt: 100, random: 0.999) == 3600)
    }

    @Test("a worker loop started and cancelled runs what was queued and stops", arguments: [TestDatabase.sqlite])
    func workers(_ kind: TestDatabase) async throws {
        try await withStore(kind) { store, _ in
            let queue = JobQueue(
                store: store, settings: JobSettings(workers: 2, pollInterval: .seconds(60)), clock: .system, logger: Self.quiet)
            let done = Locked(0)
            queue.register("count") { _ in done.withLock { $0 += 1 } }
            let running = Task { await queue.runWorkers() }
            for n in 0..<5 { try await queue.enqueue("count", [n], siteID: nil) }
            // The enqueue rings the idle workers: no poll interval passes before the jobs run.
            var spins = 0
            while done.current < 5 && spins < 2000 {
                try await Task.sleep(for: .milliseconds(10))
                spins += 1
            }
            running.cancel()
            await running.value
            #expect(done.current == 5)
        }
    }
}
