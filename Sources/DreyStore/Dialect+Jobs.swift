import Foundation
import SQLKit

extension Database.Dialect {
    /// Takes the next due job in one statement. PostgreSQL skips rows another instance has locked, so
    /// several `drey` processes share the table without waiting on each other; SQLite has one writer
    /// at a time, which serialises the statement by itself.
    func claimJobSQL(columns: String, worker: String, now: Date, staleBefore: Date) -> SQLQueryString {
        let pick: SQLQueryString = """
            SELECT id FROM jobs
            WHERE (state = 'queued' AND run_at <= \(bind: now)) OR (state = 'running' AND locked_at < \(bind: staleBefore))
            ORDER BY run_at, id LIMIT 1
            """
        let lock: SQLQueryString
        switch self {
        case .sqlite: lock = ""
        case .postgres: lock = " FOR UPDATE SKIP LOCKED"
        }
        return """
            UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_at = \(bind: now), locked_by = \(bind: worker),
            updated_at = \(bind: now)
            WHERE id = (\(pick)\(lock))
            RETURNING \(unsafeRaw: columns)
            """
    }
}
