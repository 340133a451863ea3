import ArgumentParser
import DreyApp
import DreyCore
import Foundation

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "Look at the job queue; retry or cancel jobs.",
        subcommands: [List.self, Retry.self, Cancel.self, Run.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, most recently changed first.")
        @OptionGroup var common: CommonOptions
        @Option(help: "queued, running, done, failed or cancelled (default: all).") var state: String?
        @Option(help: "Only jobs of this kind, e.g. linkbacks.send.") var kind: String?
        @Option(help: "How many to list.") var limit = 50
        @Flag(help: "One JSON object a line.") var json = false

        func run() async throws {
            try await Self.failing {
                let wanted = try state.map { s in
                    guard let v = JobState(rawValue: s) else {
                        throw CLIError("unknown state '\(s)'; use \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    return v
                }
                guard (1...10_000).contains(limit) else { throw CLIError("--limit must be from 1 to 10000") }
                try await common.withDrey { drey in
                    let jobs = try await drey.jobs.store.jobs(state: wanted, kind: kind, limit: limit, offset: 0)
                    for job in jobs {
                        if json {
                            Console.print(try JobLine(job).json())
                        } else {
                            let error = job.lastError.isEmpty ? "" : "  \(job.lastError.replacingOccurrences(of: "\n", with: " "))"
                            Console.print(
                                "\(job.id)\t\(job.state.rawValue)\t\(job.kind)\t\(job.attempts)/\(job.maxAttempts)\t\(ISO8601DateFormatter().string(from: job.runAt))\t\(JobLine.shown(job))\(error)"
                            )
                        }
                    }
                    if !json {
                        let counts = try await drey.jobs.store.countsByState()
                        let summary = JobState.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", ")
                        Console.error("jobs: \(summary)\n")
                    }
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a failed or cancelled job again, with fresh attempts.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The job's ID.") var id: Int64

        func run() async throws {
            try await Self.failing {
                try await common.withDrey { drey in
                    guard let job = try await drey.jobs.store.job(id: id) else { throw CLIError("no job with ID \(id)") }
                    guard try await drey.jobs.store.retry(jobID: id, now: Date()) else {
                        throw CLIError("job \(id) is \(job.state.rawValue); only failed or cancelled jobs can be retried")
                    }
                    Console.print("job \(id) queued again")
                }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a queued or failed job.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The job's ID.") var id: Int64

        func run() async throws {
            try await Self.failing {
                try await common.withDrey { drey in
                    guard let job = try await drey.jobs.store.job(id: id) else { throw CLIError("no job with ID \(id)") }
                    guard try await drey.jobs.store.cancel(jobID: id, now: Date()) else {
                        throw CLIError("job \(id) is \(job.state.rawValue); only queued or failed jobs can be cancelled")
                    }
                    Console.print("job \(id) cancelled")
                }
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the jobs that are due now, then exit (for cron, or an instance started with --workers 0).")
        @OptionGroup var common: CommonOptions
        @Option(
            name: .customLong("allow-fetch"), help: "A host, address or CIDR range inside the network fetches may reach (repeatable).")
        var allowFetch: [String] = []

        func run() async throws {
            try await Self.failing {
                try await common.withDrey(allowFetch: allowFetch) { drey in
                    let n = await drey.jobs.drain()
                    let pruned = await drey.jobs.prune()
                    Console.print("ran \(n) job(s)" + (pruned > 0 ? "; deleted \(pruned) past their retention period" : ""))
                }
            }
        }
    }
}

/// A job as one JSON line for scripts.
struct JobLine: Encodable {
    var id: Int64
    var site: Int64?
    var kind: String
    var state: String
    var attempts: Int
    var maxAttempts: Int
    var runAt: String
    var lastError: String
    var payload: String

    init(_ job: Job) {
        id = job.id
        site = job.siteID
        kind = job.kind
        state = job.state.rawValue
        attempts = job.attempts
        maxAttempts = job.maxAttempts
        runAt = ISO8601DateFormatter().string(from: job.runAt)
        lastError = job.lastError
        payload = Self.shown(job)
    }

    /// A job's payload as listed: a mail's text stays out of terminals and logs, only its length shows.
    static func shown(_ job: Job) -> String {
        job.kind == MailQueue.kind ? MailQueue.redacted(job.payload) : job.payload
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
