import DreyCore
import Foundation
import SQLKit

extension SQLStore: ReaderDataStore {
    public func readerLikes(readerID: Int64) async throws -> [ReaderLike] {
        try await read { db in
            try await db.select().columns("post_id", "created_at").from("likes").where("reader_id", .equal, SQLBind(readerID))
                .orderBy("created_at").orderBy("post_id").all().map {
                    ReaderLike(postID: try $0.int64("post_id"), likedAt: try $0.date("created_at"))
                }
        }
    }

    public func followedThreads(subscriberID: Int64) async throws -> [FollowedThread] {
        try await read { db in
            try await db.select().columns("post_id", "created_at").from("thread_follows").where("subscriber_id", .equal, SQLBind(subscriberID))
                .orderBy("created_at").orderBy("post_id").all().map {
                    FollowedThread(postID: try $0.int64("post_id"), since: try $0.date("created_at"))
                }
        }
    }

    public func pseudonymiseSubscriber(id: Int64, pseudonym: String, now: Date) async throws {
        try await write { db in
            try await db.update("subscribers").set("email", to: SQLBind(pseudonym)).set(
                "status", to: SQLBind(Subscriber.Status.unsubscribed.rawValue)
            )
            .set("follows_blog", to: SQLBind(false)).set("changed_at", to: SQLBind(now.storable)).where("id", .equal, SQLBind(id)).run()
            try await db.delete(from: "thread_follows").where("subscriber_id", .equal, SQLBind(id)).run()
            try await db.update("follow_consents").set("ip", to: SQLBind("")).where("subscriber_id", .equal, SQLBind(id)).run()
        }
    }
}
