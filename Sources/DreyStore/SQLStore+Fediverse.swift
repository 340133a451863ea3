import DreyCore
import Foundation
import SQLKit

extension SQLStore: FediverseStore {
    public func fediverseKey(siteID: Int64, actor: FediverseActor) async throws -> FediverseKey? {
        try await read { db in
            try await db.select().columns("private_pem", "public_pem", "created_at").from("fedi_keys")
                .where("site_id", .equal, SQLBind(siteID)).where("actor", .equal, SQLBind(actor.key)).first()
                .map {
                    FediverseKey(
                        privatePEM: try $0.string("private_pem"), publicPEM: try $0.string("public_pem"), createdAt: try $0.date("created_at"))
                }
        }
    }

    public func insertFediverseKey(_ key: FediverseKey, siteID: Int64, actor: FediverseActor) async throws -> FediverseKey {
        try await write { db in
            try await db.raw(
                """
                INSERT INTO fedi_keys (site_id, actor, private_pem, public_pem, created_at)
                VALUES (\(bind: siteID), \(bind: actor.key), \(bind: key.privatePEM), \(bind: key.publicPEM), \(bind: key.createdAt.storable))
                ON CONFLICT (site_id, actor) DO NOTHING
                """
            ).run()
        }
        guard let stored = try await fediverseKey(siteID: siteID, actor: actor) else { throw StoreError.invalid("key was not stored") }
        return stored
    }

    public func replaceFediverseKey(_ key: FediverseKey, siteID: Int64, actor: FediverseActor) async throws {
        try await write { db in
            try await db.raw(
                """
                INSERT INTO fedi_keys (site_id, actor, private_pem, public_pem, created_at)
                VALUES (\(bind: siteID), \(bind: actor.key), \(bind: key.privatePEM), \(bind: key.publicPEM), \(bind: key.createdAt.storable))
                ON CONFLICT (site_id, actor) DO UPDATE SET private_pem = excluded.private_pem, public_pem = excluded.public_pem,
                created_at = excluded.created_at
                """
            ).run()
        }
    }

    static let remoteActorColumns = ["uri", "key_id", "public_pem", "inbox", "shared_inbox", "name", "handle", "url", "icon", "fetched_at"]
    static let remoteActorColumnList = ColumnList(remoteActorColumns)

    static func remoteActor(from row: any SQLRow) throws -> RemoteActor {
        RemoteActor(
            uri: try row.string("uri"), keyID: try row.string("key_id"), publicPEM: try row.string("public_pem"),
            inbox: try row.string("inbox"), sharedInbox: try row.string("shared_inbox"), name: try row.string("name"),
            handle: try row.string("handle"), url: try row.string("url"), icon: try row.string("icon"), fetchedAt: try row.date("fetched_at"))
    }

    public func remoteActor(uri: String) async throws -> RemoteActor? {
        try await read { db in
            try await db.select().column(Self.remoteActorColumnList).from("fedi_remote_actors").where("uri", .equal, SQLBind(uri)).first()
                .map(Self.remoteActor(from:))
        }
    }

    public func remoteActor(keyID: String) async throws -> RemoteActor? {
        try await read { db in
            try await db.select().column(Self.remoteActorColumnList).from("fedi_remote_actors").where("key_id", .equal, SQLBind(keyID))
                .orderBy("fetched_at", .descending).first().map(Self.remoteActor(from:))
        }
    }

    public func saveRemoteActor(_ a: RemoteActor) async throws {
        try await write { db in
            try await db.raw(
                """
                INSERT INTO fedi_remote_actors (uri, key_id, public_pem, inbox, shared_inbox, name, handle, url, icon, fetched_at)
                VALUES (\(bind: a.uri), \(bind: a.keyID), \(bind: a.publicPEM), \(bind: a.inbox), \(bind: a.sharedInbox), \(bind: a.name),
                \(bind: a.handle), \(bind: a.url), \(bind: a.icon), \(bind: a.fetchedAt.storable))
                ON CONFLICT (uri) DO UPDATE SET key_id = excluded.key_id, public_pem = excluded.public_pem, inbox = excluded.inbox,
                shared_inbox = excluded.shared_inbox, name = excluded.name, handle = excluded.handle, url = excluded.url,
                icon = excluded.icon, fetched_at = excluded.fetched_at
                """
            ).run()
        }
    }

