import DreyCore
import DreyStore
import Foundation

/// What an export wrote, as WordPress's importer will count it.
public struct ExportCounts: Sendable, Equatable {
    public var authors = 0
    public var categories = 0
    public var tags = 0
    public var posts = 0
    public var pages = 0
    public var attachments = 0
    public var comments = 0

    public var items: Int { posts + pages + attachments }
}

/// Writes a site as WXR 1.2: what Drey imports back identically and WordPress's importer reads.
///
/// Imported rows keep their WordPress IDs; rows made in Drey get IDs above the largest kept one,
/// so the two never collide and a second export of the same site gives the same IDs.
public struct WordPressExporter: Sendable {
    public let store: SQLStore
    public let site: Site
    /// The site's public address without a trailing slash (`https://example.com`).
    public let baseURL: String
    public let now: Date

    public init(store: SQLStore, site: Site, baseURL: String, now: Date = Date()) {
        self.store = store
        self.site = site
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.now = now
    }

    public func write(to output: WXROutput) async throws -> ExportCounts {
        let exporter = self
        return try await store.exportSnapshot(siteID: site.id) { reader in
            var state = try await ExportState.load(reader, exporter: exporter)
            try output.write(WXRMarkup.header)
            try output.write("<!-- generator=\"Drey\" created=\"\(WXRDates.string(exporter.now))\" -->\n")
            try output.write(WXRMarkup.openRSS)
            try state.writeChannel(output)
            var after: Int64 = 0
            while true {
                let page = try await reader.posts(after: after, limit: 200)
                guard let last = page.last else { break }
                after = last.post.id
                let ids = page.map(\.post.id)
                let terms = try await reader.termIDs(postIDs: ids)
                let comments = try await reader.comments(postIDs: ids)
                for (post, wpID) in page {
                    try state.writePost(post, wpID: wpID, termIDs: terms[post.id] ?? [], comments: comments[post.id] ?? [], to: output)
                }
            }
            for (media, wpID) in try await reader.media() { try state.writeMedia(media, wpID: wpID, to: output) }
            try output.write("</channel>\n</rss>\n")
            try output.flush()
            return state.counts
        }
    }
}

/// Everything an export looks up while writing items: IDs, logins, category paths.
struct ExportState {
    let exporter: WordPressExporter
    var counts = ExportCounts()
    let authors: [ExportReader.Author]
    let terms: [(term: Term, wpID: Int64?)]
    let outline: [Int64: (slug: String, type: PostType, parentID: Int64?, wpID: Int64?)]
    var authorIDs: [Int64: Int64] = [:]
    var logins: [Int64: String] = [:]
    var termsByID: [Int64: Term] = [:]
    var exportedTermIDs: [Int64: Int64] = [:]
    var categoryPaths: [Int64: String] = [:]
    let postOffset: Int64
    let mediaOffset: Int64
    let commentOffset: Int64
    let termOffset: Int64

    static func load(_ reader: ExportReader, exporter: WordPressExporter) async throws -> ExportState {
        let postsMax = max(try await reader.maxWordPressID(.posts), try await reader.maxWordPressID(.media), 0)
        return ExportState(
            exporter: exporter, authors: try await reader.authors(), terms: try await reader.terms(),
            outline: try await reader.outline(), postOffset: postsMax,
            mediaOffset: postsMax + (try await reader.maxID(.posts)),
            commentOffset: max(try await reader.maxWordPressID(.comments), 0),
            termOffset: max(try await reader.maxWordPressID(.terms), 0),
            authorOffset: max(try await reader.maxWordPressID(.memberships), 0))
    }

    init(
        exporter: WordPressExporter, authors: [ExportReader.Author], terms: [(term: Term, wpID: Int64?)],
        outline: [Int64: (slug: String, type: PostType, parentID: Int64?, wpID: Int64?)], postOffset: Int64,
        mediaOffset: Int64, commentOffset: Int64, termOffset: Int64, authorOffset: Int64
    ) {
        self.exporter = exporter
        self.authors = authors
        self.terms = terms
        self.outline = outline
        self.postOffset = postOffset
        self.mediaOffset = mediaOffset
        self.commentOffset = commentOffset
        self.termOffset = termOffset
        for author in authors {
            authorIDs[author.user.id] = author.wpAuthorID.flatMap { $0 > 0 ? $0 : nil } ?? authorOffset + author.user.id
            logins[author.user.id] = author.user.login
        }
        termsByID = Dictionary(uniqueKeysWithValues: terms.map { ($0.term.id, $0.term) })
        for (term, wpID) in terms { exportedTermIDs[term.id] = wpID.flatMap { $0 > 0 ? $0 : nil } ?? termOffset + term.id }
        categoryPaths = Term.paths(of: terms.map(\.term))
    }

