import DreyCore
import Foundation
import SQLKit

extension SQLStore: ReaderStore {
    static let readerColumns = [
        "id", "site_id", "name", "email", "email_verified_at", "website", "avatar", "status", "created_at", "last_seen_at",
    ]
    static let readerColumnList = ColumnList(readerColumns)
    static let identityColumns = ["id", "reader_id", "method", "issuer", "subject", "provider", "created_at", "last_used_at"]
    static let identityColumnList = ColumnList(identityColumns)

    static func reader(from row: any SQLRow, prefix: String = "") throws -> Reader {
        Reader(
            id: try row.int64(prefix + "id"), siteID: try row.int64(prefix + "site_id"), name: try row.string(prefix + "name"),
            email: try row.decode(column: prefix + "email", as: String?.self),
            emailVerifiedAt: try row.decode(column: prefix + "email_verified_at", as: Date?.self),
            website: try row.decode(column: prefix + "website", as: String?.self),
            avatar: try row.decode(column: prefix + "avatar", as: String?.self),
            status: try row.enumValue(prefix + "status", as: Reader.Status.self), createdAt: try row.date(prefix + "created_at"),
            lastSeenAt: try row.decode(column: prefix + "last_seen_at", as: Date?.self))
    }

    static func identity(from row: any SQLRow) throws -> ReaderIdentityRecord {
        ReaderIdentityRecord(
            id: try row.int64("id"), readerID: try row.int64("reader_id"), method: try row.enumValue("method", as: ReaderIdentity.Method.self),
            issuer: try row.string("issuer"), subject: try row.string("subject"), provider: try row.string("provider"),
            createdAt: try row.date("created_at"), lastUsedAt: try row.date("last_used_at"))
    }

    public func readerIdentity(siteID: Int64, issuer: String, subject: String) async throws -> ReaderIdentityRecord? {
        try await read { db in
            try await db.select().column(Self.identityColumnList).from("reader_identities").where("site_id", .equal, SQLBind(siteID))
                .where("issuer", .equal, SQLBind(issuer)).where("subject", .equal, SQLBind(subject)).first().map(Self.identity(from:))
        }
    }

    public func createReader(_ reader: Reader, identity: ReaderIdentity, at date: Date) async throws -> (Reader, ReaderIdentityRecord) {
        try await write { db in
            let id =
                try await db.insert(into: "readers")
                .columns("site_id", "name", "email", "email_verified_at", "website", "avatar", "status", "created_at", "last_seen_at")
                .values(
                    SQLBind(reader.siteID), SQLBind(reader.name), SQLBind(reader.email), SQLBind(reader.emailVerifiedAt),
                    SQLBind(reader.website), SQLBind(reader.avatar), SQLBind(reader.status.rawValue), SQLBind(date), SQLBind(date)
                )
                .returning("id").first(decodingColumn: "id", as: Int64.self) ?? 0
            var created = reader
            created.id = id
            created.createdAt = date.storable
            created.lastSeenAt = date.storable
            let record = try await Self.insertIdentity(db, readerID: id, siteID: reader.siteID, identity: identity, at: date)
            return (created, record)
        }
    }

    public func addReaderIdentity(readerID: Int64, siteID: Int64, identity: ReaderIdentity, at date: Date) async throws -> ReaderIdentityRecord {
        try await write { db in try await Self.insertIdentity(db, readerID: readerID, siteID: siteID, identity: identity, at: date) }
    }

    static func insertIdentity(_ db: any SQLDatabase, readerID: Int64, siteID: Int64, identity: ReaderIdentity, at date: Date) async throws
        -> ReaderIdentityRecord
    {
        let existing = try await db.select().column("id").from("reader_identities").where("site_id", .equal, SQLBind(siteID))
            .where("issuer", .equal, SQLBind(identity.issuer)).where("subject", .equal, SQLBind(identity.subject)).first()
        if existing != nil { throw StoreError.conflict("this sign-in method already belongs to a reader") }
        let id =
            try await db.insert(into: "reader_identities")
            .columns("site_id", "reader_id", "method", "issuer", "subject", "provider", "created_at", "last_used_at")
            .values(
                SQLBind(siteID), SQLBind(readerID), SQLBind(identity.method.rawValue), SQLBind(identity.issuer), SQLBind(identity.subject),
                SQLBind(identity.provider), SQLBind(date), SQLBind(date)
            )
            .returning("id").first(decodingColumn: "id", as: Int64.self) ?? 0
        return ReaderIdentityRecord(
            id: id, readerID: readerID, method: identity.method, issuer: identity.issuer, subject: identity.subject,
            provider: identity.provider, createdAt: date.storable, lastUsedAt: date.storable)
    }

