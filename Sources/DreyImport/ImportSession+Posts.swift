import DreyCore
import DreyRender
import DreyStore
import Foundation

extension ImportSession {
    /// Meta keys Drey writes on export so a round trip through WXR loses nothing of its own.
    static let markdownMeta = "_drey_markdown"
    static let typographyMeta = "_drey_typography"

    func importPost(_ item: WXRItem, type: PostType, kind: ImportSummary.Kind) async throws {
        summary[kind].inFile += 1
        summary.statuses["\(type.rawValue)/\(item.status.isEmpty ? "(none)" : item.status)", default: 0] += 1
        if type == .post && item.isSticky { summary.sticky += 1 }
        if !item.password.isEmpty { summary.passwordProtected += 1 }
        guard let status = ImportMapping.postStatus(item.status) else {
            let reason = item.status == "auto-draft" ? "auto-drafts are never shown by WordPress" : "status “\(item.status)” is not a post status"
            summary.skip(kind, reason)
            skipComments(of: item, reason: "on an item that was not imported")
            return
        }
        // Items without an ID get one from their line, so a re-run of the same file still finds them.
        let wpID = item.id ?? -Int64(item.line)
        if let existing = existingPostsByWPID[wpID] ?? (item.guid.isEmpty ? nil : existingPostsByGUID[item.guid]) {
            summary[kind].existing += 1
            postIDsByWPID[wpID] = existing
            let published = WXRDates.utc(item.dateGMT) ?? WXRDates.local(item.date, timeZone: options.timeZone) ?? options.now
            try await queueComments(of: item, postID: existing, postDate: published, existed: true)
            return
        }
        let authorID = try await author(of: item)
        let published = date(gmt: item.dateGMT, local: item.date, rss: item.pubDate, label: item.label, fallback: options.now)
        let modified = WXRDates.utc(item.modifiedGMT) ?? WXRDates.local(item.modified, timeZone: options.timeZone) ?? published
        let slug = uniqueSlug(item, type: type, wpID: wpID)
        var format = SourceFormat.html
        var source = item.content
        if let markdown = item.meta(Self.markdownMeta) {
            format = .markdown
            source = markdown
        } else if let copier {
            source = try copier.rewrite(source)
        }
        let post = Post(
            siteID: writer.siteID, type: type, status: status, slug: slug, title: item.title, format: format, source: source,
            contentHTML: ContentRenderer.post(source, format: format), excerpt: item.excerpt, authorID: authorID,
            menuOrder: item.menuOrder, publishedAt: published, modifiedAt: modified, sticky: type == .post && item.isSticky,
            commentStatus: ImportMapping.openStatus(item.commentStatus), pingStatus: ImportMapping.openStatus(item.pingStatus),
            password: item.password, typography: Typography(storageString: item.meta(Self.typographyMeta) ?? ""),
            guid: item.guid, commentCount: Self.approvedCount(item))
        let id = try await writer.insertPost(post, wpID: wpID)
        summary[kind].imported += 1
        slugsTaken[type, default: []].insert(slug)
        postIDsByWPID[wpID] = id
        if item.parent != 0 { pendingPostParents.append(PendingParent(id: id, wpParent: item.parent, label: item.label)) }
        var termIDs: [Int64] = []
        var categorySlugs: Set<String> = []
        for ref in item.terms {
            if let termID = try await termID(for: ref, item: item) { termIDs.append(termID) }
            if ref.domain == "category" { categorySlugs.insert(ref.slug.lowercased()) }
        }
        pendingTermLinks += Set(termIDs).sorted().map { (id, $0) }
        if let path = ImportMapping.legacyPath(item.link) { legacyPaths.append((path, .post(id))) }
        if type == .post && status == .publish {
            permalinks.add(
                link: item.link, slug: item.name.lowercased(), wpID: item.id, localDate: item.date, categorySlugs: categorySlugs,
                authorLogin: item.creator)
        }
        if format == .html {
            noteMarkup(source)
            if source.contains("[gallery") { galleryPosts.append((id, wpID)) }
        }
        try await queueComments(of: item, postID: id, postDate: published, existed: false)
    }

    /// WordPress's slug when it is free (and one Drey can route), else the next free `slug-N`,
    /// with a warning naming the item; WordPress allows the same page slug under two parents.
    func uniqueSlug(_ item: WXRItem, type: PostType, wpID: Int64) -> String {
        let fallback = item.title.isEmpty ? "\(type.rawValue)-\(max(wpID, 0))" : item.title
        var base = ImportMapping.slug(item.name, fallback: fallback)
        if base.isEmpty { base = "\(type.rawValue)-\(abs(wpID))" }
        let taken = slugsTaken[type] ?? []
        guard taken.contains(base) else { return base }
        var n = 2
        while taken.contains("\(base)-\(n)") { n += 1 }
        let slug = "\(base)-\(n)"
        summary.warn("\(item.label): slug “\(base)” is already used by another \(type.rawValue); imported as “\(slug)”")
        return slug
    }

    /// Links pages to their parents and attachments to their posts, now that every item is known.
    func resolvePostParents() async throws {
        for pending in pendingPostParents {
            guard let parentID = postIDsByWPID[pending.wpParent], parentID != pending.id else {
                summary.warn("\(pending.label): its parent \(pending.wpParent) is not in the file; imported at the top level")
                continue
            }
            try await writer.setPostParent(postID: pending.id, parentID: parentID)
        }
        pendingPostParents = []
        for pending in pendingMediaParents {
            if let postID = postIDsByWPID[pending.wpParent] { try await writer.setMediaPost(mediaID: pending.id, postID: postID) }
        }
        pendingMediaParents = []
    }

    /// Renders posts with `[gallery]` again now that every attachment has been read.
    func renderGalleries() async throws {
        for (id, wpID) in galleryPosts {
            guard let post = try await writer.post(id: id) else { continue }
            let own = (imagesByParent[wpID] ?? []).sorted { ($0.order, $0.wpID) < ($1.order, $1.wpID) }.map(\.image)
            let media = ShortcodeMedia(byID: images, ofPost: own, isResolved: true)
            try await writer.setRenderedContent(postID: id, html: ContentRenderer.post(post.source, format: post.format, media: media))
        }
        galleryPosts = []
    }
}
