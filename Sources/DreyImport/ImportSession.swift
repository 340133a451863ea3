import DreyCore
import DreyRender
import DreyStore
import Foundation

/// What an import needs besides the file.
public struct ImportOptions: Sendable {
    /// A copy of the old site's `wp-content/uploads`; without it nothing is copied or fetched.
    public var mediaDirectory: URL?
    /// Where this site's uploaded files live (`<data>/uploads/<site ID>`).
    public var uploadsDirectory: URL
    /// Take the export's permalink structure when it is one Drey can serve.
    public var adoptPermalinks = true
    /// The site's time zone, for WordPress's local dates when the GMT ones are missing.
    public var timeZone: TimeZone
    public var now: Date

    public init(uploadsDirectory: URL, timeZone: TimeZone, mediaDirectory: URL? = nil, now: Date = Date()) {
        self.uploadsDirectory = uploadsDirectory
        self.timeZone = timeZone
        self.mediaDirectory = mediaDirectory
        self.now = now
    }
}

/// One import run inside its transaction: the maps from WordPress's identities to Drey's, and the
/// work left for the end of the file (parents that came later, comment batches, galleries).
final class ImportSession {
    let writer: ImportWriter
    let options: ImportOptions
    let copier: UploadsCopier?
    var summary = ImportSummary()
    var channel = WXRChannel()
    var permalinks = PermalinkInference(blogURL: "")

    struct TermKey: Hashable {
        let taxonomy: Taxonomy
        let slug: String
    }

    struct PendingComment {
        var comment: Comment
        let wpID: Int64
        let wpParent: Int64
        let label: String
    }

    struct PendingParent {
        let id: Int64
        let wpParent: Int64
        let label: String
    }

    // Authors: WordPress login (lowercased) and author ID to user.
    var authorsByLogin: [String: Int64] = [:]
    var authorsByWPID: [Int64: Int64] = [:]
    var authorsByDreyLogin: [String: Int64] = [:]
    var authorLogins: [Int64: String] = [:]
    var fallbackAuthor: Int64?
    var firstAuthor: Int64?

    // Terms, by taxonomy and slug (WordPress's and Drey's, when they differ).
    var termIDs: [TermKey: Int64] = [:]
    var termsCreatedHere: Set<Int64> = []
    var termWPIDsHere: [Int64: Int64] = [:]
    var pendingTermParents: [(id: Int64, taxonomy: Taxonomy, parent: String, label: String)] = []

    // Posts and pages.
    var existingPostsByWPID: [Int64: Int64] = [:]
    var existingPostsByGUID: [String: Int64] = [:]
    var slugsTaken: [PostType: Set<String>] = [.post: [], .page: []]
    var postIDsByWPID: [Int64: Int64] = [:]
    var pendingPostParents: [PendingParent] = []
    var galleryPosts: [(id: Int64, wpID: Int64)] = []

    // Attachments.
    var existingMediaByWPID: [Int64: Int64] = [:]
    var existingMediaByGUID: [String: Int64] = [:]
    var images: [Int64: ShortcodeMedia.Image] = [:]
    var imagesByParent: [Int64: [(order: Int, wpID: Int64, image: ShortcodeMedia.Image)]] = [:]
    var pendingMediaParents: [PendingParent] = []

    // Comments wait here until enough have gathered for multi-row inserts.
    var pendingComments: [PendingComment] = []
    /// Post–term links wait for the same batches, which saves a round trip per post.
    var pendingTermLinks: [(postID: Int64, termID: Int64)] = []
    var existingCommentIDs: [Int64: [Int64: Int64]] = [:]
    /// Posts whose count cannot be known up front: they had comments already, or lost one to a conflict.
    var postsToRecount: Set<Int64> = []
    static let commentBatch = 1000

    var legacyPaths: [(path: String, target: LegacyTarget)] = []
    var itemsRead = 0
    var commentsRead = 0

    init(writer: ImportWriter, options: ImportOptions, copier: UploadsCopier?) {
        self.writer = writer
        self.options = options
        self.copier = copier
    }

