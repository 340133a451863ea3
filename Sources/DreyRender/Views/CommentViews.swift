import Mustache

/// One comment of the thread, with its replies.
///
/// Compared field by field (`FragmentMemo` keys a rendered thread by it), but hashed by a few fields: hashing every
/// reply's text again at each level of a thread made a long thread's lookups grow with its depth. Equal views still
/// hash alike, as `Hashable` requires.
public struct CommentView: Sendable, Hashable, MustacheParent {
    public var id: Int64
    public var authorName: String
    public var authorURL: String
    public var avatarURL: String
    public var dateText: String
    public var isoDate: String
    public var contentHTML: String
    public var byPostAuthor: Bool
    public var awaitingModeration: Bool
    public var replyURL: String
    public var canReply: Bool
    public var depth: Int
    public var replies: [CommentView]
    /// For a reply made on another site (a Webmention): the page it was written on.
    public var sourceURL: String

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(depth)
        hasher.combine(contentHTML.utf8.count)
        hasher.combine(awaitingModeration)
        hasher.combine(replies.count)
        for reply in replies { hasher.combine(reply.id) }
    }

    public init(
        id: Int64, authorName: String, authorURL: String, avatarURL: String, dateText: String, isoDate: String,
        contentHTML: String, byPostAuthor: Bool, awaitingModeration: Bool, replyURL: String, canReply: Bool,
        depth: Int, replies: [CommentView], sourceURL: String = ""
    ) {
        self.sourceURL = sourceURL
        self.id = id
        self.authorName = authorName
        self.authorURL = authorURL
        self.avatarURL = avatarURL
        self.dateText = dateText
        self.isoDate = isoDate
        self.contentHTML = contentHTML
        self.byPostAuthor = byPostAuthor
        self.awaitingModeration = awaitingModeration
        self.replyURL = replyURL
        self.canReply = canReply
        self.depth = depth
        self.replies = replies
    }

    /// Roughly what the view holds in memory, its replies included (what `FragmentMemo` counts for its key).
    var weight: Int {
        [authorName, authorURL, avatarURL, dateText, isoDate, contentHTML, replyURL, sourceURL].reduce(128) { $0 + $1.utf8.count }
            + replies.reduce(0) { $0 + $1.weight }
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "id": return String(id)
        case "authorName": return authorName.isEmpty ? "Anonymous" : authorName
        case "authorURL": return nonEmpty(authorURL)
        case "avatarURL": return avatarURL
        case "dateText": return dateText
        case "isoDate": return isoDate
        case "contentHTML": return contentHTML
        case "byPostAuthor": return byPostAuthor
        case "awaitingModeration": return awaitingModeration
        case "replyURL": return replyURL
        case "canReply": return canReply
        case "depth": return String(depth)
        case "replies": return replies
        case "hasReplies": return !replies.isEmpty
        case "sourceURL": return nonEmpty(sourceURL)
        case "sourceHost": return nonEmpty(sourceURL.split(separator: "/").dropFirst().first.map(String.init) ?? "")
        default: return nil
        }
    }
}

/// A pingback, trackback or webmention, shown apart from the conversation.
public struct LinkbackView: Sendable, MustacheParent {
    public var id: Int64
    public var kindLabel: String
    public var title: String
    public var url: String
    public var excerptHTML: String
    public var dateText: String

    public init(id: Int64, kindLabel: String, title: String, url: String, excerptHTML: String, dateText: String) {
        self.id = id
        self.kindLabel = kindLabel
        self.title = title
        self.url = url
        self.excerptHTML = excerptHTML
        self.dateText = dateText
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "id": return String(id)
        case "kindLabel": return kindLabel
        case "title": return title.isEmpty ? url : title
        case "url": return nonEmpty(url)
        case "excerptHTML": return nonEmpty(excerptHTML)
        case "dateText": return dateText
        default: return nil
        }
    }
}

/// The comment form, carrying back what the person typed when something was wrong.
public struct CommentForm: Sendable, MustacheParent {
    public var actionURL: String
    public var postID: Int64
    public var parentID: Int64?
    public var replyingTo: String
    public var cancelReplyURL: String
    public var name: String
    public var email: String
    public var website: String
    public var text: String
    public var errors: [String]
    public var token: String
    public var isOpen: Bool
    public var maxLength: Int
    /// Who is commenting, as escaped HTML: the guest's fields, or the signed-in reader's account (or its placeholder on
    /// a cached page).
    public var identity: String = ""

