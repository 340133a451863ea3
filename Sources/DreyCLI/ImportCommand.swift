import ArgumentParser
import DreyApp
import DreyCore
import DreyImport
import DreySpam
import Foundation

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Move a blog in from elsewhere.", subcommands: [WordPress.self])

    struct WordPress: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "wordpress",
            abstract: "Import a WordPress export (WXR 1.0, 1.1 or 1.2): all of it in one transaction, or nothing.",
            discussion: """
                Running the same import again adds nothing. Old links (?p=ID, ?page_id=ID, ?cat=ID, feeds,
                attachment pages) redirect to their new addresses.
                """)
        @OptionGroup var common: CommonOptions
        @Argument(help: "The export file, from Tools › Export in WordPress.") var file: String
        @Option(
            name: .customLong("media-dir"),
            help:
                "A copy of the old site's wp-content/uploads: files are copied in and links to them rewritten. Without it nothing is copied or fetched."
        )
        var mediaDir: String?
        @Flag(help: "Keep this site's permalink structure; the export's post addresses then redirect.") var keepPermalinks = false

        func run() async throws {
            try await Self.failing {
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    var options = ImportOptions(
                        uploadsDirectory: drey.config.uploadsDirectory(siteID: site.id), timeZone: site.settings.timeZone,
                        mediaDirectory: mediaDir.map { URL(fileURLWithPath: $0) }, now: drey.config.clock.now())
                    options.adoptPermalinks = !keepPermalinks
                    let bar = ProgressBar.ifTerminal()
                    var progress: (@Sendable (ImportProgress) -> Void)? = nil
                    if let bar { progress = { bar.update($0) } }
                    let summary: ImportSummary
                    do {
                        summary = try await WordPressImporter(database: drey.database, siteID: site.id)
                            .run(URL(fileURLWithPath: file), options: options, progress: progress)
                    } catch let error as WXRError {
                        bar?.finish()
                        throw CLIError("\(file): \(error); nothing was imported")
                    } catch {
                        bar?.finish()
                        throw CLIError("import of \(file) failed, nothing was imported: \(error)")
                    }
                    bar?.finish()
                    try await drey.sites.reload()
                    try await drey.changes.record(siteID: site.id, .imported)
                    Console.print(
                        "Imported \(file) (WXR \(summary.version), “\(summary.sourceTitle)”) into \(site.host) in \(String(format: "%.1f", summary.seconds)) s\n"
                    )
                    Console.print(summary.table())
                    try await Self.teachSpamFilter(drey, siteID: site.id, summary.decidedComments)
                }
            }
        }
    }
}

extension ImportCommand.WordPress {
    /// The blog's own moderation history teaches its spam filter on day one: every imported comment that was
    /// approved or marked spam in WordPress. The import stands even if this fails (it says so).
    static func teachSpamFilter(_ drey: Drey, siteID: Int64, _ decided: [ImportSummary.DecidedComment]) async throws {
        guard !decided.isEmpty else { return }
        let samples = decided.map { (SpamSample(text: $0.text, author: $0.author, email: $0.email, url: $0.url), $0.isSpam) }
        let spam = samples.filter(\.1).count
        do {
            let model = try await drey.spam.models.train(siteID: siteID, samples, now: drey.config.clock.now())
            Console.print(
                "\nThe spam filter learned from the imported comments: \(samples.count - spam) approved and \(spam) spam (it has learned from \(model.examples) examples)."
            )
        } catch {
            Console.error("drey: the spam filter could not learn from the imported comments: \(error)\n")
        }
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a site out for another blog.", subcommands: [WordPress.self])

    struct WordPress: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "wordpress",
            abstract: "Write the site as a WordPress export (WXR 1.2) to standard output or --output.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Write to this file instead of standard output.") var output: String?
        @Option(name: .customLong("base-url"), help: "The site's public address for links (default: the home_url setting, else http://HOST).")
        var baseURL: String?

        func run() async throws {
            try await Self.failing {
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    let base = baseURL ?? (site.settings.homeURL.isEmpty ? "http://\(site.host)" : site.settings.homeURL)
                    let handle: FileHandle
                    if let output {
                        guard FileManager.default.createFile(atPath: output, contents: nil), let h = FileHandle(forWritingAtPath: output) else {
                            throw CLIError("cannot write \(output)")
                        }
                        handle = h
                    } else {
                        handle = FileHandle.standardOutput
                    }
                    let counts = try await WordPressExporter(store: drey.store, site: site, baseURL: base, now: drey.config.clock.now())
                        .write(to: WXROutput(handle: handle))
                    if output != nil { try handle.close() }
                    let note =
                        "exported \(counts.authors) authors, \(counts.categories) categories, \(counts.tags) tags, "
                        + "\(counts.posts) posts, \(counts.pages) pages, \(counts.attachments) attachments, \(counts.comments) comments\n"
                    Console.error(note)
                }
            }
        }
    }
}
