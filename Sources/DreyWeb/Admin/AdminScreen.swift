import DreyApp
import DreyCore
import DreyRender

/// The data of one admin screen's own template, read inside `{{#screen}}`; `template` names the file that reads it.
protocol AdminBody {
    static var template: String { get }
}

/// Where a screen sits in the navigation: the head marks that link as the current page.
enum AdminSection {
    case none, dashboard, posts, media, pages, categories, tags, comments, users, settings
    case readers
}

/// A screen on its way to the template: its title, its place in the navigation, the notices above it, and its body.
struct AdminPage<Body: AdminBody> {
    var title: String
    var section: AdminSection
    var body: Body
    var flash = ""
    var errors: [String] = []

    init(title: String, section: AdminSection, _ body: Body) {
        self.title = title
        self.section = section
        self.body = body
    }
}

/// What an admin template renders: the chrome the head and foot partials read, and `screen`, the page's own data.
/// Each template wraps its body in `{{#screen}}…{{/screen}}`, so a name resolves in the body first and then in the
/// chrome (`home`, `csrf`, `canModerate`…). Every value is a stored property: swift-mustache finds them by `Mirror`.
struct AdminScreen<Body: AdminBody> {
    let pageTitle: String
    let siteTitle: String
    let home: String
    let signedIn: Bool
    /// nil when there is none, so `{{#flash}}` is false; the chrome is the outermost context, so nothing else answers.
    let flash: String?
    let errors: [String]
    let hasErrors: Bool
    let csrf: String
    // The person and what they may do: empty and false on the pages a session is not checked for (sign-in, refusals).
    let userName: String
    let roleName: String
    let canModerate: Bool
    let canManageOptions: Bool
    let canListUsers: Bool
    let canManageCategories: Bool
    let canEditPages: Bool
    let canUpload: Bool
    let navDashboard: Bool
    let navPosts: Bool
    let navMedia: Bool
    let navPages: Bool
    let navCategories: Bool
    let navTags: Bool
    let navComments: Bool
    let navUsers: Bool
    let navSettings: Bool
    let navReaders: Bool
    let screen: Body

    /// `member` is the signed-in person and their role on the site, when the page shows the navigation they may use.
    init(_ page: AdminPage<Body>, _ r: SiteRequest, signedIn: Bool, csrf: String, member: (user: User, role: Role)?) {
        pageTitle = page.title
        siteTitle = r.site.settings.title
        home = r.links.base
        self.signedIn = signedIn
        flash = page.flash.isEmpty ? nil : page.flash
        errors = page.errors
        hasErrors = !page.errors.isEmpty
        self.csrf = csrf
        userName = member?.user.displayName ?? ""
        roleName = member?.role.rawValue.capitalized ?? ""
        let role = member?.role
        canModerate = role?.can(.moderateComments) ?? false
        canManageOptions = role?.can(.manageOptions) ?? false
        canListUsers = role?.can(.listUsers) ?? false
        canManageCategories = role?.can(.manageCategories) ?? false
        canEditPages = role?.can(.editPages) ?? false
        canUpload = role?.can(.uploadFiles) ?? false
        let section = member == nil ? AdminSection.none : page.section
        navDashboard = section == .dashboard
        navPosts = section == .posts
        navMedia = section == .media
        navPages = section == .pages
        navCategories = section == .categories
        navTags = section == .tags
        navComments = section == .comments
        navUsers = section == .users
        navSettings = section == .settings
        navReaders = section == .readers
        screen = page.body
    }
}

/// A status tab of a list (posts, comments) with its count.
struct AdminTab {
    let label: String
    let count: Int
    let url: String
    let current: Bool
}

/// One `<option>` of a select whose value is a word (a status, a role, a font, a language).
struct AdminOption {
    let value: String
    let label: String
    let selected: Bool
}

/// The body of the message page: a refusal, a missing page, an expired link.
struct MessageScreen: AdminBody {
    static let template = "message"
    let message: String
}
