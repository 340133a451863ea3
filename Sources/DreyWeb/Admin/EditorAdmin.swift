import DreyApp
import DreyCore
import DreyRender
import DreyStore
import Foundation

/// Writing and editing one post or page.
struct EditorAdmin {
    let controller: AdminController
    var store: SQLStore { controller.drey.store }

    func new(_ a: AdminRequest) async throws -> PageResult {
        let type = PostType(rawValue: a.r.query["type"] ?? "post") ?? .post
        guard a.can(type == .page ? .editPages : .editPosts) else { throw AdminRefusal.forbidden("write \(type.rawValue)s") }
        let draft = EditorForm(type: type, status: .draft, format: .markdown)
        return try await page(a, draft, post: nil)
    }

    func edit(_ a: AdminRequest, id: Int64) async throws -> PageResult {
        let post = try await load(a, id)
        let terms = try await store.terms(postIDs: [id])[id] ?? []
        var form = EditorForm(post: post, terms: terms, timeZone: a.r.site.settings.timeZone)
        form.flash = controller.flash(a)
        return try await page(a, form, post: post)
    }

    func load(_ a: AdminRequest, _ id: Int64) async throws -> Post {
        guard let post = try await store.post(id: id, siteID: a.r.site.id) else {
            throw AdminRefusal(status: 404, message: "There is no post with ID \(id).")
        }
        guard Authorization.canEdit(post, as: a.user.id, role: a.role) else { throw AdminRefusal.forbidden("edit “\(post.title)”") }
        return post
    }

