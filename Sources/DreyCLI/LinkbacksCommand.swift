import ArgumentParser
import DreyApp
import DreyCore
import Foundation

struct LinkbacksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linkbacks", abstract: "What was sent to linked pages, and the Webmentions received.",
        subcommands: [Sent.self, Received.self])

    struct Sent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The result of telling each linked page about a post (Webmention or Pingback).")
        @OptionGroup var common: CommonOptions
        @Option(help: "The post's ID or URL (default: every post, most recent first).") var post: String?
        @Option(help: "How many to list.") var limit = 100
        @Flag(help: "One JSON object a line.") var json = false

        func run() async throws {
            try await Self.failing {
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    let sends: [SentLinkback]
                    if let post {
                        let id = try await PostLocator(drey: drey, site: site).postID(for: post)
                        sends = try await drey.store.sends(postID: id)
                    } else {
                        sends = try await drey.store.sends(siteID: site.id, limit: limit)
                    }
                    for s in sends {
                        if json {
                            Console.print(try jsonLine(SentLine(s)))
                        } else {
                            Console.print("\(s.postID)\t\(s.state.rawValue)\t\(s.method.rawValue)\t\(s.target)\t\(s.detail)")
                        }
                    }
                }
            }
        }
    }

    struct Received: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Webmentions received and what became of each.")
        @OptionGroup var common: CommonOptions
        @Option(help: "How many to list.") var limit = 100
        @Flag(help: "One JSON object a line.") var json = false

        func run() async throws {
            try await Self.failing {
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    for w in try await drey.store.webmentions(siteID: site.id, limit: limit) {
                        if json {
                            Console.print(try jsonLine(ReceivedLine(w)))
                        } else {
                            Console.print("\(w.postID)\t\(w.state.rawValue)\t\(w.kind.rawValue)\t\(w.source)\t\(w.authorName)\t\(w.detail)")
                        }
                    }
                }
            }
        }
    }
}

struct SentLine: Encodable {
    var post: Int64
    var target: String
    var method: String
    var endpoint: String
    var state: String
    var httpStatus: Int
    var detail: String
    var attempts: Int

    init(_ s: SentLinkback) {
        (post, target, method, endpoint) = (s.postID, s.target, s.method.rawValue, s.endpoint)
        (state, httpStatus, detail, attempts) = (s.state.rawValue, s.httpStatus, s.detail, s.attempts)
    }
}

struct ReceivedLine: Encodable {
    var post: Int64
    var source: String
    var target: String
    var state: String
    var type: String
    var author: String
    var comment: Int64?
    var detail: String

    init(_ w: ReceivedWebmention) {
        (post, source, target, state) = (w.postID, w.source, w.target, w.state.rawValue)
        (type, author, comment, detail) = (w.kind.rawValue, w.authorName, w.commentID, w.detail)
    }
}

func jsonLine<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
