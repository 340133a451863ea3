import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteKit

/// A small fixed pool of SQLite connections, each set up for WAL and a sleeping busy handler.
actor SQLitePool {
    private var idle: [SQLiteConnection]
    private var waiters: [CheckedContinuation<SQLiteConnection, Never>] = []
    private let all: [SQLiteConnection]

    /// Reads outside transactions, on connections of their own with kept statements (`SQLiteReads`).
    nonisolated let reads: SQLiteReads
    /// What SQLKit asks of a database besides running queries (dialect, version, logger), from sqlite-nio's.
    nonisolated let template: any SQLDatabase

    private init(connections: [SQLiteConnection], path: String) {
        self.idle = connections
        self.all = connections
        self.reads = SQLiteReads(path: path)
        self.template = connections[0].sql()
    }

    static func open(path: String, size: Int, logger: Logger) async throws -> SQLitePool {
        var connections: [SQLiteConnection] = []
        do {
            try await openEach(&connections, path: path, size: size, logger: logger)
        } catch {
            // A failed or cancelled start closes what it opened: a connection freed open is a leaked file handle, and
            // a crash in sqlite-nio's debug builds.
            await close(connections)
            throw error
        }
        return SQLitePool(connections: connections, path: path)
    }

    private static func openEach(_ connections: inout [SQLiteConnection], path: String, size: Int, logger: Logger) async throws {
        for index in 0..<size {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            connections.append(connection)
            // The first connection switches the file to WAL; the others only need their own settings. Each connection
            // keeps its own page cache (2 MB here, SQLite's default): four of 16 MB made a third of a busy server's
            // memory, and four of 4 MB still a tenth once the page cache is full, for pages the system's file cache
            // holds anyway.
            let pragmas =
                (index == 0 ? ["PRAGMA journal_mode=WAL"] : []) + [
                    "PRAGMA busy_timeout=10000", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON",
                    "PRAGMA cache_size=-2000", "PRAGMA temp_store=MEMORY",
                ]
            for pragma in pragmas { _ = try await connection.query(pragma) }
        }
    }

    nonisolated func withConnection<T: Sendable>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        let connection = await checkout()
        do {
            let result = try await body(connection)
            await checkin(connection)
            return result
        } catch {
            await checkin(connection)
            throw error
        }
    }

    private func checkout() async -> SQLiteConnection {
        if let connection = idle.popLast() { return connection }
        return await withCheckedContinuation { waiters.append($0) }
    }

    private func checkin(_ connection: SQLiteConnection) {
        if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: connection)
        } else {
            idle.append(connection)
        }
    }

    func close() async {
        reads.close()
        await Self.close(all)
    }

    /// Closes each connection, also from a cancelled task: the async `close` gives up without closing when its task is
    /// cancelled (a start-up stopped mid-migration), so the future form is waited for.
    private static func close(_ connections: [SQLiteConnection]) async {
        for connection in connections {
            let closing: EventLoopFuture<Void> = connection.close()
            try? await closing.get()
        }
    }
}
