import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation

/// A single post or page with its comment thread and form.
struct PostController: Sendable {
    let store: SQLStore
    let theme: Theme
    let views: ViewFactory

    /// The post a route names and its canonical URL, or nil when there is none a reader may see.
    func resolve(_ route: SiteRoute, _ r: SiteRequest) async throws -> (Post, String)? {
        let post: Post?
        switch route {
        case .post(let match, _):
            if let id = match.postID {
                post = try await store.post(id: id, siteID: r.site.id, reading: .forDisplay)
            } else if let slug = match.postname {
                post = try await store.post(slug: slug.lowercased(), type: .post, siteID: r.site.id, reading: .forDisplay)
            } else {
                post = nil
            }
            guard let post, post.type == .post else { return nil }
            // Date parts in the link must agree with the post, or it is some other URL.
            if let y = match.year, y != component(.year, post, r) { return nil }
            if let m = match.month, m != component(.month, post, r) { return nil }
            if let d = match.day, d != component(.day, post, r) { return nil }
        case .page(let path):
            guard let slug = path.last?.lowercased() else { return nil }
            guard let page = try await store.post(slug: slug, type: .page, siteID: r.site.id, reading: .forDisplay) else { return nil }
            post = page
        default:
            return nil
        }
        guard let post, post.isVisible(at: r.now) else { return nil }
        return (post, try await canonicalURL(post, r))
    }

    func canonicalURL(_ post: Post, _ r: SiteRequest) async throws -> String {
        try await PostURLs(store: store).canonical(post, site: r.site, links: r.links)
    }

    private func component(_ c: Calendar.Component, _ post: Post, _ r: SiteRequest) -> Int {
        let calendar = TimeZones.calendar(r.site.settings.timeZone)
        return calendar.component(c, from: post.publishedAt)
    }

