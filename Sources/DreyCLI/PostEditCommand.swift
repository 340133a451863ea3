import ArgumentParser
import DreyApp
import DreyCore
import Foundation

extension PostCommand {
    /// Changes an existing post; what is not given stays as it is. Pings go out again as on publishing.
    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a post's content, title or status.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The post's ID or URL.") var post: String
        @Option(help: "A new title.") var title: String?
        @Option(help: "A file with the new content; - reads standard input.") var file: String?
        @Option(help: "publish, draft, pending or private.") var status: String?

        func run() async throws {
            try await Self.failing {
                let newStatus = try status.map { raw -> PostStatus in
                    guard let s = PostStatus(rawValue: raw), s != .trash, s != .future else {
                        throw CLIError("--status must be publish, draft, pending or private")
                    }
                    return s
                }
                let source = try file.map(readText)
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    let id = try await PostLocator(drey: drey, site: site).postID(for: post)
                    guard let existing = try await drey.store.post(id: id, siteID: site.id) else { throw CLIError("no post with ID \(id)") }
                    let terms = try await drey.store.terms(postIDs: [id])[id] ?? []
                    var input = PostInput(title: title ?? existing.title, source: source ?? existing.source, authorID: existing.authorID)
                    input.type = existing.type
                    input.format = existing.format
                    input.status = newStatus ?? existing.status
                    input.excerpt = existing.excerpt
                    input.categories = terms.filter { $0.taxonomy == .category }.map(\.name)
                    input.tags = terms.filter { $0.taxonomy == .tag }.map(\.name)
                    input.sticky = existing.sticky
                    input.commentStatus = existing.commentStatus
                    input.pingStatus = existing.pingStatus
                    input.password = existing.password
                    input.typography = existing.typography
                    input.parentID = existing.parentID
                    input.menuOrder = existing.menuOrder
                    let saved = try await drey.posts.update(id, with: input, siteID: site.id)
                    Console.print("post \(saved.id) \(saved.status.rawValue): \(saved.slug)")
                }
            }
        }
    }
}
