import DreyCore
import DreyStore
import Foundation

/// A term edit refused, with the words to show beside the form.
public struct TermRejection: Error, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
}

/// Categories and tags: create, rename, re-slug, re-parent, merge, delete. Each write stales every page (menus,
/// archives, every post's footer), recorded in the write's transaction.
public struct TermService: Sendable {
    let store: any TermStore
    let changes: ChangeFeed
    let posts: PostService

    public struct Fields: Sendable {
        public var name: String
        public var slug: String
        public var description: String?
        public var parentID: Int64?

        public init(name: String, slug: String, description: String?, parentID: Int64?) {
            self.name = name.trimmingCharacters(in: .whitespaces)
            self.slug = slug.trimmingCharacters(in: .whitespaces)
            self.description = description
            self.parentID = parentID
        }
    }

    public func create(_ taxonomy: Taxonomy, _ fields: Fields, siteID: Int64) async throws -> Term {
        guard !fields.name.isEmpty else { throw TermRejection("Give the \(taxonomy.rawValue) a name.") }
        let slug = Slug.make(from: fields.slug.isEmpty ? fields.name : fields.slug)
        guard !slug.isEmpty else { throw TermRejection("The slug must contain letters or digits.") }
        if try await store.term(slug: slug, taxonomy: taxonomy, siteID: siteID) != nil { throw TermRejection("The slug “\(slug)” is already used.") }
        if try await store.term(name: fields.name, taxonomy: taxonomy, siteID: siteID) != nil {
            throw TermRejection("A \(taxonomy.rawValue) named “\(fields.name)” exists already.")
        }
        let term = Term(
            siteID: siteID, taxonomy: taxonomy, name: fields.name, slug: slug, description: fields.description ?? "",
            parentID: taxonomy == .category ? fields.parentID : nil)
        return try await changes.commit(siteID: siteID, .terms) { [store] in try await store.insert(term) }
    }

    public func update(_ id: Int64, _ taxonomy: Taxonomy, _ fields: Fields, siteID: Int64) async throws -> Term {
        guard var term = try await store.term(id: id, siteID: siteID), term.taxonomy == taxonomy else {
            throw TermRejection("That \(taxonomy.rawValue) no longer exists.")
        }
        guard !fields.name.isEmpty else { throw TermRejection("Give the \(taxonomy.rawValue) a name.") }
        let slug = Slug.make(from: fields.slug.isEmpty ? fields.name : fields.slug)
        if let other = try await store.term(slug: slug, taxonomy: taxonomy, siteID: siteID), other.id != term.id {
            throw TermRejection("The slug “\(slug)” is already used by “\(other.name)”.")
        }
        if let parent = fields.parentID, try await isDescendant(parent, of: term.id, siteID: siteID) {
            throw TermRejection("A category cannot be placed under itself or its own children.")
        }
        term.name = fields.name
        term.slug = slug
        term.description = fields.description ?? term.description
        if taxonomy == .category { term.parentID = fields.parentID }
        try await changes.commit(siteID: siteID, .terms) { [store, term] in try await store.updateTerm(term) }
        return term
    }

    public func merge(_ sourceID: Int64?, into targetID: Int64?, _ taxonomy: Taxonomy, siteID: Int64) async throws -> (Term, Term) {
        guard let sourceID, let targetID, sourceID != targetID, let source = try await store.term(id: sourceID, siteID: siteID),
            let target = try await store.term(id: targetID, siteID: siteID)
        else { throw TermRejection("Choose two different \(taxonomy == .category ? "categories" : "tags") to merge.") }
        try await changes.commit(siteID: siteID, .terms) { [store] in try await store.mergeTerm(source, into: target) }
        return (source, target)
    }

    public func delete(_ id: Int64?, _ taxonomy: Taxonomy, siteID: Int64) async throws -> Term {
        guard let id, let term = try await store.term(id: id, siteID: siteID) else {
            throw TermRejection("That \(taxonomy.rawValue) no longer exists.")
        }
        if term.taxonomy == .category, term.name == PostService.defaultCategory { throw TermRejection("The default category cannot be deleted.") }
        let fallback = try await posts.term(named: PostService.defaultCategory, taxonomy: .category, siteID: siteID)
        try await changes.commit(siteID: siteID, .terms) { [store] in try await store.deleteTerm(term, fallbackCategory: fallback.id) }
        return term
    }

    func isDescendant(_ candidate: Int64, of id: Int64, siteID: Int64) async throws -> Bool {
        var cursor: Int64? = candidate
        var hops = 0
        while let c = cursor, hops < 20 {
            if c == id { return true }
            cursor = try await store.term(id: c, siteID: siteID)?.parentID
            hops += 1
        }
        return false
    }
}
