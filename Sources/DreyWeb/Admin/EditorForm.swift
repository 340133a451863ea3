import DreyApp
import DreyCore
import DreyRender
import Foundation

/// The editor's fields, as typed or as loaded; what goes back to the page when a save is refused.
struct EditorForm {
    var type: PostType = .post
    var title = ""
    var slug = ""
    var format: SourceFormat = .markdown
    var source = ""
    var excerpt = ""
    var status: PostStatus = .draft
    var date = ""
    var categoryIDs: Set<Int64> = []
    var newCategory = ""
    var newCategoryParent: Int64? = nil
    var tags = ""
    var sticky = false
    var commentsOpen = true
    var pingsOpen = true
    var password = ""
    var fontFamily = ""
    var fontSize = ""
    var lineHeight = ""
    var contentWidth = ""
    var modified = ""
    var parentID: Int64? = nil
    var menuOrder = "0"
    var errors: [String] = []
    var flash = ""
    var conflict = false

    init(type: PostType, status: PostStatus, format: SourceFormat) {
        self.type = type
        self.status = status
        self.format = format
    }

    init(post: Post, terms: [Term], timeZone: TimeZone) {
        type = post.type
        title = post.title
        slug = post.slug
        format = post.format
        source = post.source
        excerpt = post.excerpt
        status = post.status
        // A draft has no publication date yet: an empty field publishes it "now", as WordPress's editor does.
        date = post.status == .draft || post.status == .pending ? "" : Self.formatLocal(post.publishedAt, timeZone: timeZone)
        categoryIDs = Set(terms.filter { $0.taxonomy == .category }.map(\.id))
        tags = terms.filter { $0.taxonomy == .tag }.map(\.name).joined(separator: ", ")
        sticky = post.sticky
        commentsOpen = post.commentStatus == .open
        pingsOpen = post.pingStatus == .open
        password = post.password
        fontFamily = post.typography.fontFamily?.rawValue ?? ""
        fontSize = post.typography.fontSize.map(String.init) ?? ""
        lineHeight = post.typography.lineHeight.map { Typography.format($0) } ?? ""
        contentWidth = post.typography.contentWidth.map(String.init) ?? ""
        modified = Self.stamp(post.modifiedAt)
        parentID = post.parentID
        menuOrder = String(post.menuOrder)
    }

    init(form: FormData) {
        type = PostType(rawValue: form["type"] ?? "") ?? .post
        title = form["title"] ?? ""
        slug = form["slug"] ?? ""
        format = SourceFormat(rawValue: form["format"] ?? "") ?? .markdown
        source = (form["source"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        excerpt = form["excerpt"] ?? ""
        status = PostStatus(rawValue: form["status"] ?? "") ?? .draft
        if status == .trash { status = .draft }
        date = form["date"] ?? ""
        categoryIDs = Set(form.all("categories[]").compactMap(Int64.init))
        newCategory = form["new_category"] ?? ""
        newCategoryParent = form["new_category_parent"].flatMap(Int64.init)
        tags = form["tags"] ?? ""
        sticky = form["sticky"] == "1"
        commentsOpen = form["comment_status"] == "open"
        pingsOpen = form["ping_status"] == "open"
        password = form["post_password"] ?? ""
        fontFamily = form["font_family"] ?? ""
        fontSize = form["font_size"] ?? ""
        lineHeight = form["line_height"] ?? ""
        contentWidth = form["content_width"] ?? ""
        modified = form["modified"] ?? ""
        parentID = form["parent_id"].flatMap(Int64.init)
        menuOrder = form["menu_order"] ?? "0"
    }

    func typography() throws -> Typography {
        var t = Typography()
        if !fontFamily.isEmpty {
            guard let f = FontStack(rawValue: fontFamily) else { throw SettingError("Unknown font “\(fontFamily)”.") }
            t.fontFamily = f
        }
        if !fontSize.isEmpty { t.fontSize = try Typography.validateFontSize(fontSize) }
        if !lineHeight.isEmpty { t.lineHeight = try Typography.validateLineHeight(lineHeight) }
        if !contentWidth.isEmpty { t.contentWidth = try Typography.validateContentWidth(contentWidth) }
        return t
    }

    /// The editor's page for these fields; `post` is the saved post they edit (nil for a new one), `viewURL` its address once published.
    func screen(
        canPublish: Bool, canStick: Bool, categories: [Term], pages: [Post] = [], post: Post? = nil, viewURL: String? = nil
    ) -> EditorScreen {
        let parents = pages.filter { $0.id != post?.id }.map { EditorScreen.Parent(id: $0.id, title: $0.title, selected: $0.id == parentID) }
        let statuses: [PostStatus] = canPublish ? [.draft, .pending, .publish, .future, .private] : [.draft, .pending]
        let statusOptions = statuses.map { AdminOption(value: $0.rawValue, label: PostsAdmin.label($0), selected: $0 == status) }
        let categoryRows = Self.ordered(categories).map { term, depth in
            EditorScreen.Category(id: term.id, name: term.name, indent: Double(depth) * 1.25, checked: categoryIDs.contains(term.id))
        }
        let fonts =
            [AdminOption(value: "", label: "Site default", selected: fontFamily.isEmpty)]
            + FontStack.allCases.map { AdminOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == fontFamily) }
        return EditorScreen(
            type: type.rawValue, isPage: type == .page, isNew: post == nil, postID: post.map { String($0.id) } ?? "", viewURL: viewURL,
            title: title, slug: slug, source: source, excerpt: excerpt, isMarkdown: format == .markdown, isHTML: format == .html,
            previewHTML: ContentRenderer.post(source, format: format), statusOptions: statusOptions, date: date, canPublish: canPublish,
            canStick: canStick, sticky: sticky, commentsOpen: commentsOpen, pingsOpen: pingsOpen, password: password, parents: parents,
            menuOrder: menuOrder, categories: categoryRows, hasCategories: !categoryRows.isEmpty, newCategory: newCategory, tags: tags,
            fonts: fonts, fontSize: fontSize, lineHeight: lineHeight, contentWidth: contentWidth, modified: modified)
    }

    /// Categories in tree order with their depth, for the hierarchical picker.
    static func ordered(_ terms: [Term]) -> [(Term, Int)] {
        var out: [(Term, Int)] = []
        func walk(_ parent: Int64?, _ depth: Int) {
            for t in terms where t.parentID == parent && depth < 10 {
                out.append((t, depth))
                walk(t.id, depth + 1)
            }
        }
        walk(nil, 0)
        let placed = Set(out.map { $0.0.id })
        out += terms.filter { !placed.contains($0.id) }.map { ($0, 0) }  // orphans of a missing parent
        return out
    }

    /// A change token for optimistic locking: the modification time to the microsecond.
    static func stamp(_ date: Date) -> String { String(Int64((date.timeIntervalSince1970 * 1_000_000).rounded())) }

    static func formatLocal(_ date: Date, timeZone: TimeZone) -> String {
        PHPDateFormat("Y-m-d\\TH:i", timeZone: timeZone).string(from: date)
    }

    static func parseLocal(_ text: String, timeZone: TimeZone) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = timeZone
        f.isLenient = false
        for pattern in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"] {
            f.dateFormat = pattern
            if let d = f.date(from: text) { return d }
        }
        return nil
    }
}

