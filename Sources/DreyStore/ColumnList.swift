import SQLKit

/// A select's column list, quoted once: SQLKit quotes every identifier of every query as it serializes it (a string
/// replacement per column), which was a twentieth of rendering an uncached post page. Both dialects Drey speaks
/// (SQLite and PostgreSQL) quote identifiers with double quotes.
struct ColumnList: SQLExpression, Sendable {
    let sql: String

    /// `emptied` columns are read as an empty text under their own name, without reading them.
    init(_ names: [String], table: String? = nil, emptied: Set<String> = []) {
        func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let prefix = table.map { quote($0) + "." } ?? ""
        sql = names.map { emptied.contains($0) ? "CAST('' AS TEXT) AS " + quote($0) : prefix + quote($0) }.joined(separator: ", ")
    }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write(sql)
    }
}
