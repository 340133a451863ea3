import CDreySQLite
import DreyCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit

/// The store's reads on SQLite, each statement prepared once per connection and kept: sqlite-nio parses every
/// statement anew (a sixth of an uncached page's time), and SQLite 3.54 then parsed most of them a second time once
/// their values were bound. Read-only connections of their own on the same SQLite library as sqlite-nio's (see
/// `CDreySQLite`), used one thread at a time, on the calling thread unless a statement was slow. Writes, transactions and
/// anything but a plain `SELECT` still go through sqlite-nio (`ReadingSQLiteDatabase`).
final class SQLiteReads: @unchecked Sendable {
    let path: String
    private let idle = Locked<[Connection]>([])
    private let closed = Locked(false)
    /// Statements kept per connection; past it they are all finalized and the cache starts again (an `IN` list of a
    /// new length is a new statement).
    static let statementLimit = 64

    init(path: String) { self.path = path }

    struct Failure: Error, CustomStringConvertible {
        let message: String
        var description: String { "SQLite: \(message)" }
    }

    /// One row: its columns' names (the first of a repeated name wins, as in sqlite-nio) and values.
    struct Row: SQLRow {
        let names: [String: Int]
        let values: [SQLiteData]
        let decoder: SQLiteDataDecoder

        var allColumns: [String] { names.sorted { $0.value < $1.value }.map(\.key) }
        /// The column's value; nil when there is no such column.
        func value(_ column: String) -> SQLiteData? { names[column].map { values[$0] } }
        func contains(column: String) -> Bool { names[column] != nil }
        func decodeNil(column: String) throws -> Bool {
            guard let index = names[column] else { return true }
            return values[index] == .null
        }
        func decode<D: Decodable>(column: String, as: D.Type) throws -> D {
            guard let index = names[column] else { throw Failure(message: "no column \(column) in the result") }
            let value = values[index]
            // The store's common columns converted as SQLiteKit's decoder converts them, without its casts of the type.
            // Metatypes are compared, not cast (`is String.Type` is a dynamic cast on every column of every row); a
            // NULL is nil for an optional, as the decoder's `decodeNil` makes it.
            if D.self == String.self || D.self == String?.self {
                if case .null = value, D.self == String?.self { return String?.none as! D }
                if let text = String(sqliteData: value) { return D.self == String.self ? text as! D : String?.some(text) as! D }
            } else if D.self == Int64.self || D.self == Int64?.self {
                if case .null = value, D.self == Int64?.self { return Int64?.none as! D }
                if let number = Int64(sqliteData: value) { return D.self == Int64.self ? number as! D : Int64?.some(number) as! D }
            } else if D.self == Int.self || D.self == Int?.self {
                if case .null = value, D.self == Int?.self { return Int?.none as! D }
                if let number = Int(sqliteData: value) { return D.self == Int.self ? number as! D : Int?.some(number) as! D }
            } else if D.self == Bool.self, let flag = Bool(sqliteData: value) {
                return flag as! D
            }
            return try decoder.decode(D.self, from: value)
        }
    }

    final class Connection: @unchecked Sendable {
        let handle: OpaquePointer
        var statements: [String: OpaquePointer] = [:]
        /// Each kept statement's column names and places, read once (again if its column count changed: a schema
        /// change makes SQLite prepare a statement anew).
        var columns: [OpaquePointer: (count: Int32, names: [String: Int])] = [:]

        init(handle: OpaquePointer) { self.handle = handle }

        var lastError: String { sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "unknown error" }

        func statement(_ sql: String) throws -> OpaquePointer {
            if let kept = statements[sql] { return kept }
            if statements.count >= SQLiteReads.statementLimit { finalizeAll() }
            var made: OpaquePointer?
            let rc = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(DREY_SQLITE_PREPARE_PERSISTENT), &made, nil)
            guard rc == DREY_SQLITE_OK, let made else { throw Failure(message: lastError) }
            statements[sql] = made
            return made
        }