/// The editor of one post or page, as typed or as loaded.
struct EditorScreen: AdminBody {
    static let template = "editor"

    /// An image of the site that can be the post's featured image.
    struct FeaturedChoice {
        let id: Int64
        let title: String
        let file: String
        let selected: Bool
    }

    /// A page that can be this page's parent.
    struct Parent {
        let id: Int64
        let title: String
        let selected: Bool
    }

    /// A category of the picker, indented by its depth in the tree.
    struct Category {
        let id: Int64
        let name: String
        /// Left margin in em.
        let indent: Double
        let checked: Bool
    }

    let type: String
    let isPage: Bool
    let isNew: Bool
    /// Empty for a new post: the form posts to `new` and autosave has nothing to save into yet.
    let postID: String
    let viewURL: String?
    let title: String
    let slug: String
    let source: String
    let excerpt: String
    let isMarkdown: Bool
    let isHTML: Bool
    let previewHTML: String
    let statusOptions: [AdminOption]
    let date: String
    let canPublish: Bool
    let canStick: Bool
    let sticky: Bool
    let commentsOpen: Bool
    let pingsOpen: Bool
    let password: String
    let parents: [Parent]
    /// Set after `screen(…)`: the images it may show, when the person may upload.
    var featuredChoices: [FeaturedChoice] = []
    let menuOrder: String
    let categories: [Category]
    let hasCategories: Bool
    let newCategory: String
    let tags: String
    let fonts: [AdminOption]
    let fontSize: String
    let lineHeight: String
    let contentWidth: String
    /// The change token of the version the form was loaded from.
    let modified: String
}

/// A line diff (longest common subsequence) as HTML, for comparing revisions.
enum LineDiff {
    static func html(old: String, new: String) -> String {
        let a = old.components(separatedBy: "\n")
        let b = new.components(separatedBy: "\n")
        guard a.count * b.count <= 4_000_000 else { return "<p>These versions are too long to compare line by line.</p>" }
        var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out = "<table class=\"diff\"><tbody>\n"
        var i = 0
        var j = 0
        func row(_ kind: String, _ sign: String, _ text: String) {
            out += "<tr class=\"\(kind)\"><td class=\"sign\">\(sign)</td><td><code>\(HTMLEscape.text(text))</code></td></tr>\n"
        }
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                row("same", "", a[i])
                i += 1
                j += 1
            } else if j < b.count, i == a.count || lcs[i][j + 1] >= lcs[i + 1][j] {
                row("added", "+", b[j])
                j += 1
            } else {
                row("removed", "−", a[i])
                i += 1
            }
        }
        return out + "</tbody></table>"
    }
}