    public func touchReaderIdentity(id: Int64, at date: Date) async throws {
        try await read { db in
            try await db.update("reader_identities").set("last_used_at", to: SQLBind(date)).where("id", .equal, SQLBind(id)).run()
        }
    }

    public func reader(id: Int64, siteID: Int64) async throws -> Reader? {
        try await read { db in
            try await db.select().column(Self.readerColumnList).from("readers").where("id", .equal, SQLBind(id))
                .where("site_id", .equal, SQLBind(siteID)).first().map { try Self.reader(from: $0) }
        }
    }

    public func readerIdentities(readerID: Int64) async throws -> [ReaderIdentityRecord] {
        try await read { db in
            try await db.select().column(Self.identityColumnList).from("reader_identities").where("reader_id", .equal, SQLBind(readerID))
                .orderBy("created_at").orderBy("id").all().map(Self.identity(from:))
        }
    }

    public func updateReader(_ reader: Reader) async throws {
        try await read { db in
            try await db.update("readers").set("name", to: SQLBind(reader.name)).set("email", to: SQLBind(reader.email))
                .set("email_verified_at", to: SQLBind(reader.emailVerifiedAt)).set("website", to: SQLBind(reader.website))
                .set("avatar", to: SQLBind(reader.avatar)).set("status", to: SQLBind(reader.status.rawValue))
                .where("id", .equal, SQLBind(reader.id)).where("site_id", .equal, SQLBind(reader.siteID)).run()
        }
    }

    /// Blocking also signs the reader out everywhere, in the same transaction.
    public func setReaderStatus(_ status: Reader.Status, readerID: Int64, siteID: Int64) async throws {
        try await write { db in
            try await db.update("readers").set("status", to: SQLBind(status.rawValue)).where("id", .equal, SQLBind(readerID))
                .where("site_id", .equal, SQLBind(siteID)).run()
            if status == .blocked {
                try await db.delete(from: "reader_sessions").where("reader_id", .equal, SQLBind(readerID)).run()
            }
        }
    }

    public func deleteReader(id: Int64, siteID: Int64) async throws {
        try await write { db in
            // Comments keep the name they were written under; only the link to the account goes.
            try await db.update("comments").set("reader_id", to: SQLLiteral.null).where("reader_id", .equal, SQLBind(id)).run()
            try await db.delete(from: "reader_sessions").where("reader_id", .equal, SQLBind(id)).run()
            try await db.delete(from: "reader_identities").where("reader_id", .equal, SQLBind(id)).run()
            try await db.delete(from: "readers").where("id", .equal, SQLBind(id)).where("site_id", .equal, SQLBind(siteID)).run()
        }
    }

    public func readers(siteID: Int64, limit: Int, offset: Int) async throws -> [ReaderListRow] {
        try await read { db in
            let readers = try await db.select().column(Self.readerColumnList).from("readers").where("site_id", .equal, SQLBind(siteID))
                .orderBy("created_at", .descending).orderBy("id", .descending).limit(limit).offset(offset).all()
                .map { try Self.reader(from: $0) }
            guard !readers.isEmpty else { return [] }
            var providers: [Int64: [String]] = [:]
            let rows = try await db.select().columns("reader_id", "provider").from("reader_identities")
                .where("reader_id", .in, SQLBind.group(readers.map(\.id))).orderBy("created_at").orderBy("id").all()
            for row in rows { providers[try row.int64("reader_id"), default: []].append(try row.string("provider")) }
            return readers.map { ReaderListRow(reader: $0, providers: providers[$0.id] ?? []) }
        }
    }

