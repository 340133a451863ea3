import DreyCore
import Foundation
import SQLKit

/// A saved state of a post, kept on every save so changes can be compared and undone.
public struct Revision: Sendable, Equatable, Identifiable {
    public enum Kind: String, Sendable { case revision, autosave }
    public var id: Int64
    public var postID: Int64
    public var kind: Kind
    public var title: String
    public var format: SourceFormat
    public var source: String
    public var excerpt: String
    public var authorID: Int64?
    public var createdAt: Date
}

extension SQLStore {
    public func addRevision(of post: Post, kind: Revision.Kind, by authorID: Int64?, at date: Date) async throws {
        try await read { db in
            if kind == .autosave {
                // One autosave per post: the newest replaces the last.
                try await db.delete(from: "post_revisions").where("post_id", .equal, SQLBind(post.id))
                    .where("kind", .equal, SQLBind(Revision.Kind.autosave.rawValue)).run()
            }
            try await db.insert(into: "post_revisions")
                .columns("post_id", "kind", "title", "format", "source", "excerpt", "author_id", "created_at")
                .values(
                    SQLBind(post.id), SQLBind(kind.rawValue), SQLBind(post.title), SQLBind(post.format.rawValue),
                    SQLBind(post.source), SQLBind(post.excerpt), SQLBind(authorID), SQLBind(date.storable)
                ).run()
        }
    }

    public func revisions(postID: Int64) async throws -> [Revision] {
        try await read { db in
            try await db.select().columns("id", "post_id", "kind", "title", "format", "source", "excerpt", "author_id", "created_at")
                .from("post_revisions").where("post_id", .equal, SQLBind(postID))
                .orderBy("created_at", .descending).orderBy("id", .descending).all().map { row in
                    Revision(
                        id: try row.int64("id"), postID: try row.int64("post_id"), kind: try row.enumValue("kind", as: Revision.Kind.self),
                        title: try row.string("title"), format: try row.enumValue("format", as: SourceFormat.self),
                        source: try row.string("source"), excerpt: try row.string("excerpt"),
                        authorID: try row.optionalInt64("author_id"), createdAt: try row.date("created_at"))
                }
        }
    }
}
