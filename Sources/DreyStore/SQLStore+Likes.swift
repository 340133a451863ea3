import DreyCore
import Foundation
import SQLKit

extension SQLStore: LikeStore {
    public func like(postID: Int64, readerID: Int64, siteID: Int64, now: Date) async throws -> Bool {
        try await write { db in
            try await db.raw(
                """
                INSERT INTO likes (site_id, post_id, reader_id, created_at) VALUES (\(bind: siteID), \(bind: postID), \(bind: readerID), \(bind: now.storable))
                ON CONFLICT (post_id, reader_id) DO NOTHING RETURNING post_id
                """
            ).first() != nil
        }
    }

    public func unlike(postID: Int64, readerID: Int64) async throws -> Bool {
        try await write { db in
            try await db.delete(from: "likes").where("post_id", .equal, SQLBind(postID)).where("reader_id", .equal, SQLBind(readerID))
                .returning("post_id").first() != nil
        }
    }

    public func hasLiked(postID: Int64, readerID: Int64) async throws -> Bool {
        try await read { db in
            try await db.select().column("post_id").from("likes").where("post_id", .equal, SQLBind(postID))
                .where("reader_id", .equal, SQLBind(readerID)).first() != nil
        }
    }

    public func likeCount(postID: Int64) async throws -> Int {
        try await read { db in
            try await db.raw(
                """
                SELECT count(*) AS n FROM likes l JOIN readers r ON r.id = l.reader_id WHERE l.post_id = \(bind: postID) AND r.status = 'active'
                """
            ).first()?.int("n") ?? 0
        }
    }

    public func likers(postID: Int64, limit: Int) async throws -> [Liker] {
        try await read { db in
            try await db.raw(
                """
                SELECT r.id, r.name, r.email, r.website, r.avatar, l.created_at FROM likes l JOIN readers r ON r.id = l.reader_id
                WHERE l.post_id = \(bind: postID) AND r.status = 'active' ORDER BY l.created_at, r.id LIMIT \(literal: limit)
                """
            ).all().map {
                Liker(
                    readerID: try $0.int64("id"), name: try $0.string("name"), email: try $0.decode(column: "email", as: String?.self),
                    website: try $0.decode(column: "website", as: String?.self), avatar: try $0.decode(column: "avatar", as: String?.self),
                    likedAt: try $0.date("created_at"))
            }
        }
    }
}
