import DreyStore
import Foundation
import Logging
import NIOPosix
import SQLKit

/// Mail leaves the process through the jobs table; without an SMTP server it is written to the log.
public struct MailQueue: Sendable {
    let database: Database
    let logger: Logger
    var smtp: SMTPClient? = SMTPClient.fromEnvironment()

    init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    struct Message: Codable {
        let to: String
        let subject: String
        let body: String
    }

    public func enqueue(to: String, subject: String, body: String) async throws {
        // Header injection: a newline in an address or subject would add headers.
        guard !to.contains(where: \.isNewline), !subject.contains(where: \.isNewline) else { return }
        let payload = String(decoding: try JSONEncoder().encode(Message(to: to, subject: subject, body: body)), as: UTF8.self)
        let now = Date()
        try await database.withSQL { db in
            try await db.insert(into: "jobs").columns("kind", "payload", "state", "run_at", "created_at", "updated_at")
                .values(SQLBind("mail"), SQLBind(payload), SQLBind("queued"), SQLBind(now), SQLBind(now), SQLBind(now)).run()
        }
    }

    /// Sends (or logs) queued mail; returns how many messages went out.
    @discardableResult
    public func deliverQueued() async throws -> Int {
        let rows = try await database.withSQL { db in
            try await db.select().columns("id", "payload").from("jobs").where("kind", .equal, SQLBind("mail"))
                .where("state", .equal, SQLBind("queued")).orderBy("id").limit(50).all()
                .map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "payload", as: String.self)) }
        }
        for (id, payload) in rows {
            var state = "done"
            var lastError = ""
            if let message = try? JSONDecoder().decode(Message.self, from: Data(payload.utf8)) {
                if let smtp {
                    do {
                        try await NIOThreadPool.singleton.runIfActive { try smtp.send(to: message.to, subject: message.subject, body: message.body) }
                    } catch {
                        state = "failed"
                        lastError = String(describing: error)
                        logger.error("mail to \(message.to) failed: \(error)")
                    }
                } else {
                    // No SMTP server is configured: the operator reads the message in the log.
                    logger.notice("mail to \(message.to): \(message.subject)\n\(message.body)")
                }
            }
            let (finalState, finalError) = (state, lastError)
            try await database.withSQL { db in
                try await db.update("jobs").set("state", to: SQLBind(finalState)).set("last_error", to: SQLBind(finalError))
                    .set("attempts", to: SQLRaw("attempts + 1")).set("updated_at", to: SQLBind(Date()))
                    .where("id", .equal, SQLBind(id)).run()
            }
        }
        return rows.count
    }
}