    func handle(_ event: WXREvent) async throws {
        switch event {
        case .channel(let c): try await start(c)
        case .author(let a): try await importAuthor(a)
        case .term(let t): try await importTerm(t)
        case .item(let item):
            itemsRead += 1
            commentsRead += item.comments.count
            try await importItem(item)
            if pendingComments.count >= Self.commentBatch || pendingTermLinks.count >= Self.commentBatch {
                try await flushComments()
            }
        }
    }

    /// Reads what the site already has, so that matching items are recognised and slugs stay unique.
    private func start(_ c: WXRChannel) async throws {
        channel = c
        summary.version = c.version
        summary.sourceTitle = c.title
        permalinks = PermalinkInference(blogURL: c.blogURL)
        if let copier {
            for base in [c.baseSiteURL, c.baseBlogURL, c.link] where !base.isEmpty {
                copier.addBase(base.hasSuffix("/") ? base + "wp-content/uploads/" : base + "/wp-content/uploads/")
            }
            // WordPress.com serves a blog's uploads from <blog>.files.wordpress.com.
            if let host = URLComponents(string: c.blogURL)?.host, host.hasSuffix(".wordpress.com") {
                copier.addBase("https://" + host.dropLast(".wordpress.com".count) + ".files.wordpress.com/")
            }
        }
        for post in try await writer.existingPosts() {
            if let wpID = post.wpID { existingPostsByWPID[wpID] = post.id }
            if !post.guid.isEmpty { existingPostsByGUID[post.guid] = post.id }
            slugsTaken[post.type, default: []].insert(post.slug)
        }
        for (term, _) in try await writer.existingTerms() {
            termIDs[TermKey(taxonomy: term.taxonomy, slug: term.slug)] = term.id
        }
        for media in try await writer.existingMedia() {
            if let wpID = media.wpID { existingMediaByWPID[wpID] = media.id }
            if !media.guid.isEmpty { existingMediaByGUID[media.guid] = media.id }
        }
    }

    func importItem(_ item: WXRItem) async throws {
        switch item.type {
        case "post": try await importPost(item, type: .post, kind: .posts)
        case "page": try await importPost(item, type: .page, kind: .pages)
        case "attachment": try await importMedia(item)
        default:
            summary[.otherItems].inFile += 1
            let reason: String
            switch item.type {
            case "nav_menu_item": reason = "navigation menu items are not imported (Drey has no menus yet)"
            case "revision": reason = "revisions are not imported"
            case "": reason = "no wp:post_type (WordPress skips these too)"
            default: reason = "post type “\(item.type)” is not supported"
            }
            summary.skip(.otherItems, reason)
            skipComments(of: item, reason: "on an item that was not imported")
        }
    }

    func skipComments(of item: WXRItem, reason: String) {
        for comment in item.comments {
            countInFile(comment)
            summary.skip(.comments, reason)
        }
    }

    func countInFile(_ comment: WXRComment) {
        summary[.comments].inFile += 1
        summary.commentTypes[comment.type.isEmpty ? "comment" : comment.type, default: 0] += 1
        let status = ImportMapping.commentStatus(comment.approved)?.rawValue ?? "unknown (\(comment.approved))"
        summary.commentStatuses[status, default: 0] += 1
        if comment.parent != 0 { summary.threadedReplies += 1 }
    }

    /// The date WordPress shows for an item: GMT, else local time in the site's zone, else the RSS
    /// date; a missing date (WordPress writes 0000-00-00) is reported and replaced.
    func date(gmt: String, local: String, rss: String = "", label: String, fallback: Date) -> Date {
        if let date = WXRDates.utc(gmt) ?? WXRDates.local(local, timeZone: options.timeZone) { return date }
        if let date = WXRDates.rfc822(rss) { return date }
        summary.warn("\(label) has no valid date (“\(local.isEmpty ? gmt : local)”); dated \(WXRDates.string(fallback)) UTC")
        return fallback
    }

    func noteMarkup(_ source: String) {
        for (name, count) in WordPressMarkup.unhandled(in: source) {
            let seen = summary.unhandledMarkup[name] ?? (0, 0)
            summary.unhandledMarkup[name] = (seen.count + count, seen.posts + 1)
        }
    }
}