    public init(
        actionURL: String, postID: Int64, parentID: Int64? = nil, replyingTo: String = "", cancelReplyURL: String = "",
        name: String = "", email: String = "", website: String = "", text: String = "", errors: [String] = [],
        token: String, isOpen: Bool, maxLength: Int
    ) {
        self.actionURL = actionURL
        self.postID = postID
        self.parentID = parentID
        self.replyingTo = replyingTo
        self.cancelReplyURL = cancelReplyURL
        self.name = name
        self.email = email
        self.website = website
        self.text = text
        self.errors = errors
        self.token = token
        self.isOpen = isOpen
        self.maxLength = maxLength
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "actionURL": return actionURL
        case "postID": return String(postID)
        case "parentID": return parentID.map(String.init) ?? "0"
        case "replyingTo": return nonEmpty(replyingTo)
        case "cancelReplyURL": return cancelReplyURL
        case "name": return self.name
        case "email": return email
        case "website": return website
        case "text": return text
        case "errors": return errors
        case "hasErrors": return !errors.isEmpty
        case "token": return token
        case "isOpen": return isOpen
        case "maxLength": return String(maxLength)
        case "identity": return identity
        default: return nil
        }
    }
}

/// A single post or page with its thread.
public struct PostPage: Sendable, MustacheParent {
    public var chrome: Chrome
    public var post: PostView
    public var commentsHeading: String
    public var comments: [CommentView]
    public var linkbacks: [LinkbackView]
    public var form: CommentForm
    public var likesText: String
    public var showDiscussion: Bool
    public var previous: TermLink?
    public var next: TermLink?
    /// Likes and reposts from other sites.
    public var reactions: ReactionsView
    /// "N people follow this blog on the fediverse" with the handle, and the post's likes and boosts from there.
    public var fediverse: FediverseLine? = nil
    /// Following by email, and readers' likes; nil when the site turned them off.
    public var follows: FollowBox? = nil
    public var likes: LikesView? = nil
    /// The thread rendered through the theme's `comment` partial, one top-level comment after another
    /// (`Theme.renderComments`); themes may show `{{{commentsHTML}}}` or loop over `comments` themselves.
    public var commentsHTML: String = ""

    public init(
        chrome: Chrome, post: PostView, commentsHeading: String, comments: [CommentView], linkbacks: [LinkbackView],
        form: CommentForm, likesText: String, showDiscussion: Bool, previous: TermLink? = nil, next: TermLink? = nil,
        reactions: ReactionsView = ReactionsView()
    ) {
        self.reactions = reactions
        self.chrome = chrome
        self.post = post
        self.commentsHeading = commentsHeading
        self.comments = comments
        self.linkbacks = linkbacks
        self.form = form
        self.likesText = likesText
        self.showDiscussion = showDiscussion
        self.previous = previous
        self.next = next
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "chrome": return chrome
        case "post": return post
        case "commentsHeading": return nonEmpty(commentsHeading)
        case "comments": return comments
        case "hasComments": return !comments.isEmpty
        case "commentsHTML": return commentsHTML
        case "linkbacks": return linkbacks
        case "hasLinkbacks": return !linkbacks.isEmpty
        case "form": return form
        case "likesText": return nonEmpty(likesText)
        case "showDiscussion": return showDiscussion
        case "previous": return previous ?? false
        case "next": return next ?? false
        case "hasNeighbours": return previous != nil || next != nil
        case "reactions": return reactions
        case "fediverse": return fediverse ?? false
        case "follows": return follows ?? false
        case "likes": return likes ?? false
        default: return nil
        }
    }
}

/// The post page's line about the fediverse: who follows the blog there and how to, and what the post got there.
public struct FediverseLine: Sendable, MustacheParent {
    public var followersText: String
    public var handle: String
    public var reactionsText: String

    public init(followersText: String, handle: String, reactionsText: String) {
        self.followersText = followersText
        self.handle = handle
        self.reactionsText = reactionsText
    }

    /// Its stored properties, as reflection found them before (a renderer's `Mirror` walk on every name of the line).
    public func child(named name: String) -> Any? {
        switch name {
        case "followersText": return followersText
        case "handle": return handle
        case "reactionsText": return reactionsText
        default: return nil
        }
    }
}
