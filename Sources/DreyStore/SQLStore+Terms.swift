import DreyCore
import Foundation
import SQLKit

extension SQLStore: TermStore {
    static let termColumns = ["id", "site_id", "taxonomy", "name", "slug", "description", "parent_id"]
    static let termColumnList = ColumnList(termColumns)
    static let termColumnsOfTerms = ColumnList(termColumns, table: "terms")

    static func term(from row: any SQLRow) throws -> Term {
        Term(
            id: try row.int64("id"), siteID: try row.int64("site_id"),
            taxonomy: try row.enumValue("taxonomy", as: Taxonomy.self), name: try row.string("name"),
            slug: try row.string("slug"), description: try row.string("description"),
            parentID: try row.optionalInt64("parent_id"))
    }

    public func insert(_ term: Term) async throws -> Term {
        try await read { db in
            let id = try await db.insert(into: "terms")
                .columns("site_id", "taxonomy", "name", "slug", "description", "parent_id")
                .values(
                    SQLBind(term.siteID), SQLBind(term.taxonomy.rawValue), SQLBind(term.name), SQLBind(term.slug),
                    SQLBind(term.description), SQLBind(term.parentID)
                )
                .returning("id").first(decodingColumn: "id", as: Int64.self)
            var saved = term
            saved.id = id ?? 0
            return saved
        }
    }

    public func term(slug: String, taxonomy: Taxonomy, siteID: Int64) async throws -> Term? {
        try await read { db in
            try await db.select().column(Self.termColumnList).from("terms").where("site_id", .equal, SQLBind(siteID))
                .where("taxonomy", .equal, SQLBind(taxonomy.rawValue)).where("slug", .equal, SQLBind(slug))
                .first().map(Self.term(from:))
        }
    }

    public func term(name: String, taxonomy: Taxonomy, siteID: Int64) async throws -> Term? {
        try await read { db in
            try await db.select().column(Self.termColumnList).from("terms").where("site_id", .equal, SQLBind(siteID))
                .where("taxonomy", .equal, SQLBind(taxonomy.rawValue))
                .where(SQLFunction("lower", args: SQLIdentifier("name")), .equal, SQLBind(name.lowercased()))
                .first().map(Self.term(from:))
        }
    }

    public func terms(siteID: Int64, taxonomy: Taxonomy) async throws -> [Term] {
        try await read { db in
            try await db.raw(
                "SELECT \(Self.termColumnList) FROM terms WHERE site_id = \(bind: siteID) AND taxonomy = \(bind: taxonomy.rawValue) ORDER BY name"
            ).all().map(Self.term(from:))
        }
    }

    public func terms(postIDs: [Int64]) async throws -> [Int64: [Term]] {
        guard !postIDs.isEmpty else { return [:] }
        return try await read { db in
            let rows = try await db.raw(
                """
                SELECT \(Self.termColumnsOfTerms), post_terms.post_id FROM terms \
                INNER JOIN post_terms ON post_terms.term_id = terms.id \
                WHERE post_terms.post_id IN (\(binds: postIDs)) ORDER BY terms.name
                """
            ).all()
            var result: [Int64: [Term]] = [:]
            for row in rows { result[try row.int64("post_id"), default: []].append(try Self.term(from: row)) }
            return result
        }
    }
}