    func postID(_ id: Int64) -> Int64 {
        if let wpID = outline[id]?.wpID, wpID > 0 { return wpID }
        return postOffset + id
    }

    func termID(_ term: Term, wpID: Int64?) -> Int64 { wpID.flatMap { $0 > 0 ? $0 : nil } ?? termOffset + term.id }

    mutating func writeChannel(_ out: WXROutput) throws {
        let s = exporter.site.settings
        try out.write("\t<title>\(WXRMarkup.escape(s.title))</title>\n\t<link>\(WXRMarkup.escape(exporter.baseURL))</link>\n")
        try out.write("\t<description>\(WXRMarkup.escape(s.tagline))</description>\n")
        try out.write("\t<pubDate>\(WXRDates.rfc822String(exporter.now))</pubDate>\n\t<language>en-US</language>\n")
        try out.write("\t<wp:wxr_version>1.2</wp:wxr_version>\n")
        try out.write("\t<wp:base_site_url>\(WXRMarkup.escape(exporter.baseURL))</wp:base_site_url>\n")
        try out.write("\t<wp:base_blog_url>\(WXRMarkup.escape(exporter.baseURL))</wp:base_blog_url>\n\n")
        // Everything in the order of the IDs it is exported with, which a round trip keeps.
        for author in authors.sorted(by: { authorIDs[$0.user.id]! < authorIDs[$1.user.id]! }) {
            let u = author.user
            try out.write(
                "\t<wp:author>\(WXRMarkup.element("wp:author_id", authorIDs[u.id]!))\(WXRMarkup.element("wp:author_login", cdata: u.login))"
                    + "\(WXRMarkup.element("wp:author_email", cdata: u.email))\(WXRMarkup.element("wp:author_display_name", cdata: u.displayName))"
                    + "\(WXRMarkup.element("wp:author_first_name", cdata: ""))\(WXRMarkup.element("wp:author_last_name", cdata: ""))</wp:author>\n")
            counts.authors += 1
        }
        try out.write("\n")
        // Parents before children: WordPress's importer looks a category's parent up as it goes.
        var written: Set<Int64> = []
        let ordered = terms.sorted { termID($0.term, wpID: $0.wpID) < termID($1.term, wpID: $1.wpID) }
        var categories = ordered.filter { $0.term.taxonomy == .category }
        while !categories.isEmpty {
            let ready = categories.filter { $0.term.parentID.map { written.contains($0) || termsByID[$0] == nil } ?? true }
            let batch = ready.isEmpty ? categories : ready
            for (term, wpID) in batch {
                let parent = term.parentID.flatMap { termsByID[$0]?.slug } ?? ""
                try out.write(
                    "\t<wp:category>\(WXRMarkup.element("wp:term_id", termID(term, wpID: wpID)))"
                        + "\(WXRMarkup.element("wp:category_nicename", cdata: term.slug))\(WXRMarkup.element("wp:category_parent", cdata: parent))"
                        + "\(WXRMarkup.element("wp:cat_name", cdata: term.name))"
                        + (term.description.isEmpty ? "" : WXRMarkup.element("wp:category_description", cdata: term.description))
                        + "</wp:category>\n")
                written.insert(term.id)
                counts.categories += 1
            }
            let done = Set(batch.map(\.term.id))
            categories.removeAll { done.contains($0.term.id) }
        }
        for (term, wpID) in ordered where term.taxonomy == .tag {
            try out.write(
                "\t<wp:tag>\(WXRMarkup.element("wp:term_id", termID(term, wpID: wpID)))\(WXRMarkup.element("wp:tag_slug", cdata: term.slug))"
                    + "\(WXRMarkup.element("wp:tag_name", cdata: term.name))"
                    + (term.description.isEmpty ? "" : WXRMarkup.element("wp:tag_description", cdata: term.description))
                    + "</wp:tag>\n")
            counts.tags += 1
        }
        try out.write("\n\t<generator>https://drey.example/?export=wxr</generator>\n\n")
    }
}
