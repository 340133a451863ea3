import Foundation

/// What an import did, kind by kind, against what the file declares.
public struct ImportSummary: Sendable {
    /// One kind of thing in the file (authors, categories, posts…).
    public struct Row: Sendable, Equatable {
        public let name: String
        /// How many the file holds.
        public var inFile = 0
        /// Newly created here.
        public var imported = 0
        /// Already on the site (same WordPress ID, GUID, slug or email): left as they are.
        public var existing = 0
        /// Left out, by reason.
        public var skipped: [String: Int] = [:]

        public var skippedCount: Int { skipped.values.reduce(0, +) }
    }

    public enum Kind: String, Sendable, CaseIterable {
        case authors, creators, categories, tags, otherTerms, posts, pages, attachments, otherItems, comments
    }

    public var rows: [Kind: Row] = Dictionary(uniqueKeysWithValues: Kind.allCases.map { ($0, Row(name: $0.label)) })
    /// Statuses of posts and pages as the file gives them ("post/publish": 56).
    public var statuses: [String: Int] = [:]
    /// Comments by type and status as the file gives them.
    public var commentTypes: [String: Int] = [:]
    public var commentStatuses: [String: Int] = [:]
    /// Replies (comments with a parent) in the file.
    public var threadedReplies = 0
    public var sticky = 0
    public var passwordProtected = 0
    /// Problems that did not stop the import, each naming the item.
    public var warnings: [String] = []
    public var warningCount = 0
    /// Accounts made for authors; none can sign in until given a password.
    public var createdUsers: [String] = []
    /// Shortcodes and dynamic blocks shown as written: name → (occurrences, posts).
    public var unhandledMarkup: [String: (count: Int, posts: Int)] = [:]
    public var permalinkStructure = ""
    public var permalinkAdopted = false
    /// Categories and tags an item named that the file did not declare.
    public var termsFromItems = 0
    public var filesCopied = 0
    public var filesMissing = 0
    public var version = ""
    public var sourceTitle = ""
    public var linesRead = 0
    public var seconds: Double = 0
    /// Comments this import added that a moderator had decided on (approved or spam, linkbacks left out), for the
    /// site's spam filter to learn from: the blog's own history teaches it on day one. Re-imports add none.
    public var decidedComments: [DecidedComment] = []

    /// One moderated comment as the spam filter learns it.
    public struct DecidedComment: Sendable, Equatable {
        public var text: String
        public var author: String
        public var email: String
        public var url: String
        public var isSpam: Bool
    }

    public init() {}

    public subscript(kind: Kind) -> Row {
        get { rows[kind]! }
        set { rows[kind] = newValue }
    }

    public static let maxWarningsKept = 500

    mutating func warn(_ message: String) {
        warningCount += 1
        if warnings.count < Self.maxWarningsKept { warnings.append(message) }
    }

    mutating func skip(_ kind: Kind, _ reason: String) { rows[kind]!.skipped[reason, default: 0] += 1 }
}

extension ImportSummary.Kind {
    var label: String {
        switch self {
        case .authors: return "authors (wp:author)"
        case .creators: return "authors named only by dc:creator"
        case .categories: return "categories"
        case .tags: return "tags"
        case .otherTerms: return "other terms (wp:term)"
        case .posts: return "posts"
        case .pages: return "pages"
        case .attachments: return "attachments (media)"
        case .otherItems: return "other items"
        case .comments: return "comments, pingbacks, trackbacks"
        }
    }
}

extension ImportSummary {
    /// The summary as a plain-text table, with reasons, warnings and follow-ups below it.
    public func table() -> String {
        var lines: [String] = []
        let header = ["", "in file", "imported", "already here", "skipped"]
        var body: [[String]] = []
        for kind in Kind.allCases {
            let row = self[kind]
            if row.inFile == 0 && row.imported == 0 && row.existing == 0 && row.skippedCount == 0 { continue }
            body.append([row.name, String(row.inFile), String(row.imported), String(row.existing), String(row.skippedCount)])
        }
        let widths = (0..<header.count).map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        func format(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == 0
                    ? cell.padding(toLength: widths[0], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  ")
        }
        lines.append(format(header))
        lines.append(String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1)))
        lines += body.map(format)
        for kind in Kind.allCases {
            for (reason, count) in self[kind].skipped.sorted(by: { $0.key < $1.key }) {
                lines.append("  skipped \(count) \(self[kind].name): \(reason)")
            }
        }
        if !statuses.isEmpty {
            lines.append("")
            lines.append("statuses: " + statuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !commentTypes.isEmpty {
            lines.append(
                "comments: " + commentTypes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                    + "; " + commentStatuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                    + "; \(threadedReplies) threaded replies")
        }
        if sticky > 0 || passwordProtected > 0 { lines.append("sticky: \(sticky), password-protected: \(passwordProtected)") }
        lines.append(
            permalinkAdopted
                ? "permalinks: adopted the export's structure \(permalinkStructure)"
                : "permalinks: kept \(permalinkStructure); old addresses redirect")
        if termsFromItems > 0 { lines.append("terms created because items named them without the file declaring them: \(termsFromItems)") }
        if filesCopied > 0 || filesMissing > 0 { lines.append("media files: \(filesCopied) copied, \(filesMissing) not found in --media-dir") }
        let shortcodes = unhandledMarkup.filter { $0.key.hasPrefix("[") }
        let blocks = unhandledMarkup.filter { !$0.key.hasPrefix("[") }
        func list(_ entries: [String: (count: Int, posts: Int)]) -> String {
            entries.sorted { $0.value.count > $1.value.count || ($0.value.count == $1.value.count && $0.key < $1.key) }
                .map { "\($0.key) ×\($0.value.count) (\($0.value.posts) post\($0.value.posts == 1 ? "" : "s"))" }
                .joined(separator: ", ")
        }
        if !shortcodes.isEmpty {
            lines.append("")
            lines.append("shortcodes left as written (shown as text): " + list(shortcodes))
        }
        if !blocks.isEmpty {
            lines.append("")
            lines.append("dynamic blocks left out (WordPress builds them when a page is viewed): " + list(blocks))
        }
        if !createdUsers.isEmpty {
            lines.append("")
            lines.append("accounts created without a password (set one before they can sign in):")
            lines += createdUsers.map { "  " + $0 }
        }
        if warningCount > 0 {
            lines.append("")
            lines.append("\(warningCount) warning\(warningCount == 1 ? "" : "s"):")
            lines += warnings.map { "  " + $0 }
            if warningCount > warnings.count { lines.append("  … and \(warningCount - warnings.count) more") }
        }
        return lines.joined(separator: "\n")
    }
}
