import DreyApp
import DreyCore
import DreyStore
import Foundation

/// Categories and tags: create, rename, re-slug, re-parent, merge, delete.
struct TermsAdmin {
    let controller: AdminController
    var store: SQLStore { controller.drey.store }

    func list(_ a: AdminRequest, errors: [String] = [], typed: [String: String] = [:]) async throws -> PageResult {
        guard a.can(.manageCategories) else { throw AdminRefusal.forbidden("manage categories and tags") }
        let taxonomy = Taxonomy(rawValue: a.r.query["taxonomy"] ?? typed["taxonomy"] ?? "category") ?? .category
        let terms = try await store.terms(siteID: a.r.site.id, taxonomy: taxonomy)
        let counts = try await store.termCounts(siteID: a.r.site.id)
        let ordered = taxonomy == .category ? EditorForm.ordered(terms) : terms.map { ($0, 0) }
        let rows = ordered.map { t, depth in
            TermsScreen.Row(
                id: t.id, name: t.name, slug: t.slug, description: t.description, count: counts[t.id] ?? 0, indent: Double(depth) * 1.25,
                parents: [TermsScreen.Parent(id: "", name: "None", selected: t.parentID == nil)]
                    + terms.filter { $0.id != t.id }.map { TermsScreen.Parent(id: String($0.id), name: $0.name, selected: $0.id == t.parentID) },
                others: terms.filter { $0.id != t.id }.map { TermsScreen.Other(id: $0.id, name: $0.name) })
        }
        var page = AdminPage(
            title: taxonomy == .category ? "Categories" : "Tags", section: taxonomy == .category ? .categories : .tags,
            TermsScreen(
                taxonomy: taxonomy.rawValue, isCategory: taxonomy == .category, rows: rows, hasRows: !rows.isEmpty,
                allParents: terms.map { TermsScreen.Other(id: $0.id, name: $0.name) }, newName: typed["name"] ?? "", newSlug: typed["slug"] ?? ""))
        page.errors = errors
        page.flash = controller.flash(a)
        return .personal(status: errors.isEmpty ? .ok : .unprocessableContent, body: controller.render(page, a))
    }

    func act(_ a: AdminRequest) async throws -> PageResult {
        guard a.can(.manageCategories) else { throw AdminRefusal.forbidden("manage categories and tags") }
        let taxonomy = Taxonomy(rawValue: a.form["taxonomy"] ?? "") ?? .category
        let back = AdminRoute.terms(taxonomy)
        let site = a.r.site.id
        let name = (a.form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let slugText = (a.form["slug"] ?? "").trimmingCharacters(in: .whitespaces)
        let fields = TermService.Fields(
            name: name, slug: slugText, description: a.form["description"], parentID: a.form["parent"].flatMap(Int64.init))
        let terms = controller.drey.terms
        do {
            switch a.form["action"] ?? "" {
            case "create":
                _ = try await terms.create(taxonomy, fields, siteID: site)
                return controller.done(a, back, "Added “\(fields.name)”.")
            case "update":
                let id = a.form["id"].flatMap(Int64.init) ?? 0
                let term = try await terms.update(id, taxonomy, fields, siteID: site)
                return controller.done(a, back, "Saved “\(term.name)”.")
            case "merge":
                let (source, target) = try await terms.merge(
                    a.form["id"].flatMap(Int64.init), into: a.form["into"].flatMap(Int64.init), taxonomy, siteID: site)
                return controller.done(a, back, "Merged “\(source.name)” into “\(target.name)”.")
            case "delete":
                let term = try await terms.delete(a.form["id"].flatMap(Int64.init), taxonomy, siteID: site)
                return controller.done(a, back, "Deleted “\(term.name)”.")
            default:
                throw AdminRefusal(status: 422, message: "Unknown action.")
            }
        } catch let rejection as TermRejection {
            return try await list(a, errors: [rejection.message], typed: ["taxonomy": taxonomy.rawValue, "name": name, "slug": slugText])
        }
    }
}

/// The categories or the tags, each editable in its row, and the form to add one.
struct TermsScreen: AdminBody {
    static let template = "terms"

    struct Row {
        let id: Int64
        let name: String
        let slug: String
        let description: String
        let count: Int
        /// Left padding in em, by depth in the category tree.
        let indent: Double
        let parents: [Parent]
        /// The terms this one can be merged into.
        let others: [Other]
    }

    /// A choice of parent; the first, "None", has an empty id.
    struct Parent {
        let id: String
        let name: String
        let selected: Bool
    }

    struct Other {
        let id: Int64
        let name: String
    }

    let taxonomy: String
    let isCategory: Bool
    let rows: [Row]
    let hasRows: Bool
    let allParents: [Other]
    let newName: String
    let newSlug: String
}
