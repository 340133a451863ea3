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
        let rows: [[String: Any]] = ordered.map { t, depth in
            [
                "id": String(t.id), "name": t.name, "slug": t.slug, "description": t.description, "count": String(counts[t.id] ?? 0),
                "indent": String(Double(depth) * 1.25),
                "parents": [["id": "", "name": "None", "selected": t.parentID == nil]] + terms.filter { $0.id != t.id }.map { p -> [String: Any] in
                    ["id": String(p.id), "name": p.name, "selected": p.id == t.parentID]
                },
                "others": terms.filter { $0.id != t.id }.map { ["id": String($0.id), "name": $0.name] },
            ]
        }
        var page = AdminPage(title: taxonomy == .category ? "Categories" : "Tags", section: taxonomy == .category ? "categories" : "tags", [
            "taxonomy": taxonomy.rawValue, "isCategory": taxonomy == .category, "rows": rows, "hasRows": !rows.isEmpty,
            "allParents": terms.map { ["id": String($0.id), "name": $0.name] }, "newName": typed["name"] ?? "", "newSlug": typed["slug"] ?? "",
        ])
        page.errors = errors
        page.flash = controller.flash(a)
        return .personal(status: errors.isEmpty ? .ok : .unprocessableContent, body: controller.render(page, template: "terms", a))
    }

    func act(_ a: AdminRequest) async throws -> PageResult {
        guard a.can(.manageCategories) else { throw AdminRefusal.forbidden("manage categories and tags") }
        let taxonomy = Taxonomy(rawValue: a.form["taxonomy"] ?? "") ?? .category
        let back = AdminRoute.terms(taxonomy)
        let site = a.r.site.id
        let name = (a.form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let slugText = (a.form["slug"] ?? "").trimmingCharacters(in: .whitespaces)
        let fields = TermService.Fields(name: name, slug: slugText, description: a.form["description"], parentID: a.form["parent"].flatMap(Int64.init))
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
