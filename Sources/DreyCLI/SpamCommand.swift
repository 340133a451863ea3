import ArgumentParser
import DreyApp
import DreyCore
import DreySpam
import Foundation

struct SpamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spam", abstract: "Measure, teach and try the comment spam filter.",
        subcommands: [Eval.self, Train.self, Check.self, Stats.self, Purge.self])

    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the classifier, and the whole filter, on the built-in corpora or on labelled files.",
            discussion: """
                Without FILE, both corpora the shipped model learns from: the YouTube Spam Collection (5-fold, each fold's \
                model also learning the whole blog corpus, commenters' history from the other folds) and the project's \
                blog comments (its own 5 folds, each fold's model also learning the whole YouTube corpus, the whole \
                filter as on a new blog: nobody has a history). With FILE (CSV or JSON lines), cross-validation on those \
                files alone.
                """)
        @Argument(
            help:
                "CSV files with CONTENT (or TEXT) and CLASS (1/spam, 0/ham) columns, or JSON lines with text and label; AUTHOR, EMAIL and URL are used when present."
        )
        var files: [String] = []
        @Option(help: "Number of folds.") var folds = 5
        @Option(help: "Seed of the fold split (the same seed gives the same figures).") var seed: UInt64 = 1
        @Option(help: "Score from which the filter holds a comment (default: the setting's default).") var hold: Double?
        @Option(name: .customLong("spam"), help: "Score from which the filter sends a comment to spam (default: the setting's default).")
        var spamScore: Double?
        @Flag(help: "Print the figures as one JSON object instead of a report.") var json = false
        @Flag(help: "Also list the real comments the whole filter sent to spam and the spam it published.") var mistakes = false

        func validate() throws {
            guard (2...20).contains(folds) else { throw ValidationError("--folds must be from 2 to 20") }
            for (name, value) in [("--hold", hold), ("--spam", spamScore)] {
                if let value, !(value > 0 && value <= 1) { throw ValidationError("\(name) must be above 0 and at most 1") }
            }
        }

        var settings: SiteSettings {
            var values = [SettingKey.commentPreviouslyApproved.rawValue: "0"]
            if let hold { values[SettingKey.spamHoldScore.rawValue] = String(hold) }
            if let spamScore { values[SettingKey.spamSpamScore.rawValue] = String(spamScore) }
            return SiteSettings(values: values)
        }

        func run() async throws {
            try await Self.failing {
                if files.isEmpty { return try builtIn() }
                let samples = try files.flatMap(loadLabelled)
                let spam = samples.filter(\.1).count
                guard spam >= folds, samples.count - spam >= folds else {
                    throw CLIError(
                        "\(files.joined(separator: ", ")): need at least \(folds) spam and \(folds) real comments for \(folds) folds (found \(spam) and \(samples.count - spam))"
                    )
                }
                let result = SpamEvaluation.run(samples: samples, folds: folds, seed: seed, settings: settings)
                let (training, perComment) = SpamEvaluation.timings(samples: samples)
                if json {
                    Console.print(Self.json(Self.figures(result, folds: folds, samples: samples), training: training, perComment: perComment))
                    return
                }
                Console.print(SpamReportText.lines(result, folds: folds).joined(separator: "\n"))
                if mistakes { Console.print(SpamReportText.mistakes(result, samples: samples).joined(separator: "\n")) }
                Console.print(SpamReportText.timing(training: training, perComment: perComment, count: samples.count))
            }
        }

        /// Both corpora of the seed folder, each measured as the shipped model meets it.
        func builtIn() throws {
            let directory = URL(fileURLWithPath: AppConfig.defaultSpamSeedDirectory())
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
            let youtube = try names.filter { $0.lowercased().hasSuffix(".csv") }.flatMap {
                try loadLabelled(directory.appendingPathComponent($0).path)
            }
            let blogRecords = try names.filter { $0.lowercased().hasSuffix(".jsonl") }.flatMap {
                try loadRecords(directory.appendingPathComponent($0).path)
            }
            guard !youtube.isEmpty, !blogRecords.isEmpty else {
                throw CLIError(
                    "the spam seed folder \(directory.path) lacks the YouTube CSV files or the blog corpus (blog-comments.jsonl); set DREY_SPAM_SEED_DIR or give FILE"
                )
            }
            let blog = blogRecords.map { ($0.sample, $0.isSpam) }
            // The corpus's own split when every comment has one, so the figures do not depend on --seed.
            let blogFold = blogRecords.allSatisfy { ($0.fold ?? -1) >= 0 } ? blogRecords.map { $0.fold! % folds } : nil
            let y = SpamEvaluation.run(samples: youtube, folds: folds, seed: seed, extra: blog, settings: settings)
            let b = SpamEvaluation.run(samples: blog, folds: folds, seed: seed, fold: blogFold, extra: youtube, memory: false, settings: settings)
            let (training, perComment) = SpamEvaluation.timings(samples: youtube + blog)
            if json {
                Console.print(
                    Self.json(
                        ["youtube": Self.figures(y, folds: folds, samples: youtube), "blog": Self.figures(b, folds: folds, samples: blog)],
                        training: training, perComment: perComment))
                return
            }
            Console.print("YouTube Spam Collection (each fold's model also learns the whole blog corpus):")
            Console.print(SpamReportText.lines(y, folds: folds).joined(separator: "\n"))
            if mistakes { Console.print(SpamReportText.mistakes(y, samples: youtube).joined(separator: "\n")) }
            Console.print("")
            Console.print("Blog comments (each fold's model also learns the whole YouTube corpus; the whole filter as on a new blog,")
            Console.print("where no commenter has a history):")
            Console.print(SpamReportText.lines(b, folds: folds, memory: false).joined(separator: "\n"))
            if mistakes { Console.print(SpamReportText.mistakes(b, samples: blog).joined(separator: "\n")) }
            Console.print("")
            Console.print(SpamReportText.timing(training: training, perComment: perComment, count: youtube.count + blog.count))
        }

        /// The figures of one corpus for scripts: rates are fractions (0.0137, not 1.37%), counts are counts.
        static func figures(_ r: SpamEvaluation, folds: Int, samples: [(SpamSample, Bool)]) -> [String: Any] {
            let c = r.classifier
            let p = r.pipeline
            let spam = samples.filter(\.1).count
            return [
                "folds": folds, "comments": samples.count, "spam": spam, "real": samples.count - spam,
                "classifier": [
                    "precision": c.precision, "recall": c.recall, "f1": c.f1,
                    "real_to_spam": Double(c.falsePositives) / Double(max(1, c.falsePositives + c.trueNegatives)),
                    "real_to_spam_count": c.falsePositives, "held": 0.0,
                ] as [String: Any],
                "pipeline": [
                    "precision": p.precision, "recall": p.recall, "f1": p.f1, "real_to_spam": p.hamToSpamRate,
                    "real_to_spam_count": p.hamToSpam, "spam_kept_off": p.spamKeptOffRate, "real_held": p.hamHeldRate,
                    "held": p.heldRate, "spam_to_spam": p.spamToSpam, "spam_held": p.spamHeld, "spam_published": p.spamApproved,
                    "spam_to_spam_rate": p.recall, "hold_score": p.thresholds.hold, "spam_score": p.thresholds.spam,
                ] as [String: Any],
            ]
        }

        static func json(_ figures: [String: Any], training: Duration, perComment: Duration) -> String {
            var object = figures
            object["training_seconds"] = SpamReportText.seconds(training)
            object["score_ms_per_comment"] = SpamReportText.seconds(perComment) * 1000
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete spam older than each site's retention period now (a running server does it hourly).")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await Self.failing {
                try await common.withDrey { drey in
                    let n = try await drey.spam.purge(sites: drey.sites.all)
                    Console.print("deleted \(n) spam comment\(n == 1 ? "" : "s") past the retention period")
                }
            }
        }
    }

    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add labelled comments from CSV or JSON-lines files to a site's classifier.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "CSV files with CONTENT and CLASS columns, or JSON lines with text and label, as for eval.") var files: [String] = []

        func validate() throws {
            if files.isEmpty { throw ValidationError("give the labelled CSV file(s) to train on") }
        }

        func run() async throws {
            try await Self.failing {
                let samples = try files.flatMap(loadLabelled)
                guard !samples.isEmpty else { throw CLIError("\(files.joined(separator: ", ")) hold no labelled comments") }
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    let model = try await drey.spam.models.train(siteID: site.id, samples, now: Date())
                    let spam = samples.filter(\.1).count
                    Console.print(
                        "added \(samples.count) comments (\(spam) spam, \(samples.count - spam) real) to the classifier of \(site.host); it has learned from \(model.examples) examples"
                    )
                }
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the whole filter on comments given as JSON lines on standard input; stores nothing.",
            discussion: """
                Each input line is an object with "text" and optionally "author", "email", "url", "ip", "user_agent" and \
                "post" (an ID, to check duplicates and closed comments). Each output line is {"verdict", "score", "reasons"}; \
                a line that cannot be read gives {"error"} and makes the exit status 1.
                """)
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await Self.failing {
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    var failures = 0
                    var number = 0
                    while let line = readLine(strippingNewline: true) {
                        number += 1
                        if line.allSatisfy(\.isWhitespace) { continue }
                        let output: SpamCheckOutput
                        do {
                            let input = try SpamCheckInput.parse(line)
                            let verdict = try await drey.comments.screen(input.submission, postID: input.post, siteID: site.id)
                            output = SpamCheckOutput(verdict: verdict)
                        } catch let error as SpamCheckInput.Problem {
                            failures += 1
                            Console.error("drey: line \(number): \(error.message)\n")
                            output = SpamCheckOutput(error: "line \(number): \(error.message)")
                        }
                        Console.print(try output.json())
                    }
                    if failures > 0 { throw ExitCode.failure }
                }
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the moderation queues and the discarded spam counted in the last 30 days.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await Self.failing {
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    let counts = try await drey.store.commentStatusCounts(siteID: site.id)
                    for status in CommentStatus.allCases { Console.print("\(status.rawValue)\t\(counts[status] ?? 0)") }
                    let since = Date().addingTimeInterval(-30 * 86400)
                    var byReason: [String: Int] = [:]
                    for row in try await drey.store.discards(siteID: site.id, sinceDay: SpamFilter.day(since)) {
                        byReason[row.reason, default: 0] += row.count
                    }
                    for (reason, n) in byReason.sorted(by: { $0.key < $1.key }) { Console.print("discarded (\(reason))\t\(n)") }
                    if byReason.isEmpty { Console.print("discarded\t0") }
                }
            }
        }
    }
}

/// Loads a labelled CSV or JSON-lines file, turning every problem into one line naming the file.
func loadLabelled(_ path: String) throws -> [(SpamSample, Bool)] {
    try loadRecords(path).map { ($0.sample, $0.isSpam) }
}

/// The records of a labelled file with the folds it gives, every problem one line naming the file.
func loadRecords(_ path: String) throws -> [SpamJSONLines.Record] {
    guard FileManager.default.fileExists(atPath: path) else { throw CLIError("cannot read \(path): no such file") }
    do {
        return try SpamCorpus.records(from: URL(fileURLWithPath: path))
    } catch let error as SpamCSV.LoadError {
        throw CLIError("\(path): \(error)")
    } catch let error as SpamJSONLines.LoadError {
        throw CLIError("\(path): \(error)")
    } catch {
        throw CLIError("cannot read \(path): \(error.localizedDescription)")
    }
}
