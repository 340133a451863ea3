import DreyApp
import DreyCore
import DreyRender
import Hummingbird

extension WebApp {
    /// The staff member a request's session cookie names, for the admin bar on public pages. A page made for them is
    /// never cached: a session cookie sends the request past the page cache, so readers never see their bar.
    func staffMember(_ request: Request, site: Site) async throws -> StaffMember? {
        guard let token = request.cookie(Self.sessionCookie), let (user, _) = try await admin.auth.user(sessionToken: token),
            let role = try await drey.store.role(userID: user.id, siteID: site.id), role != .subscriber
        else { return nil }
        return StaffMember(user: user, role: role)
    }
}

extension ViewFactory {
    /// The admin bar for `r`'s staff member; `post` adds "Edit" when they may edit it.
    static func adminBar(_ r: SiteRequest, post: Post? = nil) -> AdminBarView? {
        guard let staff = r.staff else { return nil }
        var bar = AdminBarView(name: staff.user.displayName, dashboardURL: r.links.admin(.dashboard))
        if staff.role.can(.editPosts) { bar.newPostURL = r.links.admin(.newPost(.post)) }
        if let post, Authorization.canEdit(post, as: staff.user.id, role: staff.role) {
            bar.editURL = r.links.admin(.editPost(post.id))
            bar.editLabel = post.type == .page ? "Edit page" : "Edit post"
        }
        return bar
    }
}
