import DreyCore
import DreyRender
import DreyStore
import Foundation

/// A comment as a person sent it, from the form or the CLI.
public struct CommentSubmission: Sendable {
    public var postID: Int64
    public var parentID: Int64?
    public var authorName: String
    public var email: String
    public var url: String
    public var text: String
    public var ip: String = ""
    public var userAgent: String = ""
    public var userID: Int64? = nil
    public var type: CommentType = .comment
    /// Set by operators (`drey comment add --status`); the discussion rules decide otherwise.
    public var forcedStatus: CommentStatus? = nil
    public var byModerator: Bool = false
    /// For imports and the demo; new comments are dated now.
    public var createdAt: Date? = nil

    public init(postID: Int64, parentID: Int64? = nil, authorName: String, email: String, url: String = "", text: String) {
        self.postID = postID
        self.parentID = parentID
        self.authorName = authorName
        self.email = email
        self.url = url
        self.text = text
    }
}

/// Every reason a comment can be refused, each with the sentence the commenter reads.
public struct CommentRejection: Error, Sendable, Equatable {
    public var messages: [String]
    /// The HTTP status the form answers with.
    public var status: Int

    public init(_ messages: [String], status: Int = 422) {
        self.messages = messages
        self.status = status
    }
}

/// Taking in comments through the discussion rules, and moderating them.
public struct CommentService: Sendable {
    let store: SQLStore
    let registry: SiteRegistry
    let changes: ChangeFeed
    let clock: Clock

    public static let maxNameLength = 245
    public static let maxEmailLength = 100
    public static let maxURLLength = 200

    /// Validates, decides the status, sanitizes and stores a comment; throws `CommentRejection` with every problem at once.
    public func submit(_ s: CommentSubmission, siteID: Int64) async throws -> Comment {
        guard let site = registry.site(id: siteID) else { throw StoreError.notFound("no site \(siteID)") }
        guard let post = try await store.post(id: s.postID, siteID: siteID), post.isVisible(at: clock.now()) || s.forcedStatus != nil
        else { throw CommentRejection(["That post does not exist, so the comment cannot be added to it."], status: 404) }
        // Linkbacks answer to the post's ping status, which their receivers check, as in WordPress.
        if post.commentStatus == .closed && s.type == .comment && s.forcedStatus == nil && !s.byModerator {
            throw CommentRejection(["Comments are closed on this post."], status: 403)
        }
        let name = s.authorName.trimmingCharacters(in: .whitespacesAndNewlines)
        let email = s.email.trimmingCharacters(in: .whitespacesAndNewlines)
        var url = s.url.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = s.text.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [String] = []
        if name.isEmpty { problems.append("Please enter your name.") }
        if name.count > Self.maxNameLength { problems.append("Your name is longer than \(Self.maxNameLength) characters.") }
        if email.isEmpty && s.type == .comment {
            problems.append("Please enter your email address (it is never shown).")
        } else if !email.isEmpty && (email.count > Self.maxEmailLength || !UserService.isValidEmail(email)) {
            problems.append("Please enter a valid email address.")
        }
        if !url.isEmpty {
            if !url.contains("://") { url = "http://" + url }
            if url.count > Self.maxURLLength || !Self.isWebURL(url) {
                problems.append("The website must be an http or https address.")
            }
        }
        if text.isEmpty { problems.append("Please type your comment.") }
        let maxLength = site.settings.commentMaxLength
        if text.count > maxLength {
            problems.append("Your comment is \(text.count) characters long; the limit is \(maxLength).")
        }
        if let parentID = s.parentID {
            let parent = try await store.comment(id: parentID)
            if parent == nil || parent?.postID != post.id || parent?.status != .approved {
                problems.append("The comment you are replying to does not exist on this post.")
            }
        }
        if !problems.isEmpty { throw CommentRejection(problems) }
        if try await store.isDuplicate(postID: post.id, email: email, authorName: name, source: text) {
            throw CommentRejection(["Duplicate comment detected; it looks as though you’ve already said that!"], status: 409)
        }
        var status: CommentStatus
        var note: String
        if let forced = s.forcedStatus {
            status = forced
            note = "set by operator"
        } else {
            let previously = try await store.hasApproved(email: email, authorName: name, siteID: siteID)
            let verdict = CommentPolicy(settings: site.settings).decide(
                .init(
                    authorName: name, email: email, url: url, ip: s.ip, userAgent: s.userAgent, text: text,
                    byModerator: s.byModerator, hasPreviouslyApproved: previously))
            status = verdict.status
            note = verdict.reasons.joined(separator: "; ")
        }
        let comment = try await store.insert(
            Comment(
                siteID: siteID, postID: post.id, parentID: s.parentID, type: s.type, status: status, authorName: name,
                authorEmail: email, authorURL: url, authorIP: s.ip, userAgent: String(s.userAgent.prefix(255)),
                userID: s.userID, source: text, contentHTML: ContentRenderer.comment(text), createdAt: s.createdAt ?? clock.now(),
                moderationNote: note))
        if status == .approved { try await changes.record(siteID: siteID, [.post(post.id), .comments, .lists]) }
        return comment
    }

    /// Moves a comment to another status; the pages that showed it (or will) are refreshed.
    public func setStatus(_ status: CommentStatus, commentID: Int64) async throws -> Comment {
        guard var comment = try await store.comment(id: commentID) else {
            throw StoreError.notFound("no comment with ID \(commentID)")
        }
        try await store.setStatus(status, commentID: commentID)
        comment.status = status
        try await changes.record(siteID: comment.siteID, [.post(comment.postID), .comments, .lists])
        return comment
    }

    static func isWebURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return false }
        return !text.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" })
    }
}
