/// WordPress's five roles, from most to least trusted.
public enum Role: String, Sendable, CaseIterable, Codable {
    case administrator, editor, author, contributor, subscriber

    /// The capabilities WordPress grants this role by default.
    public var capabilities: Set<Capability> {
        switch self {
        case .subscriber:
            return [.read]
        case .contributor:
            return [.read, .editPosts]
        case .author:
            return [.read, .editPosts, .publishPosts, .deletePosts, .uploadFiles, .editPublishedPosts]
        case .editor:
            return Role.author.capabilities.union([
                .editOthersPosts, .publishPages, .editPages, .editOthersPages, .moderateComments,
                .manageCategories, .readPrivatePosts, .unfilteredHTML,
            ])
        case .administrator:
            return Role.editor.capabilities.union([.manageOptions, .listUsers, .promoteUsers, .editUsers, .switchThemes])
        }
    }

    public func can(_ capability: Capability) -> Bool { capabilities.contains(capability) }
}

/// The capabilities that gate actions; names follow WordPress's so operators recognise them.
public enum Capability: String, Sendable, CaseIterable, Codable {
    case read
    case editPosts = "edit_posts"
    case editPublishedPosts = "edit_published_posts"
    case editOthersPosts = "edit_others_posts"
    case publishPosts = "publish_posts"
    case deletePosts = "delete_posts"
    case editPages = "edit_pages"
    case editOthersPages = "edit_others_pages"
    case publishPages = "publish_pages"
    case readPrivatePosts = "read_private_posts"
    case moderateComments = "moderate_comments"
    case manageCategories = "manage_categories"
    case uploadFiles = "upload_files"
    case unfilteredHTML = "unfiltered_html"
    case manageOptions = "manage_options"
    case listUsers = "list_users"
    case promoteUsers = "promote_users"
    case editUsers = "edit_users"
    case switchThemes = "switch_themes"
}

/// Rules that depend on more than the role alone (ownership of a post).
public enum Authorization {
    /// Whether `role` held by `userID` may edit `post` (WordPress's `edit_post` meta capability).
    public static func canEdit(_ post: Post, as userID: Int64, role: Role) -> Bool {
        let isOwn = post.authorID == userID
        if post.type == .page {
            return role.can(.editOthersPages) || (isOwn && role.can(.editPages))
        }
        if !isOwn { return role.can(.editOthersPosts) }
        if post.status == .publish || post.status == .future { return role.can(.editPublishedPosts) }
        return role.can(.editPosts)
    }

    /// Whether `role` may set a post to a status that makes it public or scheduled.
    public static func canPublish(type: PostType, role: Role) -> Bool {
        type == .page ? role.can(.publishPages) : role.can(.publishPosts)
    }
}
