import DreyCore
import Foundation
import SQLKit

extension SQLStore: FollowStore {
    static let subscriberColumns = ["id", "site_id", "email", "status", "follows_blog", "requested_at", "confirmed_at", "changed_at"]
    static let subscriberColumnList = ColumnList(subscriberColumns)

    static func subscriber(from row: any SQLRow) throws -> Subscriber {
        Subscriber(
            id: try row.int64("id"), siteID: try row.int64("site_id"), email: try row.string("email"),
            status: try row.enumValue("status", as: Subscriber.Status.self), followsBlog: try row.bool("follows_blog"),
            requestedAt: try row.date("requested_at"), confirmedAt: try row.decode(column: "confirmed_at", as: Date?.self),
            changedAt: try row.date("changed_at"))
    }

    public func inTransaction<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await write { _ in try await body() }
    }

    public func subscriber(id: Int64) async throws -> Subscriber? {
        try await read { db in
            try await db.select().column(Self.subscriberColumnList).from("subscribers").where("id", .equal, SQLBind(id)).first()
                .map(Self.subscriber(from:))
        }
    }

    public func subscriber(siteID: Int64, email: String) async throws -> Subscriber? {
        try await read { db in
            try await db.select().column(Self.subscriberColumnList).from("subscribers").where("site_id", .equal, SQLBind(siteID))
                .where("email", .equal, SQLBind(email.lowercased())).first().map(Self.subscriber(from:))
        }
    }

    public func ensureSubscriber(siteID: Int64, email: String, now: Date) async throws -> Subscriber {
        let address = email.lowercased()
        let stamp = now.storable
        return try await write { db in
            try await db.raw(
                """
                INSERT INTO subscribers (site_id, email, status, follows_blog, requested_at, changed_at)
                VALUES (\(bind: siteID), \(bind: address), 'pending', \(bind: false), \(bind: stamp), \(bind: stamp))
                ON CONFLICT (site_id, email) DO NOTHING
                """
            ).run()
            guard
                let row = try await db.select().column(Self.subscriberColumnList).from("subscribers")
                    .where("site_id", .equal, SQLBind(siteID)).where("email", .equal, SQLBind(address)).first()
            else { throw StoreError.invalid("the subscriber was not stored") }
            return try Self.subscriber(from: row)
        }
    }

    public func touchRequested(subscriberID: Int64, now: Date) async throws {
        try await write { db in
            try await db.update("subscribers").set("requested_at", to: SQLBind(now.storable)).where("id", .equal, SQLBind(subscriberID)).run()
        }
    }

    public func setStatus(_ status: Subscriber.Status, subscriberID: Int64, now: Date) async throws {
        try await write { db in
            var update = db.update("subscribers").set("status", to: SQLBind(status.rawValue)).set("changed_at", to: SQLBind(now.storable))
            if status == .confirmed { update = update.set("confirmed_at", to: SQLBind(now.storable)) }
            // Leaving ends every follow: confirming again later starts from nothing rather than reviving old ones.
            if status == .unsubscribed || status == .blocked { update = update.set("follows_blog", to: SQLBind(false)) }
            try await update.where("id", .equal, SQLBind(subscriberID)).run()
            if status == .unsubscribed || status == .blocked {
                try await db.delete(from: "thread_follows").where("subscriber_id", .equal, SQLBind(subscriberID)).run()
            }
        }
    }

    public func setFollowsBlog(_ follows: Bool, subscriberID: Int64) async throws {
        try await write { db in
            try await db.update("subscribers").set("follows_blog", to: SQLBind(follows)).where("id", .equal, SQLBind(subscriberID)).run()
        }
    }

    public func followThread(subscriberID: Int64, siteID: Int64, postID: Int64, now: Date) async throws {
        try await write { db in
            try await db.raw(
                """
                INSERT INTO thread_follows (site_id, subscriber_id, post_id, created_at)
                VALUES (\(bind: siteID), \(bind: subscriberID), \(bind: postID), \(bind: now.storable))
                ON CONFLICT (subscriber_id, post_id) DO NOTHING
                """
            ).run()
        }
    }

    public func unfollowThread(subscriberID: Int64, postID: Int64) async throws {
        try await write { db in
            try await db.delete(from: "thread_follows").where("subscriber_id", .equal, SQLBind(subscriberID))
                .where("post_id", .equal, SQLBind(postID)).run()
        }
    }

    public func isFollowingThread(subscriberID: Int64, postID: Int64) async throws -> Bool {
        try await read { db in
            try await db.select().column("id").from("thread_follows").where("subscriber_id", .equal, SQLBind(subscriberID))
                .where("post_id", .equal, SQLBind(postID)).first() != nil
        }
    }

    public func record(_ c: FollowConsent, subscriberID: Int64, siteID: Int64) async throws {
        try await write { db in
            try await db.insert(into: "follow_consents")
                .columns("site_id", "subscriber_id", "action", "scope", "page", "wording", "ip", "mailed", "created_at")
                .values(
                    SQLBind(siteID), SQLBind(subscriberID), SQLBind(c.action.rawValue), SQLBind(c.scope), SQLBind(String(c.page.prefix(500))),
                    SQLBind(c.wording), SQLBind(c.ip), SQLBind(c.mailed), SQLBind(c.createdAt.storable)
                ).run()
        }
    }

    public func consents(subscriberID: Int64) async throws -> [FollowConsent] {
        try await read { db in
            try await db.select().columns("action", "scope", "page", "wording", "ip", "mailed", "created_at").from("follow_consents")
                .where("subscriber_id", .equal, SQLBind(subscriberID)).orderBy("created_at").orderBy("id").all().map {
                    FollowConsent(
                        action: try $0.enumValue("action", as: FollowConsent.Action.self), scope: try $0.string("scope"),
                        page: try $0.string("page"), wording: try $0.string("wording"), ip: try $0.string("ip"), mailed: try $0.bool("mailed"),
                        createdAt: try $0.date("created_at"))
                }
        }
    }

    public func mailedRequests(subscriberID: Int64, since: Date) async throws -> Int {
        try await read { db in
            try await db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("follow_consents")
                .where("subscriber_id", .equal, SQLBind(subscriberID)).where("mailed", .equal, SQLBind(true))
                .where("created_at", .greaterThan, SQLBind(since.storable)).first()?.int("n") ?? 0
        }
    }

    public func mailedRequests(siteID: Int64, ip: String, since: Date) async throws -> Int {
        try await read { db in
            try await db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("follow_consents")
                .where("site_id", .equal, SQLBind(siteID)).where("ip", .equal, SQLBind(ip)).where("mailed", .equal, SQLBind(true))
                .where("created_at", .greaterThan, SQLBind(since.storable)).first()?.int("n") ?? 0
        }
    }

    public func blogFollowers(siteID: Int64) async throws -> [Subscriber] {
        try await read { db in
            try await db.select().column(Self.subscriberColumnList).from("subscribers").where("site_id", .equal, SQLBind(siteID))
                .where("status", .equal, SQLBind(Subscriber.Status.confirmed.rawValue)).where("follows_blog", .equal, SQLBind(true))
                .orderBy("id").all().map(Self.subscriber(from:))
        }
    }

    public func threadFollowers(postID: Int64) async throws -> [Subscriber] {
        let columns = Self.subscriberColumns.map { "s." + $0 }.joined(separator: ", ")
        return try await read { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: columns) FROM thread_follows t JOIN subscribers s ON s.id = t.subscriber_id
                WHERE t.post_id = \(bind: postID) AND s.status = 'confirmed' ORDER BY s.id
                """
            ).all().map(Self.subscriber(from:))
        }
    }

    public func threadFollowersForAdmin(postID: Int64) async throws -> [ThreadFollower] {
        try await read { db in
            try await db.raw(
                """
                SELECT s.id, s.email, s.status, t.created_at FROM thread_follows t JOIN subscribers s ON s.id = t.subscriber_id
                WHERE t.post_id = \(bind: postID) ORDER BY t.created_at
                """
            ).all().map {
                ThreadFollower(
                    subscriberID: try $0.int64("id"), email: try $0.string("email"), status: try $0.enumValue("status", as: Subscriber.Status.self),
                    since: try $0.date("created_at"))
            }
        }
    }

    public func subscribers(siteID: Int64, status: Subscriber.Status?) async throws -> [Subscriber] {
        try await read { db in
            var query = db.select().column(Self.subscriberColumnList).from("subscribers").where("site_id", .equal, SQLBind(siteID))
            if let status { query = query.where("status", .equal, SQLBind(status.rawValue)) }
            return try await query.orderBy("id", .descending).limit(5000).all().map(Self.subscriber(from:))
        }
    }

    public func subscriberCounts(siteID: Int64) async throws -> [Subscriber.Status: Int] {
        try await read { db in
            var counts: [Subscriber.Status: Int] = [:]
            for row in try await db.select().column("status").column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("subscribers")
                .where("site_id", .equal, SQLBind(siteID)).groupBy("status").all()
            {
                if let status = Subscriber.Status(rawValue: try row.string("status")) { counts[status] = try row.int("n") }
            }
            return counts
        }
    }

    public func markSent(key: String, siteID: Int64, now: Date) async throws -> Bool {
        try await write { db in
            try await db.raw(
                """
                INSERT INTO follow_sends (send_key, site_id, created_at) VALUES (\(bind: key), \(bind: siteID), \(bind: now.storable))
                ON CONFLICT (send_key) DO NOTHING RETURNING send_key
                """
            ).first() != nil
        }
    }

    public func wasSent(key: String) async throws -> Bool {
        try await read { db in try await db.select().column("send_key").from("follow_sends").where("send_key", .equal, SQLBind(key)).first() != nil }
    }

    public func unmarkSent(key: String) async throws {
        try await write { db in try await db.delete(from: "follow_sends").where("send_key", .equal, SQLBind(key)).run() }
    }

    public func prunePending(before: Date) async throws -> Int {
        try await write { db in
            try await db.delete(from: "subscribers").where("status", .equal, SQLBind(Subscriber.Status.pending.rawValue))
                .where("requested_at", .lessThan, SQLBind(before.storable)).returning("id").all().count
        }
    }
}
