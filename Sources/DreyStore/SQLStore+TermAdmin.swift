import DreyCore
import Foundation
import SQLKit

extension SQLStore {
    public func term(id: Int64, siteID: Int64) async throws -> Term? {
        try await read { db in
            try await db.select().column(Self.termColumnList).from("terms").where("id", .equal, SQLBind(id))
                .where("site_id", .equal, SQLBind(siteID)).first().map(Self.term(from:))
        }
    }

    public func updateTerm(_ term: Term) async throws {
        try await read { db in
            try await db.update("terms").set("name", to: SQLBind(term.name)).set("slug", to: SQLBind(term.slug))
                .set("description", to: SQLBind(term.description)).set("parent_id", to: SQLBind(term.parentID))
                .where("id", .equal, SQLBind(term.id)).run()
        }
    }

    /// How many posts carry each term.
    public func termCounts(siteID: Int64) async throws -> [Int64: Int] {
        try await read { db in
            let rows = try await db.raw(
                """
                SELECT post_terms.term_id, count(*) AS n FROM post_terms INNER JOIN terms ON terms.id = post_terms.term_id \
                WHERE terms.site_id = \(bind: siteID) GROUP BY post_terms.term_id
                """
            ).all()
            return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.int64("term_id"), try $0.int("n")) })
        }
    }

    /// Moves every post of `source` to `target` and deletes `source`, in one transaction.
    public func mergeTerm(_ source: Term, into target: Term) async throws {
        try await database.transaction { db in
            let posts = try await db.select().column("post_id").from("post_terms").where("term_id", .equal, SQLBind(source.id)).all()
                .map { try $0.int64("post_id") }
            for postID in posts {
                try await db.insert(into: "post_terms").columns("post_id", "term_id").values(SQLBind(postID), SQLBind(target.id))
                    .ignoringConflicts(with: ["post_id", "term_id"]).run()
            }
            try await db.update("terms").set("parent_id", to: SQLBind(target.id)).where("parent_id", .equal, SQLBind(source.id)).run()
            try await db.delete(from: "terms").where("id", .equal, SQLBind(source.id)).run()
        }
    }

    /// Deletes a term; posts of the post type left without a category get `fallbackCategory`.
    public func deleteTerm(_ term: Term, fallbackCategory: Int64?) async throws {
        try await database.transaction { db in
            let posts = try await db.select().column("post_id").from("post_terms").where("term_id", .equal, SQLBind(term.id)).all()
                .map { try $0.int64("post_id") }
            try await db.update("terms").set("parent_id", to: SQLBind(term.parentID)).where("parent_id", .equal, SQLBind(term.id)).run()
            try await db.delete(from: "terms").where("id", .equal, SQLBind(term.id)).run()
            guard term.taxonomy == .category, let fallback = fallbackCategory else { return }
            for postID in posts {
                let left = try await db.select().column(SQLColumn("term_id", table: "post_terms")).from("post_terms")
                    .join("terms", on: SQLColumn("id", table: "terms"), .equal, SQLColumn("term_id", table: "post_terms"))
                    .where(SQLColumn("post_id", table: "post_terms"), .equal, SQLBind(postID))
                    .where(SQLColumn("taxonomy", table: "terms"), .equal, SQLBind(Taxonomy.category.rawValue)).first()
                if left == nil {
                    try await db.insert(into: "post_terms").columns("post_id", "term_id").values(SQLBind(postID), SQLBind(fallback))
                        .ignoringConflicts(with: ["post_id", "term_id"]).run()
                }
            }
        }
    }
}
