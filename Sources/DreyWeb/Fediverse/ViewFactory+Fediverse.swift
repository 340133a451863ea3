import DreyApp
import DreyCore
import DreyRender
import Foundation

extension ViewFactory {
    /// `<link rel="alternate">` to the ActivityStreams version of a page, for fediverse servers looking a URL up.
    static func activityAlternate(_ href: String) -> String {
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"\(ResponsiveImages.escape(href))\">\n"
    }

    /// The post page's fediverse line; nil when the blog is not on the fediverse or the post is not shown there.
    /// `counts` are the post's reactions from there (`reactionCounts`).
    func fediverseLine(_ post: Post, _ r: SiteRequest, reactions counts: [ReactionKind: Int]) async throws -> FediverseLine? {
        let settings = r.site.settings
        guard settings.fediverseEnabled, post.type == .post, post.password.isEmpty else { return nil }
        let followers = try await store.followerCount(siteID: r.site.id, actor: .blog)
        func n(_ count: Int, _ one: String, _ many: String) -> String { count == 1 ? "1 \(one)" : "\(count) \(many)" }
        var reactions: [String] = []
        // With likes on, fediverse likes are among the readers' faces (`FediverseLikes`).
        if !settings.likesEnabled, let likes = counts[.like], likes > 0 { reactions.append(n(likes, "like", "likes")) }
        if let boosts = counts[.announce], boosts > 0 { reactions.append(n(boosts, "boost", "boosts")) }
        let people = followers == 1 ? "1 person follows" : "\(followers) people follow"
        return FediverseLine(
            followersText: "\(people) this blog on the fediverse:",
            handle: "@\(settings.fediverseBlogName)@\(FediverseIDs(site: r.site).domain)",
            reactionsText: reactions.isEmpty ? "" : reactions.joined(separator: " and ") + " from the fediverse.")
    }
}
