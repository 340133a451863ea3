import ArgumentParser
import DreyApp
import DreyCore
import Foundation

struct PostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "post", abstract: "Write posts.", subcommands: [New.self, Edit.self])

    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish (or draft, or schedule) a post from a file.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The title.") var title: String
        @Option(help: "Markdown or HTML source file; - reads standard input.") var file: String
        @Option(help: "markdown or html.") var format: String = "markdown"
        @Option(help: "A category name (repeatable); it must exist unless --create-categories is given.") var category: [String] = []
        @Option(help: "A tag name (repeatable); new tags are created.") var tag: [String] = []
        @Option(help: "publish, draft, pending, private or future.") var status: String = "publish"
        @Option(help: "Publication time: 2008-01-27, '2008-01-27 00:04' (site time zone) or ISO 8601. A future time schedules the post.") var date:
            String?
        @Option(help: "The URL slug (default: from the title).") var slug: String?
        @Option(help: "Author's email or login (default: the first administrator).") var author: String?
        @Option(help: "post or page.") var type: String = "post"
        @Flag(help: "Create categories that do not exist yet.") var createCategories = false
        @Flag(help: "Show the post above the others on the home page.") var sticky = false

        func run() async throws {
            try await Self.failing {
                guard let format = SourceFormat(rawValue: format) else { throw CLIError("--format must be markdown or html") }
                guard let status = PostStatus(rawValue: status), status != .trash else {
                    throw CLIError("--status must be publish, draft, pending, private or future")
                }
                guard let type = PostType(rawValue: type) else { throw CLIError("--type must be post or page") }
                let source = try readText(file)
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    let published = try date.map { try parseDate($0, timeZone: site.settings.timeZone) }
                    if status == .future, published == nil { throw CLIError("--status future needs a --date") }
                    if !createCategories {
                        for name in category {
                            let byName = try await drey.store.term(name: name, taxonomy: .category, siteID: site.id)
                            let bySlug = try await drey.store.term(slug: name, taxonomy: .category, siteID: site.id)
                            if byName != nil || bySlug != nil { continue }
                            let known = try await drey.store.terms(siteID: site.id, taxonomy: .category).map(\.name)
                            throw CLIError(
                                "unknown category '\(name)'; existing: \(known.isEmpty ? "none" : known.joined(separator: ", ")) (add --create-categories to create it)"
                            )
                        }
                    }
                    let authorID = try await resolveAuthor(drey, siteID: site.id)
                    var input = PostInput(title: title, source: source, authorID: authorID)
                    input.format = format
                    input.status = status
                    input.publishedAt = published
                    input.slug = slug
                    input.type = type
                    input.sticky = sticky
                    input.tags = tag
                    var names: [String] = []
                    for name in category {
                        if let bySlug = try await drey.store.term(slug: name, taxonomy: .category, siteID: site.id) {
                            names.append(bySlug.name)
                        } else {
                            names.append(name)
                        }
                    }
                    input.categories = names
                    let post = try await drey.posts.create(input, siteID: site.id)
                    Console.print("post \(post.id) \(post.status.rawValue): \(post.slug)")
                }
            }
        }

        func resolveAuthor(_ drey: Drey, siteID: Int64) async throws -> Int64 {
            if let author {
                let user: User?
                if author.contains("@") { user = try await drey.store.user(email: author) } else { user = try await drey.store.user(login: author) }
                guard let user, try await drey.store.role(userID: user.id, siteID: siteID) != nil else {
                    throw CLIError("no user '\(author)' on this site; add one with `drey user add`")
                }
                return user.id
            }
            let members = try await drey.store.members(siteID: siteID)
            if let admin = members.first(where: { $0.1 == .administrator || $0.1 == .editor || $0.1 == .author }) { return admin.0.id }
            throw CLIError("this site has no author yet; add one with `drey user add --email … --name … --role administrator`")
        }
    }
}

/// Parses the dates people type; local times are in the site's time zone.
func parseDate(_ text: String, timeZone: TimeZone) throws -> Date {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let iso = ISO8601DateFormatter()
    if let d = iso.date(from: trimmed) { return d }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = timeZone
    formatter.isLenient = false
    for pattern in ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd"] {
        formatter.dateFormat = pattern
        if let d = formatter.date(from: trimmed), formatter.string(from: d) == trimmed { return d }
    }
    throw CLIError("invalid date '\(text)'; use 2008-01-27, '2008-01-27 00:04' or ISO 8601 such as 2008-01-27T00:04:00Z")
}