    func save(_ a: AdminRequest, id: Int64?) async throws -> PageResult {
        var existing: Post? = nil
        if let id { existing = try await load(a, id) }
        var form = EditorForm(form: a.form)
        if let existing { form.type = existing.type }
        guard a.can(form.type == .page ? .editPages : .editPosts) else { throw AdminRefusal.forbidden("write \(form.type.rawValue)s") }
        if a.form["preview_only"] == "1" { return try await page(a, form, post: existing) }
        let settings = a.r.site.settings
        var problems: [String] = []
        if [.publish, .future, .private].contains(form.status), !Authorization.canPublish(type: form.type, role: a.role) {
            throw AdminRefusal.forbidden("publish \(form.type.rawValue)s; submit it for review instead")
        }
        if form.title.trimmingCharacters(in: .whitespaces).isEmpty && form.source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append("Write a title or some content first.")
        }
        var date: Date? = nil
        if !form.date.isEmpty {
            date = EditorForm.parseLocal(form.date, timeZone: settings.timeZone)
            if date == nil { problems.append("The publish date “\(form.date)” is not a date and time.") }
        }
        let now = controller.drey.config.clock.now()
        if form.status == .future {
            if let d = date, d <= now { problems.append("The scheduled date is in the past; choose a later time or publish now.") }
            if date == nil { problems.append("Choose the date and time to publish at.") }
        }
        if !form.slug.isEmpty {
            let slug = Slug.make(from: form.slug)
            if slug.isEmpty {
                problems.append("The slug must contain letters or digits.")
            } else if try await store.slugExists(slug, type: form.type, siteID: a.r.site.id, excluding: existing?.id) {
                problems.append("The slug “\(slug)” is already used by another \(form.type.rawValue); choose another.")
            }
        }
        if let existing, form.modified != EditorForm.stamp(existing.modifiedAt) {
            let who = try await store.revisions(postID: existing.id).first(where: { $0.kind == .revision })?.authorID
            var name = "Someone"
            if let who, let u = try await store.user(id: who) { name = u.displayName }
            problems.append(
                "\(name) saved this \(form.type.rawValue) while you were editing it. Your text is kept below: copy what you need, then reload to see their version."
            )
            form.conflict = true
        }
        let typography: Typography
        do {
            typography = try form.typography()
        } catch let error as SettingError {
            problems.append(error.message)
            typography = Typography()
        }
        if !form.newCategory.trimmingCharacters(in: .whitespaces).isEmpty, !a.can(.manageCategories) {
            // WordPress's manage_categories: a contributor or author picks from the categories there are.
            form.errors =
                problems + ["You are not allowed to create categories; choose from the list, or ask an editor to add “\(form.newCategory)”."]
            return try await page(a, form, post: existing, status: 403)
        }
        let featured = try await featuredChoice(a, problems: &problems)
        if !problems.isEmpty {
            form.errors = problems
            return try await page(a, form, post: existing, status: form.conflict ? 409 : 422)
        }
        var categoryNames = try await categoryNames(a, form)
        if form.type == .page { categoryNames = [] }
        var input = PostInput(title: form.title, source: form.source, authorID: existing?.authorID ?? a.user.id)
        input.type = form.type
        input.format = form.format
        input.status = form.status
        // No date given keeps the post's own (a draft's floats until it goes out): the post service's rule.
        input.publishedAt = date
        input.slug = form.slug.isEmpty ? nil : form.slug
        input.excerpt = form.excerpt
        input.categories = categoryNames
        input.tags = form.tags.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        // Sticking a post to the front page needs edit_others_posts, as in WordPress; without it the flag stays as it was.
        input.sticky = a.can(.editOthersPosts) ? form.sticky : (existing?.sticky ?? false)
        input.commentStatus = form.commentsOpen ? .open : .closed
        input.pingStatus = form.pingsOpen ? .open : .closed
        input.password = form.password
        input.typography = typography
        if form.type == .page {
            input.parentID = form.parentID == existing?.id ? nil : form.parentID
            input.menuOrder = Int(form.menuOrder) ?? 0
        }
        let saved: Post
        if let existing {
            saved = try await controller.drey.posts.update(existing.id, with: input, siteID: a.r.site.id)
        } else {
            saved = try await controller.drey.posts.create(input, siteID: a.r.site.id)
        }
        try await store.addRevision(of: saved, kind: .revision, by: a.user.id, at: now)
        if a.can(.uploadFiles), a.form["featured_media"] != nil {
            try await controller.drey.posts.setFeaturedMedia(featured, postID: saved.id, siteID: a.r.site.id)
        }
        let message =
            saved.status == .future
            ? "Scheduled." : (saved.status == .publish ? "Published." : (saved.status == .pending ? "Submitted for review." : "Saved."))
        return controller.done(a, .editPost(saved.id), message)
    }

    /// Category names for the checked boxes, plus one created on the fly.
    func categoryNames(_ a: AdminRequest, _ form: EditorForm) async throws -> [String] {
        let all = try await store.terms(siteID: a.r.site.id, taxonomy: .category)
        var names = all.filter { form.categoryIDs.contains($0.id) }.map(\.name)
        let newName = form.newCategory.trimmingCharacters(in: .whitespaces)
        if !newName.isEmpty {
            guard a.can(.manageCategories) else { throw AdminRefusal.forbidden("create categories") }
            let parent = form.newCategoryParent
            _ = try await controller.drey.posts.term(named: newName, taxonomy: .category, siteID: a.r.site.id, parentID: parent)
            names.append(newName)
        }
        return names
    }

    func preview(_ a: AdminRequest) async throws -> PageResult {
        let format = SourceFormat(rawValue: a.form["format"] ?? "markdown") ?? .markdown
        let html = ContentRenderer.post(a.form["source"] ?? "", format: format)
        return .personal(status: .ok, body: html)
    }

    func autosave(_ a: AdminRequest, id: Int64) async throws -> PageResult {
        var post = try await load(a, id)
        post.title = a.form["title"] ?? post.title
        post.source = a.form["source"] ?? post.source
        post.format = SourceFormat(rawValue: a.form["format"] ?? "") ?? post.format
        post.excerpt = a.form["excerpt"] ?? post.excerpt
        try await store.addRevision(of: post, kind: .autosave, by: a.user.id, at: controller.drey.config.clock.now())
        let time = PHPDateFormat("g:i:s a", timeZone: a.r.site.settings.timeZone).string(from: controller.drey.config.clock.now())
        return .personal(status: .ok, body: "{\"saved\":\"\(time)\"}", contentType: "application/json")
    }

    func revisions(_ a: AdminRequest, id: Int64) async throws -> PageResult {
        let post = try await load(a, id)
        let revisions = try await store.revisions(postID: id)
        let selected =
            a.r.query["revision"].flatMap(Int64.init).flatMap { r in revisions.first { $0.id == r } } ?? revisions.dropFirst().first
            ?? revisions.first
        let tz = a.r.site.settings.timeZone
        let authors = try await store.users(ids: revisions.compactMap(\.authorID))
        let rows = revisions.map { r in
            RevisionsScreen.Row(
                id: r.id, kind: r.kind == .autosave ? "Autosave" : "Revision",
                date: PHPDateFormat("F j, Y g:i:s a", timeZone: tz).string(from: r.createdAt),
                author: r.authorID.flatMap { authors[$0]?.displayName } ?? "—", selected: r.id == selected?.id)
        }
        let diff = selected.map { LineDiff.html(old: "\($0.title)\n\n\($0.source)", new: "\(post.title)\n\n\(post.source)") } ?? ""
        let page = AdminPage(
            title: "Revisions of “\(post.title)”", section: post.type == .page ? .pages : .posts,
            RevisionsScreen(postID: id, rows: rows, diff: diff, selectedID: selected.map { String($0.id) } ?? "", hasSelected: selected != nil))
        return .personal(status: .ok, body: controller.render(page, a))
    }

    func restore(_ a: AdminRequest, id: Int64) async throws -> PageResult {
        let post = try await load(a, id)
        guard let revisionID = a.form["revision"].flatMap(Int64.init),
            let revision = try await store.revisions(postID: id).first(where: { $0.id == revisionID })
        else { throw AdminRefusal(status: 404, message: "There is no such revision of this post.") }
        let terms = try await store.terms(postIDs: [id])[id] ?? []
        var input = PostInput(title: revision.title, source: revision.source, authorID: post.authorID)
        input.type = post.type
        input.format = revision.format
        input.excerpt = revision.excerpt
        input.status = post.status
        input.publishedAt = post.publishedAt
        input.categories = terms.filter { $0.taxonomy == .category }.map(\.name)
        input.tags = terms.filter { $0.taxonomy == .tag }.map(\.name)
        input.sticky = post.sticky
        input.commentStatus = post.commentStatus
        input.pingStatus = post.pingStatus
        input.password = post.password
        input.typography = post.typography
        let saved = try await controller.drey.posts.update(id, with: input, siteID: a.r.site.id)
        try await store.addRevision(of: saved, kind: .revision, by: a.user.id, at: controller.drey.config.clock.now())
        return controller.done(
            a, .editPost(id),
            "Restored the revision of \(PHPDateFormat("F j, Y g:i a", timeZone: a.r.site.settings.timeZone).string(from: revision.createdAt)).")
    }

    func page(_ a: AdminRequest, _ form: EditorForm, post: Post?, status: Int = 200) async throws -> PageResult {
        let categories = try await store.terms(siteID: a.r.site.id, taxonomy: .category)
        var pages: [Post] = []
        if form.type == .page {
            var q = PostQuery(siteID: a.r.site.id)
            q.type = .page
            q.statuses = [.publish, .draft, .private, .pending, .future]
            q.limit = 500
            pages = try await store.posts(q)
        }
        var viewURL: String? = nil
        if let post, post.status == .publish {
            let posts = PostController(store: store, theme: controller.views, views: ViewFactory(store: store, themeName: "default"))
            viewURL = try await posts.canonicalURL(post, a.r)
        }
        var screen = form.screen(
            canPublish: Authorization.canPublish(type: form.type, role: a.role), canStick: a.can(.editOthersPosts), categories: categories,
            pages: pages, post: post, viewURL: viewURL)
        screen.featuredChoices = try await featuredChoices(a, post: post)
        var page = AdminPage(
            title: post == nil ? "New \(form.type.rawValue)" : "Edit \(form.type.rawValue)", section: form.type == .page ? .pages : .posts, screen)
        page.errors = form.errors
        page.flash = form.flash
        return .personal(status: .init(code: status), body: controller.render(page, a))
    }
}

/// The saved versions of a post, and the changes from the selected one to the current text.
struct RevisionsScreen: AdminBody {
    static let template = "revisions"

    struct Row {
        let id: Int64
        /// "Revision" or "Autosave".
        let kind: String
        let date: String
        let author: String
        let selected: Bool
    }

    let postID: Int64
    let rows: [Row]
    /// The diff as HTML, escaped line by line by `LineDiff`.
    let diff: String
    let selectedID: String
    let hasSelected: Bool
}
