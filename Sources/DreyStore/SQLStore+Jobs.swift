import DreyCore
import Foundation
import SQLKit

extension SQLStore: JobStore {
    static let jobColumns = [
        "id", "site_id", "kind", "payload", "state", "attempts", "max_attempts", "run_at", "locked_at", "locked_by",
        "last_error", "created_at", "updated_at",
    ]
    static let jobColumnList = ColumnList(jobColumns)

    static func job(from row: any SQLRow) throws -> Job {
        Job(
            id: try row.int64("id"), siteID: try row.optionalInt64("site_id"), kind: try row.string("kind"),
            payload: try row.string("payload"), state: try row.enumValue("state", as: JobState.self),
            attempts: try row.int("attempts"), maxAttempts: try row.int("max_attempts"), runAt: try row.date("run_at"),
            lockedAt: try row.decode(column: "locked_at", as: Date?.self),
            lockedBy: try row.decode(column: "locked_by", as: String?.self), lastError: try row.string("last_error"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }

    @discardableResult
    public func enqueue(_ job: NewJob) async throws -> Job? {
        let now = Date().storable
        let columns = Self.jobColumns.joined(separator: ", ")
        // A queued job with the same dedupe key wins; the partial unique index makes this hold across processes.
        return try await write { db in
            try await db.raw(
                """
                INSERT INTO jobs (site_id, kind, payload, state, attempts, max_attempts, run_at, last_error, created_at,
                updated_at, dedupe_key)
                VALUES (\(bind: job.siteID), \(bind: job.kind), \(bind: job.payload), 'queued', 0, \(bind: max(1, job.maxAttempts)),
                \(bind: job.runAt.storable), '', \(bind: now), \(bind: now), \(bind: job.dedupeKey))
                ON CONFLICT DO NOTHING
                RETURNING \(unsafeRaw: columns)
                """
            ).first().map(Self.job(from:))
        }
    }

    public func claim(worker: String, now: Date, lease: TimeInterval) async throws -> Job? {
        let sql = database.dialect.claimJobSQL(
            columns: Self.jobColumns.joined(separator: ", "), worker: worker, now: now.storable,
            staleBefore: now.addingTimeInterval(-lease).storable)
        return try await write { db in try await db.raw(sql).first().map(Self.job(from:)) }
    }

    @discardableResult
    public func complete(jobID: Int64, worker: String, now: Date) async throws -> Bool {
        try await finish(jobID, worker: worker, now: now) {
            $0.set("state", to: SQLBind(JobState.done.rawValue)).set("last_error", to: SQLBind(""))
        }
    }

    @discardableResult
    public func reschedule(jobID: Int64, worker: String, runAt: Date, error: String, now: Date) async throws -> Bool {
        try await finish(jobID, worker: worker, now: now) {
            $0.set("state", to: SQLBind(JobState.queued.rawValue)).set("run_at", to: SQLBind(runAt.storable))
                .set("last_error", to: SQLBind(String(error.prefix(2000))))
        }
    }

    @discardableResult
    public func fail(jobID: Int64, worker: String, error: String, now: Date) async throws -> Bool {
        try await finish(jobID, worker: worker, now: now) {
            $0.set("state", to: SQLBind(JobState.failed.rawValue)).set("last_error", to: SQLBind(String(error.prefix(2000))))
        }
    }

    /// Ends this worker's hold on a job; a worker whose lease expired and was taken over changes nothing.
    private func finish(
        _ jobID: Int64, worker: String, now: Date, _ change: @escaping @Sendable (SQLUpdateBuilder) -> SQLUpdateBuilder
    ) async throws -> Bool {
        try await write { db in
            let builder = db.update("jobs").set("locked_at", to: SQLLiteral.null).set("locked_by", to: SQLLiteral.null)
                .set("updated_at", to: SQLBind(now.storable))
            return try await change(builder).where("id", .equal, SQLBind(jobID)).where("locked_by", .equal, SQLBind(worker))
                .where("state", .equal, SQLBind(JobState.running.rawValue)).returning("id").first() != nil
        }
    }

    public func job(id: Int64) async throws -> Job? {
        try await read { db in
            try await db.select().column(Self.jobColumnList).from("jobs").where("id", .equal, SQLBind(id)).first()
                .map(Self.job(from:))
        }
    }

    public func jobs(state: JobState?, kind: String?, limit: Int, offset: Int) async throws -> [Job] {
        try await read { db in
            var query = db.select().column(Self.jobColumnList).from("jobs")
            if let state { query = query.where("state", .equal, SQLBind(state.rawValue)) }
            if let kind { query = query.where("kind", .equal, SQLBind(kind)) }
            return try await query.orderBy("updated_at", .descending).orderBy("id", .descending).limit(limit).offset(offset)
                .all().map(Self.job(from:))
        }
    }

    /// How many of a site's jobs of `kind` are in `state`, and the most recently changed of them.
    public func jobSummary(kind: String, state: JobState, siteID: Int64) async throws -> (count: Int, newest: Job?) {
        try await read { db in
            let count =
                try await db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("jobs")
                .where("kind", .equal, SQLBind(kind)).where("state", .equal, SQLBind(state.rawValue))
                .where("site_id", .equal, SQLBind(siteID)).first(decodingColumn: "n", as: Int.self) ?? 0
            let newest = try await db.select().column(Self.jobColumnList).from("jobs").where("kind", .equal, SQLBind(kind))
                .where("state", .equal, SQLBind(state.rawValue)).where("site_id", .equal, SQLBind(siteID))
                .orderBy("updated_at", .descending).orderBy("id", .descending).limit(1).first().map(Self.job(from:))
            return (count, newest)
        }
    }

    public func retry(jobID: Int64, now: Date) async throws -> Bool {
        try await write { db in
            try await db.update("jobs").set("state", to: SQLBind(JobState.queued.rawValue)).set("attempts", to: SQLBind(0))
                .set("run_at", to: SQLBind(now.storable)).set("updated_at", to: SQLBind(now.storable))
                .where("id", .equal, SQLBind(jobID))
                .where("state", .in, SQLBind.group([JobState.failed.rawValue, JobState.cancelled.rawValue]))
                .returning("id").first() != nil
        }
    }

    public func cancel(jobID: Int64, now: Date) async throws -> Bool {
        try await write { db in
            try await db.update("jobs").set("state", to: SQLBind(JobState.cancelled.rawValue))
                .set("updated_at", to: SQLBind(now.storable)).where("id", .equal, SQLBind(jobID))
                .where("state", .in, SQLBind.group([JobState.queued.rawValue, JobState.failed.rawValue]))
                .returning("id").first() != nil
        }
    }

    public func countsByState() async throws -> [JobState: Int] {
        try await read { db in
            var counts: [JobState: Int] = [:]
            for row in try await db.select().column("state").column(SQLFunction("count", args: SQLLiteral.all), as: "n")
                .from("jobs").groupBy("state").all()
            {
                counts[try row.enumValue("state", as: JobState.self)] = try row.int("n")
            }
            return counts
        }
    }

    @discardableResult
    public func prune(finishedBefore: Date, failedBefore: Date) async throws -> Int {
        try await write { db in
            try await db.delete(from: "jobs")
                .where { group in
                    group.where { finished in
                        finished.where("state", .in, SQLBind.group([JobState.done.rawValue, JobState.cancelled.rawValue]))
                            .where("updated_at", .lessThan, SQLBind(finishedBefore.storable))
                    }
                    .orWhere { failed in
                        failed.where("state", .equal, SQLBind(JobState.failed.rawValue))
                            .where("updated_at", .lessThan, SQLBind(failedBefore.storable))
                    }
                }
                .returning("id").all().count
        }
    }
}