    public func deleteRemoteActor(uri: String) async throws {
        try await write { db in try await db.delete(from: "fedi_remote_actors").where("uri", .equal, SQLBind(uri)).run() }
    }

    public func addFollower(_ f: Follower) async throws -> Bool {
        try await write { db in
            let existing = try await db.select().column("id").from("fedi_followers").where("site_id", .equal, SQLBind(f.siteID))
                .where("actor", .equal, SQLBind(f.actor.key)).where("remote_uri", .equal, SQLBind(f.remoteURI)).first()
            if existing != nil {
                try await db.update("fedi_followers").set("inbox", to: SQLBind(f.inbox)).set("follow_id", to: SQLBind(f.followID))
                    .where("site_id", .equal, SQLBind(f.siteID)).where("actor", .equal, SQLBind(f.actor.key))
                    .where("remote_uri", .equal, SQLBind(f.remoteURI)).run()
                return false
            }
            try await db.insert(into: "fedi_followers").columns("site_id", "actor", "remote_uri", "inbox", "follow_id", "created_at")
                .values(
                    SQLBind(f.siteID), SQLBind(f.actor.key), SQLBind(f.remoteURI), SQLBind(f.inbox), SQLBind(f.followID),
                    SQLBind(f.createdAt.storable)
                ).run()
            return true
        }
    }

    public func removeFollower(siteID: Int64, actor: FediverseActor, remoteURI: String) async throws -> Bool {
        try await write { db in
            let rows = try await db.raw(
                """
                DELETE FROM fedi_followers WHERE site_id = \(bind: siteID) AND actor = \(bind: actor.key) AND remote_uri = \(bind: remoteURI)
                RETURNING id
                """
            ).all()
            return !rows.isEmpty
        }
    }

    public func removeFollows(remoteURI: String) async throws {
        try await write { db in try await db.delete(from: "fedi_followers").where("remote_uri", .equal, SQLBind(remoteURI)).run() }
    }

    public func followers(siteID: Int64, actor: FediverseActor?, limit: Int, offset: Int) async throws -> [Follower] {
        try await read { db in
            var q = db.select().columns("id", "site_id", "actor", "remote_uri", "inbox", "follow_id", "created_at").from("fedi_followers")
                .where("site_id", .equal, SQLBind(siteID))
            if let actor { q = q.where("actor", .equal, SQLBind(actor.key)) }
            return try await q.orderBy("created_at", .descending).orderBy("id", .descending).limit(limit).offset(offset).all().map { row in
                Follower(
                    id: try row.int64("id"), siteID: try row.int64("site_id"),
                    actor: FediverseActor(key: try row.string("actor")) ?? .blog, remoteURI: try row.string("remote_uri"),
                    inbox: try row.string("inbox"), followID: try row.string("follow_id"), createdAt: try row.date("created_at"))
            }
        }
    }

    public func followerCount(siteID: Int64, actor: FediverseActor?) async throws -> Int {
        try await read { db in
            var q: SQLQueryString = "SELECT COUNT(*) AS n FROM fedi_followers WHERE site_id = \(bind: siteID)"
            if let actor { q += " AND actor = \(bind: actor.key)" }
            return try await db.raw(q).first()?.int("n") ?? 0
        }
    }

    public func deliveryInboxes(siteID: Int64, actors: [FediverseActor]) async throws -> [String] {
        guard !actors.isEmpty else { return [] }
        return try await read { db in
            // Shared inboxes (one request per server) before personal ones.
            let rows = try await db.raw(
                """
                SELECT f.inbox AS inbox, MAX(CASE WHEN a.shared_inbox = f.inbox THEN 1 ELSE 0 END) AS shared
                FROM fedi_followers f LEFT JOIN fedi_remote_actors a ON a.uri = f.remote_uri
                WHERE f.site_id = \(bind: siteID) AND f.actor IN (\(binds: actors.map(\.key)))
                GROUP BY f.inbox ORDER BY shared DESC, f.inbox
                """
            ).all()
            return try rows.map { try $0.string("inbox") }
        }
    }