        func finalizeAll() {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
            statements.removeAll()
            columns.removeAll()
        }

        /// The statement's column names and places; the first of a repeated name wins, as in sqlite-nio.
        func names(_ statement: OpaquePointer) -> [String: Int] {
            let count = sqlite_nio_sqlite3_column_count(statement)
            if let known = columns[statement], known.count == count { return known.names }
            var names: [String: Int] = [:]
            for column in 0..<count {
                let name = String(cString: sqlite_nio_sqlite3_column_name(statement, column))
                if names[name] == nil { names[name] = Int(column) }
            }
            columns[statement] = (count, names)
            return names
        }

        func close() {
            finalizeAll()
            sqlite_nio_sqlite3_close_v2(handle)
        }
    }

    /// Statements whose last run took longer than `slowRun`: they run on NIO's thread pool (sqlite-nio's), every
    /// other one on the calling thread. Most of a page's statements take tens of microseconds from SQLite's page
    /// cache, and the hand-off to a pool thread and back cost more than that (decision 0028); a slow one (a search
    /// through every post) would hold a thread of Swift's cooperative pool, which answers every other request, so it
    /// is sent away, and comes back when a run on the pool is fast again.
    private let slow = Locked<Set<String>>([])
    /// How long a run may take and still run on the calling thread.
    var slowRun: Duration = .milliseconds(2)
    static let slowLimit = 256

    /// Runs `sql` with `binds` and returns its rows: on the calling thread, or on NIO's pool when it was slow.
    func query(_ sql: String, _ binds: [SQLiteData], decoder: SQLiteDataDecoder) async throws -> [Row] {
        if slow.withLock({ $0.contains(sql) }) {
            return try await NIOThreadPool.singleton.runIfActive { try self.timed(sql, binds, decoder: decoder, onPool: true) }
        }
        return try timed(sql, binds, decoder: decoder, onPool: false)
    }

    /// Whether `sql` runs on the pool (for tests).
    func runsOnPool(_ sql: String) -> Bool { slow.withLock { $0.contains(sql) } }

    private func timed(_ sql: String, _ binds: [SQLiteData], decoder: SQLiteDataDecoder, onPool: Bool) throws -> [Row] {
        let clock = ContinuousClock()
        let start = clock.now
        let rows = try run(sql, binds, decoder: decoder)
        let wasSlow = clock.now - start > slowRun
        if wasSlow != onPool {
            slow.withLock { slow in
                if wasSlow {
                    if slow.count >= Self.slowLimit { slow.removeAll() }
                    slow.insert(sql)
                } else {
                    slow.remove(sql)
                }
            }
        }
        return rows
    }

    private func run(_ sql: String, _ binds: [SQLiteData], decoder: SQLiteDataDecoder) throws -> [Row] {
        // Inside a snapshot of this database, on its connection, unless another read of the same render (a child task)
        // holds it at this moment: a thread of Swift's pool does not wait for it. (A slow statement, run on NIO's pool,
        // does not see the task-local: it reads outside the snapshot, as every statement did before.)
        if let snapshot = Self.snapshot, snapshot.owner === self, snapshot.lock.try() {
            defer { snapshot.lock.unlock() }
            if let connection = try snapshot.connection(self) {
                return try run(sql, binds, decoder: decoder, on: connection)
            }
        }
        let connection = try checkout()
        defer { checkin(connection) }
        return try run(sql, binds, decoder: decoder, on: connection)
    }

    private func run(_ sql: String, _ binds: [SQLiteData], decoder: SQLiteDataDecoder, on connection: Connection) throws -> [Row] {
        let statement = try connection.statement(sql)
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (offset, bind) in binds.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch bind {
            case .integer(let value): rc = sqlite_nio_sqlite3_bind_int64(statement, index, Int64(value))
            case .float(let value): rc = sqlite_nio_sqlite3_bind_double(statement, index, value)
            case .null: rc = sqlite_nio_sqlite3_bind_null(statement, index)
            case .text(let value):
                var text = value
                rc = text.withUTF8 { drey_sqlite_bind_text(statement, index, $0.baseAddress, UInt64($0.count)) }
            case .blob(let value):
                rc = value.withUnsafeReadableBytes { drey_sqlite_bind_blob(statement, index, $0.baseAddress, UInt64($0.count)) }
            }
            guard rc == DREY_SQLITE_OK else { throw Failure(message: connection.lastError) }
        }
        let count = sqlite_nio_sqlite3_column_count(statement)
        let names = connection.names(statement)
        var rows: [Row] = []
        while true {
            let rc = sqlite_nio_sqlite3_step(statement)
            if rc == DREY_SQLITE_DONE { break }
            guard rc == DREY_SQLITE_ROW else { throw Failure(message: connection.lastError) }
            var values: [SQLiteData] = []
            values.reserveCapacity(Int(count))
            for column in 0..<count { values.append(Self.value(statement, column)) }
            rows.append(Row(names: names, values: values, decoder: decoder))
        }
        return rows
    }

    static func value(_ statement: OpaquePointer, _ column: Int32) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case Int32(DREY_SQLITE_INTEGER): return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case Int32(DREY_SQLITE_FLOAT): return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case Int32(DREY_SQLITE_TEXT):
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
        case Int32(DREY_SQLITE_BLOB):
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: length)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: length))
            }
            return .blob(buffer)
        default: return .null
        }
    }

    // MARK: - One read transaction for a render

    /// The reads of one page's render in one read transaction, on one connection. Each statement outside a
    /// transaction begins and ends one of its own, and on a WAL database that takes and drops a read lock on the
    /// shared-memory index with `fcntl` and looks at the WAL's header again: a sixth of the SQLite time of an uncached
    /// post page's fifteen statements. The page also reads one state of the blog, not a comment count from before a
    /// write and its thread from after.
    final class Snapshot: @unchecked Sendable {
        let lock = NSLock()
        /// The reads whose connection it holds; another database's reads inside it read as they would outside.
        let owner: SQLiteReads
        private var held: Connection?
        private var ended = false

        init(owner: SQLiteReads) { self.owner = owner }

        /// The transaction's connection, begun at the first read; nil once the snapshot has ended (a task the render
        /// started may read later: it reads as any other). Called with `lock` held.
        func connection(_ reads: SQLiteReads) throws -> Connection? {
            if ended { return nil }
            if let held { return held }
            let connection = try reads.checkout()
            do {
                try reads.step(connection, "BEGIN")
            } catch {
                reads.checkin(connection)
                throw error
            }
            held = connection
            return connection
        }

        /// Ends the transaction and gives the connection back; one still inside a transaction after that is closed.
        func end(_ reads: SQLiteReads) {
            lock.lock()
            defer { lock.unlock() }
            ended = true
            guard let connection = held else { return }
            held = nil
            try? reads.step(connection, "COMMIT")
            if sqlite_nio_sqlite3_get_autocommit(connection.handle) != 0 {
                reads.checkin(connection)
            } else {
                connection.close()
            }
        }
    }

    @TaskLocal static var snapshot: Snapshot?

    /// Runs `body` with its reads (and its child tasks' reads) in one read transaction; inside another, in that one.
    func snapshot<T>(_ body: () async throws -> T) async rethrows -> T {
        if Self.snapshot?.owner === self { return try await body() }
        let snapshot = Snapshot(owner: self)
        defer { snapshot.end(self) }
        return try await Self.$snapshot.withValue(snapshot) { try await body() }
    }

    /// Runs `body` with its reads outside any snapshot: each sees the latest commit.
    func outsideSnapshot<T>(_ body: () async throws -> T) async rethrows -> T {
        try await Self.$snapshot.withValue(nil) { try await body() }
    }

    /// Runs a statement without rows (`BEGIN`, `COMMIT`) on `connection`, kept as the others are.
    private func step(_ connection: Connection, _ sql: String) throws {
        let statement = try connection.statement(sql)
        defer { sqlite_nio_sqlite3_reset(statement) }
        guard sqlite_nio_sqlite3_step(statement) == DREY_SQLITE_DONE else { throw Failure(message: connection.lastError) }
    }

    private func checkout() throws -> Connection {
        if let connection = idle.withLock({ $0.popLast() }) { return connection }
        guard !closed.current else { throw Failure(message: "the database is closed") }
        var error = [CChar](repeating: 0, count: 512)
        guard let handle = drey_sqlite_open_reader(path, &error, Int32(error.count)) else {
            let reason = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw Failure(message: "cannot open \(path) for reading: " + reason)
        }
        return Connection(handle: handle)
    }

    private func checkin(_ connection: Connection) {
        let keep = idle.withLock { idle -> Bool in
            guard !closed.current else { return false }
            idle.append(connection)
            return true
        }
        if !keep { connection.close() }
    }

    /// Statements kept by the idle connections (for tests).
    var preparedCount: Int { idle.withLock { $0.reduce(0) { $0 + $1.statements.count } } }

    /// Closes the idle connections; one in use is closed when it comes back.
    func close() {
        closed.withLock { $0 = true }
        for connection in idle.withLock({ idle -> [Connection] in
            defer { idle.removeAll() }
            return idle
        }) {
            connection.close()
        }
    }
}

