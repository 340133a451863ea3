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
        let back = "/admin/terms?taxonomy=\(taxonomy.rawValue)"
        let site = a.r.site.id
        let name = (a.form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let slugText = (a.form["slug"] ?? "").trimmingCharacters(in: .whitespaces)
        let parent = a.form["parent"].flatMap(Int64.init)
        func fail(_ message: String) async throws -> PageResult {
            try await list(a, errors: [message], typed: ["taxonomy": taxonomy.rawValue, "name": name, "slug": slugText])
        }
        switch a.form["action"] ?? "" {
        case "create":
            guard !name.isEmpty else { return try await fail("Give the \(taxonomy.rawValue) a name.") }
            let slug = Slug.make(from: slugText.isEmpty ? name : slugText)
            guard !slug.isEmpty else { return try await fail("The slug must contain letters or digits.") }
            if try await store.term(slug: slug, taxonomy: taxonomy, siteID: site) != nil { return try await fail("The slug “\(slug)” is already used.") }
            if try await store.term(name: name, taxonomy: taxonomy, siteID: site) != nil { return try await fail("A \(taxonomy.rawValue) named “\(name)” exists already.") }
            _ = try await store.insert(Term(siteID: site, taxonomy: taxonomy, name: name, slug: slug, description: a.form["description"] ?? "", parentID: taxonomy == .category ? parent : nil))
            try await controller.drey.changes.record(siteID: site, [.site])
            return controller.done(a, back, "Added “\(name)”.")
        case "update":
            guard var term = try await term(a, "id"), term.taxonomy == taxonomy else { return try await fail("That \(taxonomy.rawValue) no longer exists.") }
            guard !name.isEmpty else { return try await fail("Give the \(taxonomy.rawValue) a name.") }
            let slug = Slug.make(from: slugText.isEmpty ? name : slugText)
            if let other = try await store.term(slug: slug, taxonomy: taxonomy, siteID: site), other.id != term.id {
                return try await fail("The slug “\(slug)” is already used by “\(other.name)”.")
            }
            if let parent, try await isDescendant(parent, of: term.id, site: site) { return try await fail("A category cannot be placed under itself or its own children.") }
            term.name = name
            term.slug = slug
            term.description = a.form["description"] ?? term.description
            if taxonomy == .category { term.parentID = parent }
            try await store.updateTerm(term)
            try await controller.drey.changes.record(siteID: site, [.site])
            return controller.done(a, back, "Saved “\(name)”.")
        case "merge":
            guard let source = try await term(a, "id"), let target = try await term(a, "into"), source.id != target.id else {
                return try await fail("Choose two different \(taxonomy.rawValue == "category" ? "categories" : "tags") to merge.")
            }
            try await store.mergeTerm(source, into: target)
            try await controller.drey.changes.record(siteID: site, [.site])
            return controller.done(a, back, "Merged “\(source.name)” into “\(target.name)”.")
        case "delete":
            guard let term = try await term(a, "id") else { return try await fail("That \(taxonomy.rawValue) no longer exists.") }
            if term.taxonomy == .category, term.name == PostService.defaultCategory { return try await fail("The default category cannot be deleted.") }
            let fallback = try await controller.drey.posts.term(named: PostService.defaultCategory, taxonomy: .category, siteID: site)
            try await store.deleteTerm(term, fallbackCategory: fallback.id)
            try await controller.drey.changes.record(siteID: site, [.site])
            return controller.done(a, back, "Deleted “\(term.name)”.")
        default:
            throw AdminRefusal(status: 422, message: "Unknown action.")
        }
    }

    func term(_ a: AdminRequest, _ field: String) async throws -> Term? {
        guard let id = a.form[field].flatMap(Int64.init) else { return nil }
        return try await store.term(id: id, siteID: a.r.site.id)
    }

    func isDescendant(_ candidate: Int64, of id: Int64, site: Int64) async throws -> Bool {
        var cursor: Int64? = candidate
        var hops = 0
        while let c = cursor, hops < 20 {
            if c == id { return true }
            cursor = try await store.term(id: c, siteID: site)?.parentID
            hops += 1
        }
        return false
    }
}