    public func removeFollowers(siteID: Int64, inbox: String) async throws -> Int {
        try await write { db in
            try await db.raw("DELETE FROM fedi_followers WHERE site_id = \(bind: siteID) AND inbox = \(bind: inbox) RETURNING id").all().count
        }
    }

    public func markSeen(siteID: Int64, activityID: String, now: Date) async throws -> Bool {
        try await write { db in
            let rows = try await db.raw(
                """
                INSERT INTO fedi_seen (site_id, activity_id, seen_at) VALUES (\(bind: siteID), \(bind: activityID), \(bind: now.storable))
                ON CONFLICT (site_id, activity_id) DO NOTHING RETURNING site_id
                """
            ).all()
            return !rows.isEmpty
        }
    }

    public func pruneSeen(before: Date) async throws {
        try await write { db in try await db.delete(from: "fedi_seen").where("seen_at", .lessThan, SQLBind(before.storable)).run() }
    }

    public func addReaction(siteID: Int64, postID: Int64, kind: ReactionKind, remoteURI: String, activityID: String, now: Date) async throws -> Bool {
        try await write { db in
            let rows = try await db.raw(
                """
                INSERT INTO fedi_reactions (site_id, post_id, kind, remote_uri, activity_id, created_at)
                VALUES (\(bind: siteID), \(bind: postID), \(bind: kind.rawValue), \(bind: remoteURI), \(bind: activityID), \(bind: now.storable))
                ON CONFLICT (post_id, kind, remote_uri) DO NOTHING RETURNING id
                """
            ).all()
            return !rows.isEmpty
        }
    }

    public func removeReaction(postID: Int64?, kind: ReactionKind, remoteURI: String, activityID: String?) async throws -> Bool {
        try await write { db in
            var q = db.delete(from: "fedi_reactions").where("kind", .equal, SQLBind(kind.rawValue)).where("remote_uri", .equal, SQLBind(remoteURI))
            if let postID { q = q.where("post_id", .equal, SQLBind(postID)) }
            if let activityID { q = q.where("activity_id", .equal, SQLBind(activityID)) }
            let rows = try await q.returning("id").all()
            return !rows.isEmpty
        }
    }

    public func removeReactions(remoteURI: String) async throws {
        try await write { db in try await db.delete(from: "fedi_reactions").where("remote_uri", .equal, SQLBind(remoteURI)).run() }
    }

    public func reactionCounts(postID: Int64) async throws -> [ReactionKind: Int] {
        try await read { db in
            let rows = try await db.raw("SELECT kind, COUNT(*) AS n FROM fedi_reactions WHERE post_id = \(bind: postID) GROUP BY kind").all()
            var counts: [ReactionKind: Int] = [:]
            for row in rows { counts[try row.enumValue("kind", as: ReactionKind.self)] = try row.int("n") }
            return counts
        }
    }

    public func blocks(siteID: Int64) async throws -> [(BlockKind, String)] {
        try await read { db in
            try await db.select().columns("kind", "value").from("fedi_blocks").where("site_id", .equal, SQLBind(siteID)).orderBy("kind")
                .orderBy("value").all().map { (try $0.enumValue("kind", as: BlockKind.self), try $0.string("value")) }
        }
    }

    public func addBlock(siteID: Int64, kind: BlockKind, value: String, now: Date) async throws {
        try await write { db in
            try await db.raw(
                """
                INSERT INTO fedi_blocks (site_id, kind, value, created_at) VALUES (\(bind: siteID), \(bind: kind.rawValue), \(bind: value),
                \(bind: now.storable)) ON CONFLICT (site_id, kind, value) DO NOTHING
                """
            ).run()
        }
    }