    /// Renders the page; `form` carries back what a commenter typed when their comment was refused, and `formShownAt`
    /// when they first saw the form, so sending it again is not mistaken for a machine's speed.
    func render(
        _ post: Post, canonical: String, _ r: SiteRequest, form: CommentForm? = nil, status: HTTPStatusCode = 200, formShownAt: Date? = nil
    ) async throws -> PageResult {
        async let termsQuery = store.terms(postIDs: [post.id])
        async let authorQuery = store.user(id: post.authorID)
        async let commentsQuery = store.comments(
            postID: post.id, statuses: r.ownPendingComments.isEmpty ? [.approved] : [.approved, .pending, .spam], forDisplay: true)
        let (termsByPost, author, comments) = try await (termsQuery, authorQuery, commentsQuery)
        // Most posts have no Webmentions: their rows are read only when a comment needs them.
        let mentionRows = comments.contains { $0.type == .webmention } ? try await store.webmentions(postID: post.id) : []
        let terms = termsByPost[post.id] ?? []
        let paths = try await views.categoryPaths(r.site.id, needed: terms)
        var view = views.postView(post, r, terms: terms, author: author, categoryPaths: paths, url: canonical)
        view.contentHTML = try await ResponsiveImages(store: store).apply(view.contentHTML, siteID: r.site.id, base: r.links.base)
        // Most posts have none: read with the post, and only a post that names one looks for it.
        let featured =
            view.passwordRequired || post.featuredMediaID == nil
            ? nil : FeaturedImage(try await store.featuredMedia(postID: post.id, siteID: r.site.id), base: r.links.base)
        view.featuredImageHTML = featured?.html ?? ""
        let settings = r.site.settings
        let locked = view.passwordRequired
        let mentions = LinkbackViewFactory.byComment(mentionRows)
        let thread = CommentThread(
            maxDepth: settings.threadDepth, newestFirst: settings.commentOrderNewestFirst, postAuthorID: post.authorID,
            postAuthorEmail: author?.email ?? "", postURL: canonical,
            dateFormat: settings.formatter("\(settings.dateFormat) \\a\\t \(settings.timeFormat)"),
            ownPending: r.ownPendingComments, faces: Faces(r), mentions: mentions,
            readerFaces: try await ReaderFaces.forComments(on: post.id, comments, store: store, r).merging(
                try await FediverseFaces.forComments(comments, store: store, r)
            ) { reader, _ in reader })
        let visibleComments = locked ? [] : comments.filter { $0.status == .approved || r.ownPendingComments.contains($0.id) }
        let linkbacks = LinkbackViewFactory.listed(visibleComments, mentions: mentions, settings: settings)
        let reactions = LinkbackViewFactory.reactions(visibleComments, mentions: mentions, faces: Faces(r))
        let tree = thread.tree(visibleComments)
        var theForm =
            form ?? CommentForm(actionURL: r.links.commentSubmit, postID: post.id, token: "", isOpen: false, maxLength: settings.commentMaxLength)
        theForm.actionURL = r.links.commentSubmit
        theForm.postID = post.id
        // Minted per response by the web app, cached pages included: see FormToken and PageHoles.
        theForm.token = PageHole.marker("form-token", post.id)
        // A refused form on a locked post comes back too (with what was typed), still without the thread.
        let showForm = !locked || form != nil
        theForm.isOpen = post.commentStatus == .open && showForm
        theForm.maxLength = settings.commentMaxLength
        // Per reader, so a hole filled per response; a form sent back refused is this visitor's alone, with what they typed.
        if form != nil {
            let postPath = canonical.hasPrefix(r.links.base) ? String(canonical.dropFirst(r.links.base.count)) : "/"
            theForm.identity = ReaderHoles.commentIdentity(
                r.reader, postPath + "#respond", ReaderHoles.Context(r),
                typed: ReaderHoles.Typed(name: theForm.name, email: theForm.email, website: theForm.website))
        } else {
            theForm.identity = PageHole.marker(ReaderHoles.commentIdentityHole, post.id)
        }
        if form == nil, let replyTo = r.query["replytocom"].flatMap(Int64.init),
            let parent = visibleComments.first(where: { $0.id == replyTo && $0.status == .approved })
        {
            theForm.parentID = parent.id
            theForm.replyingTo = parent.authorName
            theForm.cancelReplyURL = canonical + "#respond"
        }
        if let parentID = theForm.parentID, theForm.replyingTo.isEmpty,
            let parent = visibleComments.first(where: { $0.id == parentID })
        {
            theForm.replyingTo = parent.authorName
            theForm.cancelReplyURL = canonical + "#respond"
        }
        let count = post.commentCount
        var chrome = views.chrome(
            r, title: post.title.isEmpty ? "(untitled)" : post.title, canonical: canonical,
            description: locked ? "" : (post.excerpt.isEmpty ? PlainText.fromHTML(post.contentHTML, maxWords: 30) : post.excerpt),
            ogType: "article",
            extraFeeds: [FeedLink(title: "\(settings.title) » \(post.title) Comments Feed", url: canonical + "feed/", type: "application/rss+xml")],
            noindex: !post.password.isEmpty)
        chrome.adminBar = ViewFactory.adminBar(r, post: post)
        if let featured { chrome.extraHead += featured.openGraph }
        chrome.menu = try await views.menu(r)
        // Who is reading, on the pages readers act on (its comment form): a hole, so the page stays cached for all. Pages
        // without holes keep their validators.
        if theForm.isOpen && settings.readersEnabled {
            let postPath = canonical.hasPrefix(r.links.base) ? String(canonical.dropFirst(r.links.base.count)) : "/"
            chrome.readerBar =
                form == nil ? PageHole.marker(ReaderHoles.readerBarHole) : ReaderHoles.readerBar(r.reader, postPath, ReaderHoles.Context(r))
        }
        // Read once for the fediverse line and the likes.
        let fediverseReactions = r.site.settings.fediverseEnabled ? try await store.reactionCounts(postID: post.id) : [:]
        let fediverse = try await views.fediverseLine(post, r, reactions: fediverseReactions)
        if fediverse != nil { chrome.extraHead += ViewFactory.activityAlternate(FediverseIDs(site: r.site).object(post.id)) }
        let (previous, next) = try await views.neighbours(of: post, r)
        var page = PostPage(
            chrome: chrome, post: view, commentsHeading: count > 0 && !locked ? ViewFactory.countText(count) : "",
            comments: tree, linkbacks: linkbacks, form: theForm, likesText: "",
            showDiscussion: showForm && (post.type == .post || post.commentStatus == .open || count > 0), previous: previous, next: next,
            reactions: reactions)
        page.commentsHTML = theme.renderComments(tree)
        page.fediverse = fediverse
        page.follows = FollowController.box(post, r)
        page.likes = try await FediverseLikes.merge(
            try await LikeButton.view(post, r, store: store), post, r, likes: fediverseReactions[.like] ?? 0, store: store)
        let html = theme.render(page, template: post.type == .page && theme.hasTemplate("page") ? "page" : "post") ?? ""
        let body = locked ? Self.injectPasswordForm(html, post: post, r: r) : html
        // A page with a refused form or the visitor's own held comments is theirs alone: never cached.
        let personal = form != nil || !r.ownPendingComments.isEmpty || r.query["replytocom"] != nil || !post.password.isEmpty
        let slot = FormSlot(postID: post.id, shownAt: formShownAt)
        return .html(status: .init(code: status), body: body, scopes: [.post(post.id), .navigation], cacheable: !personal, form: slot)
    }

    /// Protected posts show a password form where the content would be.
    static func injectPasswordForm(_ html: String, post: Post, r: SiteRequest) -> String {
        let form = """
            <form class="post-password-form" action="\(r.links.base)/wp-login.php?action=postpass" method="post">
            <p>This content is password protected. To view it please enter your password below:</p>
            <p><label for="pwbox-\(post.id)">Password</label> <input name="post_password" id="pwbox-\(post.id)" type="password" size="20">
            <input type="hidden" name="post_id" value="\(post.id)">
            <button type="submit">Enter</button></p>
            </form>
            """
        return html.replacingOccurrences(
            of: "<div class=\"entry-content e-content\"></div>", with: "<div class=\"entry-content e-content\">\(form)</div>")
    }
}

typealias HTTPStatusCode = Int
