import Foundation
import SQLKit

/// Copies a SQLite blog into an empty, migrated PostgreSQL database: every table, ids kept, each identity sequence
/// advanced past the highest id, in one transaction; then checks each table's count. PostgreSQL's search vector is a
/// generated column, so the search index is rebuilt by the inserts themselves.
///
/// A tool between the two dialects, so the one place that reads PostgreSQL's catalog and speaks both at once.
public struct DatabaseMover: Sendable {
    public let source: Database
    public let target: Database
    /// Called after each table with its name and the rows copied.
    public var progress: @Sendable (String, Int) -> Void = { _, _ in }
    /// Rows read and inserted at a time (fewer for wide tables: PostgreSQL takes at most 65,535 parameters).
    public var rowsPerBatch = 1000

    public init(source: Database, target: Database) {
        self.source = source
        self.target = target
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    struct Column: Sendable {
        let name: String
        let type: String
        var nullable = false
    }

    struct Table: Sendable {
        let name: String
        var columns: [Column]
        /// Columns that reference this same table's `id` (a reply's parent comment, a page's parent page).
        var selfReferences: [String] = []
        var parents: Set<String> = []
        /// Columns that reference another table, with the table they reference.
        var references: [(column: String, parent: String)] = []
        /// References inserted empty and set once every table is in: they close a cycle of foreign keys (a post's
        /// featured image is an upload, an upload belongs to a post).
        var deferred: [String] = []
    }

    /// A value on its way from SQLite to PostgreSQL, typed by the PostgreSQL column it goes into.
    enum Cell: Sendable {
        case null, int(Int64), double(Double), text(String), bool(Bool), date(Date), bytes(Data)

        var expression: any SQLExpression {
            switch self {
            case .null: return SQLLiteral.null
            case .int(let v): return SQLBind(v)
            case .double(let v): return SQLBind(v)
            case .text(let v): return SQLBind(v)
            case .bool(let v): return SQLBind(v)
            case .date(let v): return SQLBind(v)
            case .bytes(let v): return SQLBind(v)
            }
        }
    }

    /// Drey's tables in the target's schema (the migrations made them), without the migration ledger.
    public static func targetTables(_ db: Database) async throws -> [String] {
        try await db.withSQL { sql in
            try await sql.raw(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
            ).all().map { try $0.decode(column: "table_name", as: String.self) }
        }
    }

    /// The target's tables that hold rows, with their counts: a move needs none.
    public func occupied() async throws -> [String: Int] {
        try await target.counts(try await describeTarget().map(\.name)).filter { $0.value > 0 }
    }

    /// Copies everything; the target must be migrated to the same schema as the source and hold no rows.
    @discardableResult
    public func move() async throws -> [(table: String, rows: Int)] {
        guard source.dialect == .sqlite, target.dialect == .postgres else { throw Failure(description: "a move goes from SQLite to PostgreSQL") }
        let tables = try await describeTarget()
        let names = tables.map(\.name)
        let already = try await occupied()
        guard already.isEmpty else {
            throw Failure(
                description:
                    "the PostgreSQL database is not empty (\(already.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value) rows" }.joined(separator: ", "))); "
                    + "give an empty database: nothing was copied")
        }
        let order = try Self.parentsFirst(tables)
        let copied = try await target.transaction { pg in
            var copied: [(table: String, rows: Int)] = []
            var deferred: [(table: String, id: Int64, column: String, value: Int64)] = []
            for table in order {
                let (n, later) = try await self.copy(table, into: pg)
                deferred += later.map { (table.name, $0.id, $0.column, $0.value) }
                self.progress(table.name, n)
                copied.append((table.name, n))
            }
            for fix in deferred {
                try await pg.update(fix.table).set(SQLIdentifier(fix.column), to: SQLBind(fix.value)).where("id", .equal, SQLBind(fix.id)).run()
            }
            try await Self.advanceSequences(pg)
            return copied
        }
        let expected = try await source.counts(names)
        let found = try await target.counts(names)
        for name in names where expected[name] != found[name] {
            throw Failure(description: "\(name): \(expected[name] ?? 0) rows in SQLite but \(found[name] ?? 0) in PostgreSQL after the copy")
        }
        return copied
    }

    private func describeTarget() async throws -> [Table] {
        try await target.withSQL { sql in
            let columns = try await sql.raw(
                """
                SELECT table_name, column_name, data_type, is_generated, is_nullable FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'
                ORDER BY table_name, ordinal_position
                """
            ).all()
            var tables: [String: Table] = [:]
            for row in columns {
                let table = try row.decode(column: "table_name", as: String.self)
                // A generated column (the search vector) is computed by PostgreSQL from the others.
                guard try row.decode(column: "is_generated", as: String.self) != "ALWAYS" else { continue }
                let column = Column(
                    name: try row.decode(column: "column_name", as: String.self), type: try row.decode(column: "data_type", as: String.self),
                    nullable: try row.decode(column: "is_nullable", as: String.self) == "YES")
                tables[table, default: Table(name: table, columns: [])].columns.append(column)
            }
            let keys = try await sql.raw(
                """
                SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent, a.attname AS column_name
                FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
                """
            ).all()
            for row in keys {
                let child = try row.decode(column: "child", as: String.self)
                let parent = try row.decode(column: "parent", as: String.self)
                if child == parent {
                    tables[child]?.selfReferences.append(try row.decode(column: "column_name", as: String.self))
                } else {
                    tables[child]?.parents.insert(parent)
                    tables[child]?.references.append((try row.decode(column: "column_name", as: String.self), parent))
                }
            }
            return tables.values.sorted { $0.name < $1.name }
        }
    }

    /// Tables ordered so that every table comes after the tables its foreign keys point to. A cycle (a post's
    /// featured image is an upload, an upload belongs to a post) is broken at a table in it whose references into the
    /// cycle may be empty: those columns are deferred (copied empty, set once every table is in).
    static func parentsFirst(_ tables: [Table]) throws -> [Table] {
        let known = Set(tables.map(\.name))
        var done: Set<String> = []
        var ordered: [Table] = []
        var left = tables
        while !left.isEmpty {
            let ready = left.filter { $0.parents.intersection(known).subtracting(done).isEmpty }
            if ready.isEmpty {
                let byName = Dictionary(uniqueKeysWithValues: left.map { ($0.name, $0) })
                func pending(_ t: Table) -> Set<String> { t.parents.intersection(known).subtracting(done) }
                func inCycle(_ t: Table) -> Bool {
                    var seen: Set<String> = []
                    var stack = Array(pending(t))
                    while let next = stack.popLast() {
                        if next == t.name { return true }
                        guard seen.insert(next).inserted, let table = byName[next] else { continue }
                        stack += pending(table)
                    }
                    return false
                }
                func breakable(_ t: Table) -> [(column: String, parent: String)] {
                    t.references.filter { ref in
                        !t.deferred.contains(ref.column) && pending(t).contains(ref.parent)
                            && t.columns.first { $0.name == ref.column }?.nullable == true
                    }
                }
                guard let i = left.indices.filter({ inCycle(left[$0]) && !breakable(left[$0]).isEmpty }).min(by: { left[$0].name < left[$1].name })
                else { throw Failure(description: "the tables' foreign keys form a cycle: \(left.map(\.name))") }
                let cut = breakable(left[i])
                left[i].deferred += cut.map(\.column)
                // A parent is no longer waited for once every reference to it is deferred.
                for parent in Set(cut.map(\.parent))
                where !left[i].references.contains(where: { $0.parent == parent && !left[i].deferred.contains($0.column) }) {
                    left[i].parents.remove(parent)
                }
                continue
            }
            for table in ready { done.insert(table.name) }
            ordered += ready
            left.removeAll { done.contains($0.name) }
        }
        return ordered
    }

    /// Returns the rows copied, and the deferred references to set once every table is in.
    private func copy(_ table: Table, into pg: any SQLDatabase) async throws -> (Int, [(id: Int64, column: String, value: Int64)]) {
        let columns = table.columns
        let names = columns.map(\.name)
        let batch = max(1, min(rowsPerBatch, 30_000 / max(1, names.count)))
        var last: Int64 = Int64.min
        var total = 0
        var seen: Set<Int64> = []
        var later: [(id: Int64, column: String, parent: Int64)] = []
        var deferred: [(id: Int64, column: String, value: Int64)] = []
        let idIndex = names.firstIndex(of: "id")
        while true {
            let after = last
            let rows: [(rowid: Int64, cells: [Cell])] = try await source.withSQL { db in
                let sql: SQLQueryString =
                    "SELECT rowid AS drey_rowid, \(idents: names, joinedBy: ", ") FROM \(ident: table.name) WHERE rowid > \(bind: after) ORDER BY rowid LIMIT \(literal: batch)"
                return try await db.raw(sql).all().map { row in
                    (try row.decode(column: "drey_rowid", as: Int64.self), try columns.map { try Self.cell(row, $0) })
                }
            }
            guard let end = rows.last?.rowid else { break }
            last = end
            let insert = pg.insert(into: table.name).columns(names)
            for (_, cells) in rows {
                var cells = cells
                if let idIndex, case .int(let id) = cells[idIndex] {
                    for column in table.selfReferences {
                        let i = names.firstIndex(of: column)!
                        if case .int(let parent) = cells[i], !seen.contains(parent) {
                            later.append((id, column, parent))
                            cells[i] = .null
                        }
                    }
                    if !table.selfReferences.isEmpty { seen.insert(id) }
                    for column in table.deferred {
                        let i = names.firstIndex(of: column)!
                        if case .int(let value) = cells[i] {
                            deferred.append((id, column, value))
                            cells[i] = .null
                        }
                    }
                }
                insert.values(cells.map(\.expression))
            }
            try await insert.run()
            total += rows.count
        }
        for fix in later {
            try await pg.update(table.name).set(SQLIdentifier(fix.column), to: SQLBind(fix.parent)).where("id", .equal, SQLBind(fix.id)).run()
        }
        return (total, deferred)
    }

    static func cell(_ row: any SQLRow, _ column: Column) throws -> Cell {
        let name = column.name
        if try row.decodeNil(column: name) { return .null }
        switch column.type {
        case "timestamp with time zone", "timestamp without time zone":
            // Drey writes times to SQLite as seconds since 1970; a few ledgers hold ISO 8601 text.
            if let seconds = try? row.decode(column: name, as: Double.self) { return .date(Date(timeIntervalSince1970: seconds)) }
            let text = try row.decode(column: name, as: String.self)
            guard let date = try? Date(text, strategy: .iso8601) else {
                throw Failure(description: "\(name): '\(text)' is not a time")
            }
            return .date(date)
        case "boolean": return .bool(try row.decode(column: name, as: Bool.self))
        case "bigint", "integer", "smallint": return .int(try row.decode(column: name, as: Int64.self))
        case "double precision", "real", "numeric": return .double(try row.decode(column: name, as: Double.self))
        case "bytea": return .bytes(try row.decode(column: name, as: Data.self))
        default: return .text(try row.decode(column: name, as: String.self))
        }
    }

    /// Identity columns hand out ids after the highest copied one, so the first new row does not collide.
    static func advanceSequences(_ pg: any SQLDatabase) async throws {
        let tables = try await pg.raw(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'"
        ).all().map { try $0.decode(column: "table_name", as: String.self) }
        for table in tables {
            try await pg.raw(
                "SELECT setval(pg_get_serial_sequence(\(bind: table), 'id'), COALESCE((SELECT MAX(id) FROM \(ident: table)), 0) + 1, false)"
            ).run()
        }
    }
}
