import DreyCore
import DreyTestSupport
import Foundation
import NIOCore
import SQLKit
import SQLiteKit
import Testing

@testable import DreyStore

/// The store's reads on SQLite run on connections that keep their statements (decision 0027): the same rows as
/// sqlite-nio gives, each statement prepared once, what else a read body runs still done, and every commit seen.
@Suite struct SQLiteReadsTests {
    struct Item: Equatable {
        var id: Int64
        var name: String
        var score: Double?
        var data: [UInt8]?
    }

    func withDatabase(_ body: (Database, SQLitePool) async throws -> Void) async throws {
        try await TestDatabase.sqlite.withMigrated { db, _ in
            guard case .sqlite(let pool) = db.backend else { throw StoreError.invalid("not SQLite") }
            try await db.withSQL { sql in
                try await sql.raw("CREATE TABLE reads_test (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, data BLOB)").run()
            }
            try await body(db, pool)
        }
    }

    func items(_ db: Database, above: Int64) async throws -> [Item] {
        try await db.withReads { sql in
            try await sql.select().columns("id", "name", "score", "data").from("reads_test").where("id", .greaterThan, SQLBind(above))
                .orderBy("id").all().map { row in
                    Item(
                        id: try row.decode(column: "id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
                        score: try row.decode(column: "score", as: Double?.self),
                        data: try row.decode(column: "data", as: Data?.self).map { Array($0) })
                }
        }
    }

    @Test("reads give sqlite-nio's rows, prepare each statement once, and see every commit at once")
    func reads() async throws {
        try await withDatabase { db, pool in
            // Written in a transaction (sqlite-nio's connections), read on the reading connections.
            try await db.transaction { sql in
                try await sql.raw("INSERT INTO reads_test (id, name, score, data) VALUES (1, 'één ☃', 1.5, x'00ff10')").run()
                try await sql.raw("INSERT INTO reads_test (id, name, score, data) VALUES (2, 'two', NULL, NULL)").run()
            }
            let expected = [
                Item(id: 1, name: "één ☃", score: 1.5, data: [0, 255, 16]), Item(id: 2, name: "two", score: nil, data: nil),
            ]
            #expect(try await items(db, above: 0) == expected)
            #expect(try await items(db, above: 1) == [expected[1]])
            // The same rows through sqlite-nio, for the decoding.
            let direct = try await db.withSQL { sql in
                try await sql.raw("SELECT name, score FROM reads_test ORDER BY id").all().map {
                    [try $0.decode(column: "name", as: String.self), String(describing: try $0.decode(column: "score", as: Double?.self))]
                }
            }
            let read = try await db.withReads { sql in
                try await sql.raw("SELECT name, score FROM reads_test ORDER BY id").all().map {
                    [try $0.decode(column: "name", as: String.self), String(describing: try $0.decode(column: "score", as: Double?.self))]
                }
            }
            #expect(read == direct)
            #expect(pool.reads.preparedCount == 2, "the same SELECT with another value is the same statement")

            // A read body's other statements go to sqlite-nio (the reading connections are read-only), and the
            // next read sees what they committed.
            try await db.withReads { sql in try await sql.raw("INSERT INTO reads_test (id, name) VALUES (3, 'three')").run() }
            #expect(try await items(db, above: 2).map(\.name) == ["three"])
            // A write elsewhere (another connection, as the CLI's) is seen by the next read.
            try await db.withSQL { sql in try await sql.raw("UPDATE reads_test SET name = 'THREE' WHERE id = 3").run() }
            #expect(try await items(db, above: 2).map(\.name) == ["THREE"])

            // Inside a transaction a read sees the transaction's own writes, not yet committed.
            try await db.transaction { _ in
                try await db.withSQL { sql in try await sql.raw("INSERT INTO reads_test (id, name) VALUES (4, 'four')").run() }
                #expect(try await items(db, above: 3).map(\.name) == ["four"])
            }
            // A bad statement is an error that says why.
            await #expect(throws: (any Error).self) {
                try await db.withReads { sql in try await sql.raw("SELECT id FROM no_such_table").run() }
            }
            do {
                try await db.withReads { sql in try await sql.raw("SELECT id FROM no_such_table").run() }
            } catch {
                #expect(String(describing: error).contains("no such table: no_such_table"), "\(error)")
            }
        }
    }