/// SQLKit over SQLite for a store read outside a transaction: a plain `SELECT` runs on `SQLiteReads`, anything else
/// on a connection of sqlite-nio's pool, as before.
struct ReadingSQLiteDatabase: SQLDatabase {
    let reads: SQLiteReads
    let pool: SQLitePool
    let template: any SQLDatabase
    /// The process's write gate (`Database.transaction`'s).
    let gate: WriteGate
    let encoder = SQLiteDataEncoder()
    let decoder = SQLiteDataDecoder()

    var logger: Logger { template.logger }
    var eventLoop: any EventLoop { template.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { template.version }
    var dialect: any SQLDialect { template.dialect }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, binds) = serialize(query)
        guard Self.isPlainSelect(sql) else {
            // A write outside a transaction (a janitor's DELETE, an upsert) waits for SQLite's write lock in the busy
            // handler, on a thread of NIO's pool: through the write gate, as transactions go, so two such waits cannot
            // take every pool thread from the transaction that holds the lock and needs one to go on. Seen at
            // start-up: the change and spam janitors' writes held both threads and reads stalled for seconds.
            try await gate.serialized { try await pool.withConnection { try await $0.sql().execute(sql: query, onRow) } }
            return
        }
        let values = try binds.map { try Self.data($0, encoder) }
        let rows = try await reads.query(sql, values, decoder: decoder)
        for row in rows { onRow(row) }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    /// A bind as SQLite data: the commonest kinds as `SQLiteDataEncoder` converts them, without its cast to a protocol
    /// (a look in the runtime's conformance table per value); anything else through it.
    static func data(_ bind: any Encodable & Sendable, _ encoder: SQLiteDataEncoder) throws -> SQLiteData {
        switch bind {
        case let number as Int64: return .integer(Int(number))
        case let text as String: return .text(text)
        case let number as Int: return .integer(number)
        default: return try encoder.encode(bind)
        }
    }

    /// A statement that only reads: it begins with `SELECT` (a `WITH` or anything else goes the usual way).
    static func isPlainSelect(_ sql: String) -> Bool {
        let bytes = sql.utf8.drop { $0 == 32 || $0 == 10 || $0 == 9 || $0 == 13 }.prefix(7)
        return bytes.count == 7 && bytes.prefix(6).elementsEqual("SELECT".utf8, by: { $0 & 0xDF == $1 })
            && (bytes.last == 32 || bytes.last == 10 || bytes.last == 9 || bytes.last == 40 || bytes.last == 34 || bytes.last == 42)
    }
}
