import Foundation
import SQLKit

/// The places where SQLite and PostgreSQL need different SQL, each behind one named function.
extension Database.Dialect {
    /// The user's words as this dialect's full-text query, or nil when nothing searchable is left.
    func searchQuery(_ text: String) -> String? {
        let words = text.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).prefix(20).map(String.init)
        guard !words.isEmpty else { return nil }
        switch self {
        case .sqlite:
            // Each word quoted so FTS5 operators typed by a reader are taken as text; implicit AND.
            return words.map { "\"\($0)\"" }.joined(separator: " ")
        case .postgres:
            return words.joined(separator: " ")
        }
    }

    /// Tells other instances a change was recorded: NOTIFY on PostgreSQL; SQLite instances share the stamp file.
    var announceChangeSQL: SQLQueryString? {
        self == .postgres ? "NOTIFY drey_changes" : nil
    }

    func searchSQL(columns: String, siteID: Int64, query: String, limit: Int, offset: Int) -> SQLQueryString {
        switch self {
        case .sqlite:
            return """
                SELECT \(unsafeRaw: columns) FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid
                WHERE posts_fts MATCH \(bind: query) AND p.site_id = \(bind: siteID) AND p.status = 'publish'
                ORDER BY bm25(posts_fts, 10.0, 1.0), p.published_at DESC LIMIT \(literal: limit) OFFSET \(literal: offset)
                """
        case .postgres:
            return """
                SELECT \(unsafeRaw: columns) FROM posts p
                WHERE p.search_vector @@ plainto_tsquery('english', \(bind: query))
                AND p.site_id = \(bind: siteID) AND p.status = 'publish'
                ORDER BY ts_rank(p.search_vector, plainto_tsquery('english', \(bind: query))) DESC, p.published_at DESC
                LIMIT \(literal: limit) OFFSET \(literal: offset)
                """
        }
    }

    func searchCountSQL(siteID: Int64, query: String) -> SQLQueryString {
        switch self {
        case .sqlite:
            return """
                SELECT count(*) AS n FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid
                WHERE posts_fts MATCH \(bind: query) AND p.site_id = \(bind: siteID) AND p.status = 'publish'
                """
        case .postgres:
            return """
                SELECT count(*) AS n FROM posts p
                WHERE p.search_vector @@ plainto_tsquery('english', \(bind: query))
                AND p.site_id = \(bind: siteID) AND p.status = 'publish'
                """
        }
    }
}