    @Test("text, integers, flags and their optionals convert as sqlite-nio's decoder converts them, NULLs and mismatches alike")
    func conversions() async throws {
        try await withDatabase { db, _ in
            try await db.transaction { sql in
                try await sql.raw("INSERT INTO reads_test (id, name, score, data) VALUES (1, 'één', 1.5, NULL)").run()
                try await sql.raw("INSERT INTO reads_test (id, name, score, data) VALUES (2, '42', NULL, x'01')").run()
                try await sql.raw("INSERT INTO reads_test (id, name, score, data) VALUES (0, 'true', 2.0, 'text')").run()
            }
            @Sendable func converted(_ row: any SQLRow) -> [String] {
                func one<T: Decodable>(_ column: String, _ type: T.Type) -> String {
                    do { return "\(try row.decode(column: column, as: type))" } catch { return "error" }
                }
                return ["id", "name", "score", "data"].flatMap { column in
                    [
                        one(column, String.self), one(column, String?.self), one(column, Int64.self), one(column, Int64?.self),
                        one(column, Int.self), one(column, Int?.self), one(column, Bool.self),
                    ]
                }
            }
            let text = "SELECT id, name, score, data FROM reads_test ORDER BY id"
            let direct = try await db.withSQL { sql in try await sql.raw(SQLQueryString(text)).all().map(converted) }
            let read = try await db.withReads { sql in try await sql.raw(SQLQueryString(text)).all().map(converted) }
            #expect(read == direct)
            #expect(direct.count == 3 && direct.joined().contains("nil"))
        }
    }

    @Test("the store's column readers give from a reading connection's row what they give from sqlite-nio's")
    func storeReaders() async throws {
        try await withDatabase { db, _ in
            try await db.transaction { sql in
                try await sql.raw("INSERT INTO reads_test (id, name, score, data) VALUES (1, 'één', 1.5, NULL)").run()
                try await sql.raw("INSERT INTO reads_test (id, name, score, data) VALUES (2, '42', NULL, x'01')").run()
                try await sql.raw("INSERT INTO reads_test (id, name, score, data) VALUES (0, '2008-01-27T00:04:00Z', 2.0, 'text')").run()
            }
            @Sendable func read(_ row: any SQLRow) -> [String] {
                func one(_ value: () throws -> Any?) -> String {
                    do { return "\(try value() as Any)" } catch { return "error" }
                }
                return ["id", "name", "score", "data", "missing"].flatMap { column in
                    [
                        one { try row.string(column) }, one { try row.int(column) }, one { try row.int64(column) },
                        one { try row.optionalInt64(column) }, one { try row.bool(column) }, one { try row.date(column) },
                    ]
                }
            }
            let text = "SELECT id, name, score, data FROM reads_test ORDER BY id"
            let direct = try await db.withSQL { sql in try await sql.raw(SQLQueryString(text)).all().map(read) }
            let fast = try await db.withReads { sql in try await sql.raw(SQLQueryString(text)).all().map(read) }
            #expect(fast == direct)
            #expect(direct.joined().contains("error") && direct.joined().joined().contains("2008-01-27 00:04:00"), "\(direct)")
        }
    }

    @Test("a read runs on the calling thread until it was slow, then on the thread pool until it is fast again")
    func slowReads() async throws {
        try await withDatabase { db, pool in
            try await db.withSQL { sql in try await sql.raw("INSERT INTO reads_test (id, name) VALUES (1, 'one'), (2, 'two')").run() }
            let text = "SELECT name FROM reads_test ORDER BY id"
            func names() async throws -> [String] {
                try await db.withReads { sql in try await sql.raw(SQLQueryString(text)).all().map { try $0.decode(column: "name", as: String.self) } }
            }
            // However loaded the machine, no run counts as slow: the statement stays on the calling thread.
            pool.reads.slowRun = .seconds(60)
            #expect(try await names() == ["one", "two"])
            #expect(!pool.reads.runsOnPool(text), "a fast read stays on the calling thread")
            // Every run counts as slow: the statement moves to the pool, and still answers the same.
            pool.reads.slowRun = .zero
            #expect(try await names() == ["one", "two"])
            #expect(pool.reads.runsOnPool(text))
            #expect(try await names() == ["one", "two"])
            #expect(pool.reads.runsOnPool(text), "slow on the pool: it stays there")
            // Fast on the pool again: back to the calling thread.
            pool.reads.slowRun = .seconds(60)
            #expect(try await names() == ["one", "two"])
            #expect(!pool.reads.runsOnPool(text))
        }
    }