    public func readerCount(siteID: Int64) async throws -> Int {
        try await read { db in
            try await db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("readers")
                .where("site_id", .equal, SQLBind(siteID)).first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }

    public func createReaderSession(tokenHash: String, siteID: Int64, readerID: Int64, identityID: Int64, at date: Date, expiresAt: Date)
        async throws
    {
        try await read { db in
            try await db.insert(into: "reader_sessions")
                .columns("token_hash", "site_id", "reader_id", "identity_id", "created_at", "expires_at", "last_seen_at")
                .values(
                    SQLBind(tokenHash), SQLBind(siteID), SQLBind(readerID), SQLBind(identityID), SQLBind(date), SQLBind(expiresAt),
                    SQLBind(date)
                ).run()
        }
    }

    public func readerSession(tokenHash: String, siteID: Int64) async throws -> ReaderSession? {
        try await read { db in
            let columns = Self.readerColumns.map { "r.\($0) AS r_\($0)" }.joined(separator: ", ")
            let query: SQLQueryString = """
                SELECT \(unsafeRaw: columns), i.provider AS i_provider, s.identity_id AS s_identity_id,
                s.expires_at AS s_expires_at, s.last_seen_at AS s_last_seen_at
                FROM reader_sessions s JOIN readers r ON r.id = s.reader_id JOIN reader_identities i ON i.id = s.identity_id
                WHERE s.token_hash = \(bind: tokenHash) AND s.site_id = \(bind: siteID)
                """
            guard let row = try await db.raw(query).first() else { return nil }
            return ReaderSession(
                reader: try Self.reader(from: row, prefix: "r_"), provider: try row.string("i_provider"),
                identityID: try row.int64("s_identity_id"), expiresAt: try row.date("s_expires_at"), lastSeenAt: try row.date("s_last_seen_at"))
        }
    }

    public func touchReaderSession(tokenHash: String, at date: Date) async throws {
        try await read { db in
            let readerID = try await db.select().column("reader_id").from("reader_sessions").where("token_hash", .equal, SQLBind(tokenHash))
                .first(decodingColumn: "reader_id", as: Int64.self)
            try await db.update("reader_sessions").set("last_seen_at", to: SQLBind(date)).where("token_hash", .equal, SQLBind(tokenHash)).run()
            if let readerID {
                try await db.update("readers").set("last_seen_at", to: SQLBind(date)).where("id", .equal, SQLBind(readerID)).run()
            }
        }
    }

    public func deleteReaderSession(tokenHash: String) async throws {
        try await read { db in try await db.delete(from: "reader_sessions").where("token_hash", .equal, SQLBind(tokenHash)).run() }
    }

    public func deleteReaderSessions(readerID: Int64) async throws {
        try await read { db in try await db.delete(from: "reader_sessions").where("reader_id", .equal, SQLBind(readerID)).run() }
    }

    public func pruneReaderSessions(before date: Date) async throws -> Int {
        try await write { db in
            let sessions = try await db.delete(from: "reader_sessions").where("expires_at", .lessThan, SQLBind(date))
                .returning("token_hash").all().count
            let codes = try await db.delete(from: "reader_signin_codes").where("expires_at", .lessThan, SQLBind(date))
                .returning("token_hash").all().count
            return sessions + codes
        }
    }

    static let codeColumns = ["token_hash", "site_id", "email", "code_hash", "attempts", "return_to", "created_at", "expires_at", "used_at"]
    static let codeColumnList = ColumnList(codeColumns)

    static func signInCode(from row: any SQLRow) throws -> ReaderSignInCode {
        ReaderSignInCode(
            tokenHash: try row.string("token_hash"), siteID: try row.int64("site_id"), email: try row.string("email"),
            codeHash: try row.string("code_hash"), attempts: try row.int("attempts"), returnTo: try row.string("return_to"),
            createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"), usedAt: try row.decode(column: "used_at", as: Date?.self))
    }

    public func createSignInCode(_ code: ReaderSignInCode) async throws {
        try await read { db in
            try await db.insert(into: "reader_signin_codes")
                .columns("token_hash", "site_id", "email", "code_hash", "attempts", "return_to", "created_at", "expires_at")
                .values(
                    SQLBind(code.tokenHash), SQLBind(code.siteID), SQLBind(code.email), SQLBind(code.codeHash), SQLBind(code.attempts),
                    SQLBind(code.returnTo), SQLBind(code.createdAt), SQLBind(code.expiresAt)
                ).run()
        }
    }

    public func signInCode(tokenHash: String) async throws -> ReaderSignInCode? {
        try await read { db in
            try await db.select().column(Self.codeColumnList).from("reader_signin_codes").where("token_hash", .equal, SQLBind(tokenHash))
                .first().map(Self.signInCode(from:))
        }
    }

    public func latestSignInCode(siteID: Int64, email: String) async throws -> ReaderSignInCode? {
        try await read { db in
            try await db.select().column(Self.codeColumnList).from("reader_signin_codes").where("site_id", .equal, SQLBind(siteID))
                .where("email", .equal, SQLBind(email)).orderBy("created_at", .descending).first().map(Self.signInCode(from:))
        }
    }

    public func recordSignInCodeAttempt(tokenHash: String) async throws -> Int {
        try await write { db in
            try await db.update("reader_signin_codes").set(SQLIdentifier("attempts"), to: SQLRaw("attempts + 1"))
                .where("token_hash", .equal, SQLBind(tokenHash)).run()
            return try await db.select().column("attempts").from("reader_signin_codes").where("token_hash", .equal, SQLBind(tokenHash))
                .first(decodingColumn: "attempts", as: Int.self) ?? 0
        }
    }

    public func consumeSignInCode(tokenHash: String, now: Date, maxAttempts: Int) async throws -> Bool {
        try await write { db in
            // One conditional UPDATE: two POSTs racing with the same link cannot both sign in.
            let used = try await db.update("reader_signin_codes").set("used_at", to: SQLBind(now))
                .where("token_hash", .equal, SQLBind(tokenHash)).where("used_at", .is, SQLLiteral.null)
                .where("expires_at", .greaterThan, SQLBind(now)).where("attempts", .lessThan, SQLBind(maxAttempts))
                .returning("token_hash").all()
            return !used.isEmpty
        }
    }

    public func deleteSignInCode(tokenHash: String) async throws {
        try await read { db in try await db.delete(from: "reader_signin_codes").where("token_hash", .equal, SQLBind(tokenHash)).run() }
    }

    public func linkComment(id: Int64, readerID: Int64) async throws {
        try await read { db in
            try await db.update("comments").set("reader_id", to: SQLBind(readerID)).where("id", .equal, SQLBind(id)).run()
        }
    }

    public func readerHistory(siteID: Int64, readerID: Int64) async throws -> Reputation.Counts {
        try await read { db in
            let rows = try await db.select().column("status").column(SQLFunction("count", args: SQLLiteral.all), as: "n")
                .from("comments").where("site_id", .equal, SQLBind(siteID)).where("reader_id", .equal, SQLBind(readerID))
                .where("status", .in, SQLBind.group([CommentStatus.spam.rawValue, CommentStatus.approved.rawValue]))
                .groupBy("status").all()
            var counts = Reputation.Counts()
            for row in rows {
                let n = try row.int("n")
                if try row.string("status") == CommentStatus.spam.rawValue { counts.spam = n } else { counts.approved = n }
            }
            return counts
        }
    }

    public func readerComments(readerID: Int64, siteID: Int64) async throws -> [ReaderComment] {
        try await read { db in
            try await db.select().columns("id", "post_id", "status", "author_name", "author_email", "author_url", "source", "created_at")
                .from("comments").where("site_id", .equal, SQLBind(siteID)).where("reader_id", .equal, SQLBind(readerID))
                .orderBy("created_at", .descending).orderBy("id", .descending).all()
                .map {
                    ReaderComment(
                        id: try $0.int64("id"), postID: try $0.int64("post_id"), status: try $0.string("status"),
                        authorName: try $0.string("author_name"), authorEmail: try $0.string("author_email"),
                        authorURL: try $0.string("author_url"), text: try $0.string("source"), createdAt: try $0.date("created_at"))
                }
        }
    }

    public func commentReaders(postID: Int64) async throws -> [Int64: Reader] {
        try await read { db in
            let columns = Self.readerColumns.map { "r.\($0) AS r_\($0)" }.joined(separator: ", ")
            let rows = try await db.raw(
                "SELECT c.id AS comment_id, \(unsafeRaw: columns) FROM comments c JOIN readers r ON r.id = c.reader_id WHERE c.post_id = \(bind: postID)"
            ).all()
            var out: [Int64: Reader] = [:]
            for row in rows { out[try row.int64("comment_id")] = try Self.reader(from: row, prefix: "r_") }
            return out
        }
    }

    public func readerSessions(readerID: Int64) async throws -> [ReaderSessionInfo] {
        try await read { db in
            try await db.raw(
                """
                SELECT i.provider, s.created_at, s.expires_at, s.last_seen_at FROM reader_sessions s
                JOIN reader_identities i ON i.id = s.identity_id WHERE s.reader_id = \(bind: readerID) ORDER BY s.created_at
                """
            ).all().map {
                ReaderSessionInfo(
                    provider: try $0.string("provider"), createdAt: try $0.date("created_at"), expiresAt: try $0.date("expires_at"),
                    lastSeenAt: try $0.date("last_seen_at"))
            }
        }
    }
}
