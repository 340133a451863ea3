import DreyCore
import DreyRender
import DreyStore
import Foundation
import Metrics

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
    /// The verified form token, when the comment came through the web form: its time and nonce feed the filter.
    public var form: FormToken? = nil
    /// The signed-in reader writing it: the comment is linked to their account.
    public var readerID: Int64? = nil

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
/// A moderator's edit refused, with what they typed so the form comes back with it.
public struct CommentEditRejection: Error, Sendable {
    public var messages: [String]
    public var typed: Comment
}

public struct CommentRejection: Error, Sendable, Equatable {
    public var messages: [String]
    /// The HTTP status the form answers with.
    public var status: Int
    /// Answer with the message alone, not the form (rate limits: nothing to correct, only to wait).
    public var plain: Bool

    public init(_ messages: [String], status: Int = 422, plain: Bool = false) {
        self.messages = messages
        self.status = status
        self.plain = plain
    }
}

/// A comment thrown away unstored because it is blatant spam (a replayed form); counted, not kept.
public struct CommentDiscarded: Error, Sendable, Equatable {
    public var reason: String
}

/// Taking in comments through the discussion rules, and moderating them.
public struct CommentService: Sendable {
    let store: any CommentStore & PostStore & SpamStore & TermStore & UserStore & ReaderStore
    let registry: SiteRegistry
    let changes: ChangeFeed
    let clock: Clock
    package let spam: SpamFilter
    /// Moderators and authors are told of comments by mail, queued with the write that causes it.
    let mail: MailQueue
    let config: AppConfig
    /// Followers of a thread are told of comments once they are approved, by jobs queued with the approval.
    let follows: FollowService

    public static let maxNameLength = 245
    /// How long a spent form token is remembered: the longest `comment_form_max_age_hours` allows.
    static let tokenMemory: TimeInterval = 720 * 3600