    @Test("a transaction whose task is cancelled is rolled back: nothing of it stays, and every connection can begin the next")
    func cancelledTransaction() async throws {
        try await withDatabase { db, _ in
            let task = Task {
                try await db.transaction { sql in
                    try await sql.raw("INSERT INTO reads_test (id, name) VALUES (1, 'never')").run()
                    try await Task.sleep(for: .seconds(30))
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            _ = await task.result
            // Every connection of the pool takes a transaction at once (one left inside the last would refuse BEGIN, or
            // hold the write lock through the busy timeout).
            for n in 2...6 {
                try await db.transaction { sql in
                    try await sql.raw(SQLQueryString("INSERT INTO reads_test (id, name) VALUES (\(literal: n), 'kept')")).run()
                }
            }
            let names = try await db.withSQL { sql in
                try await sql.raw("SELECT name FROM reads_test ORDER BY id").all().map { try $0.decode(column: "name", as: String.self) }
            }
            #expect(names == Array(repeating: "kept", count: 5))
        }
    }

    @Test("a snapshot's reads see one state of the database, its own child tasks' too; after it, the next read sees every commit")
    func snapshot() async throws {
        try await withDatabase { db, pool in
            try await db.withSQL { sql in try await sql.raw("INSERT INTO reads_test (id, name) VALUES (1, 'one')").run() }
            // However loaded the machine, every read runs on the calling thread: a statement sent to NIO's pool as slow
            // does not see the task-local, and reads outside the snapshot.
            pool.reads.slowRun = .seconds(60)
            try await db.readSnapshot {
                #expect(try await items(db, above: 0).map(\.name) == ["one"])
                // Committed by another connection while the snapshot reads: not seen inside it.
                try await db.withSQL { sql in try await sql.raw("UPDATE reads_test SET name = 'ONE' WHERE id = 1").run() }
                try await db.transaction { sql in try await sql.raw("INSERT INTO reads_test (id, name) VALUES (2, 'two')").run() }
                #expect(try await items(db, above: 0).map(\.name) == ["one"])
                async let child = items(db, above: 0)
                #expect(try await child.map(\.name) == ["one"], "a child task reads in the same snapshot")
                // A snapshot inside a snapshot is the same one.
                try await db.readSnapshot { () async throws in #expect(try await items(db, above: 0).map(\.name) == ["one"]) }
                // Outside it, the latest commit.
                try await db.outsideSnapshot { () async throws in #expect(try await items(db, above: 0).map(\.name) == ["ONE", "two"]) }
            }
            #expect(try await items(db, above: 0).map(\.name) == ["ONE", "two"])
            // The snapshot's connection went back without a transaction left open: every idle connection sees the commit.
            try await db.withSQL { sql in try await sql.raw("UPDATE reads_test SET name = 'Two' WHERE id = 2").run() }
            for _ in 0..<3 { #expect(try await items(db, above: 1).map(\.name) == ["Two"]) }
            // A snapshot whose body throws ends as well.
            await #expect(throws: StoreError.self) {
                try await db.readSnapshot {
                    _ = try await items(db, above: 0)
                    throw StoreError.invalid("the body failed")
                }
            }
            try await db.withSQL { sql in try await sql.raw("UPDATE reads_test SET name = 'TWO' WHERE id = 2").run() }
            #expect(try await items(db, above: 1).map(\.name) == ["TWO"])
            #expect(pool.reads.preparedCount > 0)
        }
    }

    @Test("binds convert as SQLiteKit's encoder converts them")
    func binds() throws {
        let encoder = SQLiteDataEncoder()
        let values: [any Encodable & Sendable] = [Int64(-7), Int64.max, 42, "één ☃", "", 1.5, true, Int32(3), Date(timeIntervalSince1970: 12.5)]
        for value in values {
            #expect(try ReadingSQLiteDatabase.data(value, encoder) == encoder.encode(value), "\(value)")
        }
    }

    @Test("only a plain SELECT goes to the reading connections")
    func plainSelect() {
        #expect(ReadingSQLiteDatabase.isPlainSelect("SELECT 1"))
        #expect(ReadingSQLiteDatabase.isPlainSelect("  select\n\"id\" FROM x"))
        #expect(ReadingSQLiteDatabase.isPlainSelect("SELECT(1)"))
        #expect(ReadingSQLiteDatabase.isPlainSelect("SELECT * FROM x"))
        #expect(!ReadingSQLiteDatabase.isPlainSelect("SELECTED"))
        #expect(!ReadingSQLiteDatabase.isPlainSelect("WITH a AS (SELECT 1) SELECT * FROM a"))
        #expect(!ReadingSQLiteDatabase.isPlainSelect("INSERT INTO x SELECT 1"))
        #expect(!ReadingSQLiteDatabase.isPlainSelect("SELEC"))
    }
}
