import DreyApp
import DreyCore
import DreyStore
import Foundation
import HTTPTypes

/// The readers who signed in: who, how, since when, last seen; block and unblock; the list as CSV. Administrators only,
/// as the users screen: it shows addresses.
struct ReadersAdmin {
    let controller: AdminController
    var store: SQLStore { controller.drey.store }

    static let pageSize = 100

    func list(_ a: AdminRequest, errors: [String] = []) async throws -> PageResult {
        guard a.can(.listUsers) else { throw AdminRefusal.forbidden("manage readers") }
        let total = try await store.readerCount(siteID: a.r.site.id)
        let page = max(1, min(100_000, Int(a.r.query["paged"] ?? "") ?? 1))
        let rows = try await store.readers(siteID: a.r.site.id, limit: Self.pageSize, offset: (page - 1) * Self.pageSize)
        let format = a.r.site.settings.formatter("\(a.r.site.settings.dateFormat) \(a.r.site.settings.timeFormat)")
        let screen = ReadersScreen(
            rows: rows.map { row in
                ReadersScreen.Row(
                    id: row.reader.id, name: row.reader.name, email: row.reader.email ?? "", website: row.reader.website ?? "",
                    methods: row.providers.joined(separator: ", "), blocked: row.reader.status == .blocked,
                    status: row.reader.status == .blocked ? "Blocked" : "Active", since: format.string(from: row.reader.createdAt),
                    lastSeen: row.reader.lastSeenAt.map { format.string(from: $0) } ?? "never")
            },
            total: total, hasNone: total == 0,
            previousURL: page > 1 ? a.r.links.admin(.readers) + "?paged=\(page - 1)" : "",
            nextURL: page * Self.pageSize < total ? a.r.links.admin(.readers) + "?paged=\(page + 1)" : "")
        var adminPage = AdminPage(title: "Readers", section: .readers, screen)
        adminPage.errors = errors
        adminPage.flash = controller.flash(a)
        return .personal(status: errors.isEmpty ? .ok : .unprocessableContent, body: controller.render(adminPage, a))
    }

    func act(_ a: AdminRequest) async throws -> PageResult {
        guard a.can(.listUsers) else { throw AdminRefusal.forbidden("manage readers") }
        guard let id = a.form["id"].flatMap(Int64.init), let reader = try await store.reader(id: id, siteID: a.r.site.id) else {
            throw AdminRefusal(status: 404, message: "There is no such reader on this site.")
        }
        switch a.form["action"] ?? "" {
        case "block":
            try await store.setReaderStatus(.blocked, readerID: reader.id, siteID: a.r.site.id)
            return controller.done(a, .readers, "\(reader.name) is blocked and signed out everywhere.")
        case "unblock":
            try await store.setReaderStatus(.active, readerID: reader.id, siteID: a.r.site.id)
            return controller.done(a, .readers, "\(reader.name) may sign in again.")
        default:
            throw AdminRefusal(status: 422, message: "Unknown action.")
        }
    }

    /// Every reader, one a row: what the screen shows, with dates in ISO 8601 (UTC).
    func csv(_ a: AdminRequest) async throws -> PageResult {
        guard a.can(.listUsers) else { throw AdminRefusal.forbidden("manage readers") }
        var out = "id,name,email,website,sign_in_methods,status,since,last_seen\r\n"
        var offset = 0
        while true {
            let rows = try await store.readers(siteID: a.r.site.id, limit: 1000, offset: offset)
            for row in rows {
                let r = row.reader
                let fields = [
                    String(r.id), r.name, r.email ?? "", r.website ?? "", row.providers.joined(separator: " "), r.status.rawValue,
                    ISO8601.string(r.createdAt), r.lastSeenAt.map(ISO8601.string) ?? "",
                ]
                out += fields.map(Self.csvField).joined(separator: ",") + "\r\n"
            }
            if rows.count < 1000 { break }
            offset += rows.count
        }
        return .custom(
            status: .ok, contentType: "text/csv; charset=utf-8", body: out,
            headers: [.cacheControl: "private, no-store", .contentDisposition: "attachment; filename=\"readers.csv\""])
    }

    /// RFC 4180 quoting; a field a spreadsheet would run as a formula (=, +, -, @) is prefixed with a quote.
    static func csvField(_ value: String) -> String {
        var v = value
        if let first = v.first, "=+-@\t\r".contains(first) { v = "'" + v }
        guard v.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// The readers list.
struct ReadersScreen: AdminBody {
    static let template = "readers"

    struct Row {
        let id: Int64
        let name: String
        let email: String
        let website: String
        let methods: String
        let blocked: Bool
        let status: String
        let since: String
        let lastSeen: String
    }

    let rows: [Row]
    let total: Int
    let hasNone: Bool
    let previousURL: String
    let nextURL: String
}
