import DreyCore
import DreyJobs
import Foundation
import Logging
import Metrics

/// Mail is a `mail` job like any other: queued in the jobs table, claimed once by whichever worker of
/// whichever instance takes it, retried with the queue's backoff. Without an SMTP relay it is written to the log.
public struct MailQueue: Sendable {
    public static let kind = "mail"
    let jobs: JobQueue
    let smtp: SMTPClient?
    let logger: Logger

    init(jobs: JobQueue, smtpURL: String?, from: String?, logger: Logger) {
        self.jobs = jobs
        self.smtp = smtpURL.flatMap { SMTPClient(url: $0, from: from) }
        self.logger = logger
        if let smtpURL, !smtpURL.isEmpty, smtp == nil {
            logger.error("DREY_SMTP_URL '\(smtpURL)' is not an smtp://host[:port] address; mail is written to the log instead")
        }
    }

    /// A message ready to go.
    public struct Message: Sendable, Equatable {
        public var to: String
        public var subject: String
        public var body: String
    }

    /// Mail that gives an account a link to choose a password; the link is made by the worker as it sends.
    public struct AccountMail: Codable, Sendable, Equatable {
        public enum Purpose: String, Codable, Sendable { case reset, invitation, readerSignIn }
        public var purpose: Purpose
        /// The address asked for; whether an account has it is found out only when the job runs.
        public var email: String
        public var siteID: Int64
        /// Where the link points: the site's address as the request that asked for it saw it.
        public var base: String
        /// A reader's sign-in: the path on the site to come back to afterwards.
        public var returnTo: String? = nil
    }

    /// A composed account mail, and how to take back what composing it stored when it cannot be sent.
    struct Composed: Sendable {
        var message: Message
        var undo: @Sendable () async throws -> Void
    }

    typealias Composer = @Sendable (AccountMail) async throws -> Composed?

    /// What a mail job carries, never a secret: a notice carries its text, account mail only the address.
    struct Payload: Codable {
        var to: String?
        var subject: String?
        var body: String?
        var account: AccountMail?
    }

    /// Queues a plain notice.
    public func enqueue(to: String, subject: String, body: String, siteID: Int64?) async throws {
        // Header injection: a newline in an address or subject would add headers.
        guard !to.contains(where: \.isNewline), !subject.contains(where: \.isNewline) else {
            throw SettingError("a mail address or subject cannot contain a line break")
        }
        try await jobs.enqueue(Self.kind, Payload(to: to, subject: subject, body: body), siteID: siteID)
    }

    /// Queues mail with a link to choose a password for whichever account has `mail.email`.
    public func enqueue(_ mail: AccountMail) async throws {
        try await jobs.enqueue(Self.kind, Payload(account: mail), siteID: mail.siteID)
    }

    /// The `mail` job handler: composes account mail, then hands the message to the relay off the event loop.
    func register(compose: @escaping Composer) {
        jobs.register(Self.kind) { job in try await deliver(job, compose: compose) }
    }

    func deliver(_ job: Job, compose: Composer) async throws {
        let payload: Payload
        do {
            payload = try job.decode(Payload.self)
        } catch {
            throw JobFailure.permanent("the mail job's payload is not readable: \(error)")
        }
        let message: Message
        var undo: (@Sendable () async throws -> Void)? = nil
        if let account = payload.account {
            // No active account has the address: nothing goes out, and the job is done like any other.
            guard let composed = try await compose(account) else { return }
            message = composed.message
            undo = composed.undo
        } else if let to = payload.to, let subject = payload.subject, let body = payload.body {
            message = Message(to: to, subject: subject, body: body)
        } else {
            throw JobFailure.permanent("the mail job holds no message")
        }
        guard !message.to.contains(where: \.isNewline), !message.subject.contains(where: \.isNewline) else {
            throw JobFailure.permanent("a mail address or subject contains a line break")
        }
        guard let smtp else {
            Counter(label: "drey_mail_total", dimensions: [("result", "logged")]).increment()
            logger.notice("mail to \(message.to) (no DREY_SMTP_URL, so it is logged here): \(message.subject)\n\(message.body)")
            return
        }
        do {
            try await Self.onOwnThread { try smtp.send(to: message.to, subject: message.subject, body: message.body) }
            Counter(label: "drey_mail_total", dimensions: [("result", "sent")]).increment()
        } catch {
            Counter(label: "drey_mail_total", dimensions: [("result", "failed")]).increment()
            try? await undo?()
            if let failure = error as? SMTPClient.Failure, failure.permanent {
                throw JobFailure.permanent(failure.description)
            }
            throw JobFailure.transient(String(describing: error))
        }
    }

    /// Runs blocking socket work on a thread of its own: a slow relay may hold it for its timeouts, and on
    /// NIO's shared pool it would hold a thread the SQLite connections need.
    static func onOwnThread(_ work: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                do {
                    try work()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "drey-smtp"
            thread.start()
        }
    }

    /// A mail job's payload as operators may read it: a message's text is replaced by its length.
    public static func redacted(_ payload: String) -> String {
        guard var value = try? JSONDecoder().decode(Payload.self, from: Data(payload.utf8)) else { return "(unreadable)" }
        if let body = value.body { value.body = "(\(body.count) characters)" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "(unreadable)"
    }
}