    public func removeBlock(siteID: Int64, kind: BlockKind, value: String) async throws {
        try await write { db in
            try await db.delete(from: "fedi_blocks").where("site_id", .equal, SQLBind(siteID)).where("kind", .equal, SQLBind(kind.rawValue))
                .where("value", .equal, SQLBind(value)).run()
        }
    }

    public func isFederated(postID: Int64) async throws -> Bool {
        try await read { db in
            try await db.select().column("state").from("fedi_posts").where("post_id", .equal, SQLBind(postID)).first()?.string("state") == "federated"
        }
    }

    public func markFederated(postID: Int64, siteID: Int64, deleted: Bool, now: Date) async throws {
        try await write { db in
            try await db.raw(
                """
                INSERT INTO fedi_posts (post_id, site_id, state, federated_at, updated_at)
                VALUES (\(bind: postID), \(bind: siteID), \(bind: deleted ? "deleted" : "federated"), \(bind: now.storable), \(bind: now.storable))
                ON CONFLICT (post_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                """
            ).run()
        }
    }

    public func hostAcceptsRFC9421(_ host: String) async throws -> Bool {
        try await read { db in
            try await db.select().column("rfc9421").from("fedi_hosts").where("host", .equal, SQLBind(host.lowercased())).first()?.bool("rfc9421")
                ?? false
        }
    }

    public func markHostRFC9421(_ host: String) async throws {
        try await write { db in
            try await db.raw(
                """
                INSERT INTO fedi_hosts (host, rfc9421) VALUES (\(bind: host.lowercased()), \(bind: true))
                ON CONFLICT (host) DO UPDATE SET rfc9421 = excluded.rfc9421
                """
            ).run()
        }
    }

    public func hostPausedUntil(_ host: String, now: Date) async throws -> Date? {
        try await read { db in
            guard
                let until = try await db.select().column("open_until").from("fedi_hosts").where("host", .equal, SQLBind(host.lowercased()))
                    .first()?.date("open_until"), until > now
            else { return nil }
            return until
        }
    }

    public func recordHostFailure(_ host: String, threshold: Int, pauseUntil: Date) async throws {
        try await write { db in
            try await db.raw(
                """
                INSERT INTO fedi_hosts (host, failures) VALUES (\(bind: host.lowercased()), 1)
                ON CONFLICT (host) DO UPDATE SET failures = fedi_hosts.failures + 1
                """
            ).run()
            try await db.raw(
                """
                UPDATE fedi_hosts SET open_until = \(bind: pauseUntil.storable), failures = 0
                WHERE host = \(bind: host.lowercased()) AND failures >= \(bind: threshold)
                """
            ).run()
        }
    }

    public func recordHostSuccess(_ host: String) async throws {
        try await write { db in
            try await db.update("fedi_hosts").set("failures", to: SQLBind(0)).where("host", .equal, SQLBind(host.lowercased()))
                .where("failures", .greaterThan, SQLBind(0)).run()
        }
    }

    public func commentID(noteID: String, siteID: Int64) async throws -> Int64? {
        try await read { db in
            try await db.select().column("comment_id").from("fedi_notes").where("site_id", .equal, SQLBind(siteID))
                .where("note_id", .equal, SQLBind(noteID)).first()?.int64("comment_id")
        }
    }

    public func noteID(commentID: Int64) async throws -> (noteID: String, actorURI: String)? {
        try await read { db in
            try await db.select().columns("note_id", "actor_uri").from("fedi_notes").where("comment_id", .equal, SQLBind(commentID)).first()
                .map { (try $0.string("note_id"), try $0.string("actor_uri")) }
        }
    }

    public func linkNote(commentID: Int64, siteID: Int64, noteID: String, actorURI: String) async throws {
        try await write { db in
            try await db.insert(into: "fedi_notes").columns("comment_id", "site_id", "note_id", "actor_uri")
                .values(SQLBind(commentID), SQLBind(siteID), SQLBind(noteID), SQLBind(actorURI)).run()
        }
    }
}
