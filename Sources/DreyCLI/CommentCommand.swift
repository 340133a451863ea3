import ArgumentParser
import DreyApp
import DreyCore
import Foundation

struct CommentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comment", abstract: "Add, list and moderate comments.",
        subcommands: [Add.self, List.self, Approve.self, Spam.self, NotSpam.self, Trash.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a comment through the same checks as the web form.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The post's ID or URL.") var post: String
        @Option(help: "Commenter's name.") var author: String
        @Option(help: "Commenter's email (never shown).") var email: String
        @Option(help: "Commenter's website.") var url: String = ""
        @Option(help: "ID of the comment this replies to.") var parent: Int64?
        @Option(help: "approved, pending or spam (default: the discussion rules decide).") var status: String?
        @Option(help: "The comment text.") var text: String?
        @Option(help: "A file with the comment text; - reads standard input.") var file: String?
        @Option(help: "When it was written: 2008-01-27, '2008-01-27 00:04' (site time zone) or ISO 8601 (default: now).") var date: String?

        func validate() throws {
            if (text == nil) == (file == nil) { throw ValidationError("give exactly one of --text or --file") }
            if let status, !["approved", "pending", "spam"].contains(status) {
                throw ValidationError("--status must be approved, pending or spam")
            }
        }

        func run() async throws {
            try await Self.failing {
                let body = try text ?? readText(file ?? "-")
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    let postID = try await PostLocator(drey: drey, site: site).postID(for: post)
                    var submission = CommentSubmission(postID: postID, parentID: parent, authorName: author, email: email, url: url, text: body)
                    submission.forcedStatus = status.flatMap(CommentStatus.init(rawValue:))
                    submission.createdAt = try date.map { try parseDate($0, timeZone: site.settings.timeZone) }
                    do {
                        let comment = try await drey.comments.submit(submission, siteID: site.id)
                        Console.print(
                            "comment \(comment.id) \(comment.status.rawValue)\(comment.moderationNote.isEmpty ? "" : " (\(comment.moderationNote))")")
                    } catch let rejection as CommentRejection {
                        throw CLIError(rejection.messages.joined(separator: " "))
                    }
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List comments, newest first.")
        @OptionGroup var common: CommonOptions
        @Option(help: "pending, approved, spam or trash (repeatable; default: all but trash).") var status: [String] = []
        @Option(help: "How many to list.") var limit = 50
        @Flag(help: "One JSON object a line.") var json = false

        func run() async throws {
            try await Self.failing {
                var statuses: [CommentStatus] = []
                for s in status {
                    guard let v = CommentStatus(rawValue: s) else { throw CLIError("unknown status '\(s)'; use pending, approved, spam or trash") }
                    statuses.append(v)
                }
                if statuses.isEmpty { statuses = [.pending, .approved, .spam] }
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    let comments = try await drey.store.comments(siteID: site.id, statuses: statuses, limit: max(1, limit), offset: 0)
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    encoder.dateEncodingStrategy = .iso8601
                    for c in comments {
                        if json {
                            let row = CommentRow(
                                id: c.id, post: c.postID, parent: c.parentID, type: c.type.rawValue, status: c.status.rawValue,
                                author: c.authorName, email: c.authorEmail, url: c.authorURL, ip: c.authorIP, date: c.createdAt,
                                text: c.source, note: c.moderationNote, score: c.spamScore)
                            Console.print(String(decoding: try encoder.encode(row), as: UTF8.self))
                        } else {
                            let snippet = PlainText.truncate(c.source.replacingOccurrences(of: "\n", with: " "), words: 12)
                            Console.print("\(c.id)\t\(c.status.rawValue)\tpost \(c.postID)\t\(c.authorName)\t\(snippet)\t\(c.moderationNote)")
                        }
                    }
                }
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a comment.")
        @OptionGroup var common: CommonOptions
        @Argument var id: Int64
        func run() async throws { try await moderate(common, id, .approved) }
    }

    struct Spam: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a comment as spam.")
        @OptionGroup var common: CommonOptions
        @Argument var id: Int64
        func run() async throws { try await moderate(common, id, .spam) }
    }

    struct NotSpam: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "not-spam", abstract: "Restore a comment the filter held or sent to spam: approve it and teach the filter.")
        @OptionGroup var common: CommonOptions
        @Argument var id: Int64
        func run() async throws { try await moderate(common, id, .approved, onlyFrom: [.spam, .pending]) }
    }

    struct Trash: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a comment to the trash.")
        @OptionGroup var common: CommonOptions
        @Argument var id: Int64
        func run() async throws { try await moderate(common, id, .trash) }
    }
}

struct CommentRow: Encodable {
    let id: Int64
    let post: Int64
    let parent: Int64?
    let type: String
    let status: String
    let author: String
    let email: String
    let url: String
    let ip: String
    let date: Date
    let text: String
    let note: String
    let score: Double?
}

func moderate(_ common: CommonOptions, _ id: Int64, _ status: CommentStatus, onlyFrom: Set<CommentStatus>? = nil) async throws {
    try await CommentCommand.failing {
        try await common.withDrey { drey in
            let site = try drey.sites.site(named: common.site)
            guard let comment = try await drey.store.comment(id: id), comment.siteID == site.id else {
                throw CLIError("no comment with ID \(id) on \(site.host)")
            }
            if let onlyFrom, !onlyFrom.contains(comment.status) {
                throw CLIError("comment \(id) is \(comment.status.rawValue), neither held nor spam")
            }
            _ = try await drey.comments.setStatus(status, commentID: id)
            Console.print("comment \(id) \(status.rawValue)")
        }
    }
}