    /// Counts a replayed form and returns the error that discards it.
    func discardReplay(siteID: Int64) async throws -> CommentDiscarded {
        await spam.countDiscard(siteID: siteID, reason: "replayed form")
        return CommentDiscarded(reason: "replayed form")
    }
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
        let (name, email, url, text) = try await checkFields(s, site: site, postID: post.id)
        // A form is accepted once: a token a stored comment already spent is a replay (or a double click, which lands
        // on the post rather than an error page). It is spent only with the comment it brings (see `insert` below),
        // so a form refused by the limits, or lost to an error, can be sent again.
        let spending = s.forcedStatus == nil ? s.form : nil
        if let token = spending, try await store.isFormTokenUsed(siteID: siteID, nonce: token.nonce) {
            throw try await discardReplay(siteID: siteID)
        }
        if try await store.isDuplicate(postID: post.id, email: email, authorName: name, source: text) {
            throw CommentRejection(["Duplicate comment detected; it looks as though you’ve already said that!"], status: 409)
        }
        var status: CommentStatus
        var note: String
        var score: Double? = nil
        if let forced = s.forcedStatus {
            status = forced
            note = "set by operator"
        } else {
            var candidate = SpamFilter.Candidate(
                siteID: siteID, name: name, email: email, url: url, ip: s.ip, userAgent: s.userAgent, text: text,
                byModerator: s.byModerator)
            candidate.shownFor = s.form.map { clock.now().timeIntervalSince($0.shownAt) }
            candidate.isLinkback = s.type.isLinkback
            candidate.readerID = s.readerID
            try await spam.checkLimits(candidate, settings: site.settings)
            let verdict = try await spam.judge(candidate, settings: site.settings)
            status = verdict.status ?? .pending
            note = verdict.note
            score = verdict.score
        }
        // Kept until the longest form age a site may allow (30 days), so raising the setting cannot revive a spent form.
        let spend = spending.map { (nonce: $0.nonce, expiresAt: $0.shownAt.addingTimeInterval(Self.tokenMemory)) }
        let row = Comment(
            siteID: siteID, postID: post.id, parentID: s.parentID, type: s.type, status: status, authorName: name,
            authorEmail: email, authorURL: url, authorIP: s.ip, userAgent: String(s.userAgent.prefix(255)),
            userID: s.userID, source: text, contentHTML: ContentRenderer.comment(text),
            createdAt: s.createdAt ?? clock.now(), moderationNote: note, spamScore: score)
        let comment: Comment
        do {
            comment = try await changes.commit { [store, self] in
                let comment = try await store.insert(row, spending: spend)
                if let readerID = s.readerID { try await store.linkComment(id: comment.id, readerID: readerID) }
                try await self.notify(about: comment, on: post, site: site, approved: comment.status == .approved)
                return (comment, comment.status == .approved ? [(siteID, .comments(onPosts: [comment.postID]))] : [])
            }
        } catch is SQLStore.FormTokenSpent {
            throw try await discardReplay(siteID: siteID)
        }
        Counter(label: "drey_comments_total", dimensions: [("verdict", status.rawValue), ("type", s.type.rawValue)]).increment()
        return comment
    }

    /// Moves a comment to another status; the pages that showed it (or will) are refreshed. Marking spam, and
    /// approving (from the queue or as "not spam"), are moderation decisions the site's spam classifier learns at once.
    public func setStatus(_ status: CommentStatus, commentID: Int64) async throws -> Comment {
        guard var comment = try await store.comment(id: commentID) else {
            throw StoreError.notFound("no comment with ID \(commentID)")
        }
        let approvedNow = status == .approved && comment.status != .approved
        let post = approvedNow ? try await store.post(id: comment.postID, siteID: comment.siteID) : nil
        try await changes.commit(siteID: comment.siteID, .comments(onPosts: [comment.postID])) { [store, self, comment] in
            try await store.setStatus(status, commentID: commentID)
            if let post, let site = self.registry.site(id: comment.siteID) {
                var approved = comment
                approved.status = .approved
                try await self.notify(about: approved, on: post, site: site, approved: true)
            }
        }
        if status != comment.status && (status == .spam || status == .approved) {
            await spam.learn(from: comment, isSpam: status == .spam)
        }
        comment.status = status
        return comment
    }

    /// A moderator's edit of a comment's author fields and text; every problem at once as a `CommentEditRejection`.
    public func edit(_ id: Int64, siteID: Int64, name: String, email: String, url: String, text: String) async throws -> Comment {
        guard var c = try await store.comment(id: id), c.siteID == siteID else { throw StoreError.notFound("no comment with ID \(id)") }
        c.authorName = name.trimmingCharacters(in: .whitespaces)
        c.authorEmail = email.trimmingCharacters(in: .whitespaces)
        c.authorURL = url.trimmingCharacters(in: .whitespaces)
        c.source = text.replacingOccurrences(of: "\r\n", with: "\n")
        var errors: [String] = []
        if c.authorName.isEmpty { errors.append("The name cannot be empty.") }
        if c.source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { errors.append("The comment cannot be empty.") }
        if !c.authorURL.isEmpty && !Self.isWebURL(c.authorURL) { errors.append("The website must be an http or https address.") }
        if !errors.isEmpty { throw CommentEditRejection(messages: errors, typed: c) }
        c.contentHTML = ContentRenderer.comment(c.source)
        try await changes.commit(siteID: siteID, .comments(onPosts: [c.postID])) { [store, c] in try await store.updateComment(c) }
        return c
    }

    /// Deletes every comment of a site in spam or trash for good.
    public func empty(_ status: CommentStatus, siteID: Int64) async throws {
        guard status == .spam || status == .trash else { throw SettingError("only spam and trash can be emptied") }
        try await changes.commit { [store] in
            let posts = try await store.deleteComments(siteID: siteID, status: status)
            return ((), posts.isEmpty ? [] : [(siteID, .comments(onPosts: Set(posts)))])
        }
    }

    /// The fields trimmed and normalised, or every problem with them at once as a `CommentRejection`.
    func checkFields(_ s: CommentSubmission, site: Site, postID: Int64?) async throws -> (name: String, email: String, url: String, text: String) {
        let name = s.authorName.trimmingCharacters(in: .whitespacesAndNewlines)
        let email = s.email.trimmingCharacters(in: .whitespacesAndNewlines)
        var url = s.url.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = Self.trimmed(Self.unixNewlines(s.text))
        var problems: [String] = []
        if name.isEmpty { problems.append("Please enter your name.") }
        if name.count > Self.maxNameLength { problems.append("Your name is longer than \(Self.maxNameLength) characters.") }
        // A signed-in reader is known by their account; an address is kept only when their sign-in verified one.
        if email.isEmpty && s.type == .comment && s.readerID == nil {
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
            if parent == nil || parent?.postID != postID || parent?.status != .approved {
                problems.append("The comment you are replying to does not exist on this post.")
            }
        }
        if !problems.isEmpty { throw CommentRejection(problems) }
        return (name, email, url, text)
    }

    /// Whitespace trimmed in Swift: Foundation's trimming copies the text through UTF-16 on Linux, which made a
    /// 60 KB comment in a non-Latin script cost tens of milliseconds.
    static func trimmed(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(text[first...last])
    }

    /// CRLF and lone CR become LF; text without a CR is returned as it is.
    static func unixNewlines(_ text: String) -> String {
        guard text.utf8.contains(13) else { return text }
        var out = String.UnicodeScalarView()
        var previousCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                out.append("\n")
                previousCR = true
                continue
            }
            if !(scalar == "\n" && previousCR) { out.append(scalar) }
            previousCR = false
        }
        return String(out)
    }

    package static func isWebURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return false }
        return !text.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" })
    }

    /// WordPress's two comment mails, queued in the write's transaction: every moderator is told of a comment held
    /// for moderation (`moderation_notify`), and a post's author of a comment on it once it is approved
    /// (`comments_notify`); nobody is told of their own comment, and spam tells nobody.
    func notify(about comment: Comment, on post: Post, site: Site, approved: Bool) async throws {
        if approved { try await follows.commentApproved(comment) }
        let settings = site.settings
        let heldNotice = comment.status == .pending && settings.moderationNotify
        let authorNotice = approved && comment.status == .approved && settings.commentsNotify
        guard heldNotice || authorNotice else { return }
        let wrote = comment.authorEmail.lowercased()
        func line(_ text: String) -> String { text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ") }
        let title = post.title.isEmpty ? "(no title)" : line(post.title)
        let siteTitle = line(settings.title)
        let links = SiteLinks(base: config.base(of: site), settings: settings)
        let postURL = try await PostURLs(store: store).canonical(post, site: site, links: links)
        let who = comment.authorName + (comment.authorURL.isEmpty ? "" : " (\(comment.authorURL))")
        let kind = comment.type == .comment ? "comment" : comment.type.rawValue
        if heldNotice {
            for (user, role) in try await store.members(siteID: site.id)
            where role.can(.moderateComments) && user.active && user.email.lowercased() != wrote && user.id != comment.userID {
                try await mail.enqueue(
                    to: user.email, subject: "[\(siteTitle)] Please moderate: “\(title)”",
                    body: """
                        A new \(kind) on the post “\(title)” is waiting for your approval.
                        \(postURL)

                        Author: \(who)
                        Comment:
                        \(comment.source)

                        Approve it, mark it as spam or trash it: \(links.admin(.comments(.pending)))

                        """, siteID: site.id)
            }
        }
        if authorNotice, let author = try await store.user(id: post.authorID), author.active, author.email.lowercased() != wrote,
            author.id != comment.userID
        {
            try await mail.enqueue(
                to: author.email, subject: "[\(siteTitle)] Comment: “\(title)”",
                body: """
                    New \(kind) on your post “\(title)”.

                    Author: \(who)
                    Comment:
                    \(comment.source)

                    All the comments on this post: \(postURL)#comments

                    """, siteID: site.id)
        }
    }
}
