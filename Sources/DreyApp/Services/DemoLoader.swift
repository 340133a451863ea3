import DreyCore
import DreyStore
import Foundation

/// Loads `DemoContent` through the same services the web uses.
public struct DemoLoader: Sendable {
    let drey: Drey
    let siteID: Int64

    public init(drey: Drey, siteID: Int64) {
        self.drey = drey
        self.siteID = siteID
    }

    /// Returns a one-line summary of what was loaded.
    public func load(ifEmpty: Bool = false) async throws -> String {
        var any = PostQuery(siteID: siteID)
        any.statuses = PostStatus.allCases
        let existing = try await drey.store.count(any)
        if ifEmpty && existing > 0 { return "the site already has \(existing) posts; demo not loaded" }
        let blog = DemoContent.make()
        try await drey.siteService.set([.title: blog.title, .tagline: blog.tagline], siteID: siteID)
        var authors: [String: User] = [:]
        for a in blog.authors {
            let role = Role(rawValue: a.role) ?? .author
            authors[a.login] = try await drey.users.add(
                email: a.email, name: a.displayName, login: a.login, role: role, password: nil, siteID: siteID)
        }
        var commentCount = 0
        for demoPost in blog.posts {
            guard let author = authors[demoPost.authorLogin] ?? authors.values.first else { continue }
            var input = PostInput(title: demoPost.title, source: demoPost.markdown, authorID: author.id)
            input.slug = demoPost.slug
            input.publishedAt = demoPost.published
            input.categories = demoPost.categories
            input.tags = demoPost.tags
            input.sticky = demoPost.sticky
            let post = try await drey.posts.create(input, siteID: siteID)
            var ids: [Int64] = []
            for c in demoPost.comments {
                var s = CommentSubmission(
                    postID: post.id, parentID: c.parent.flatMap { $0 < ids.count ? ids[$0] : nil }, authorName: c.authorName,
                    email: c.email, url: c.url ?? "", text: c.text)
                s.createdAt = demoPost.published.addingTimeInterval(TimeInterval(c.minutesAfterPost * 60))
                switch c.kind {
                case .comment: s.forcedStatus = .approved
                case .pingback:
                    s.forcedStatus = .approved
                    s.type = .pingback
                case .spam: s.forcedStatus = .spam
                }
                if c.byPostAuthor {
                    s.userID = author.id
                    s.email = author.email
                }
                s.ip = "192.0.2.\(ids.count % 250 + 1)"
                let comment = try await drey.comments.submit(s, siteID: siteID)
                ids.append(comment.id)
                commentCount += 1
            }
        }
        return "demo blog loaded: \(blog.posts.count) posts, \(commentCount) comments and linkbacks, \(authors.count) authors"
    }
}
