import DreyCore
import Foundation
import SQLKit

extension SQLStore: SiteStore {
    public func sites() async throws -> [Site] {
        try await read { db in
            let siteRows = try await db.select().columns("id", "host").from("sites").orderBy("id").all()
            let settingRows = try await db.select().columns("site_id", "key", "value").from("site_settings").all()
            var settings: [Int64: [String: String]] = [:]
            for row in settingRows {
                settings[try row.int64("site_id"), default: [:]][try row.string("key")] = try row.string("value")
            }
            return try siteRows.map { row in
                let id = try row.int64("id")
                return Site(id: id, host: try row.string("host"), settings: SiteSettings(values: settings[id] ?? [:]))
            }
        }
    }

    public func createSite(host: String, settings: [String: String]) async throws -> Site {
        try await database.transaction { db in
            let id = try await db.insert(into: "sites").columns("host", "created_at")
                .values(SQLBind(host.lowercased()), SQLBind(Date()))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
            guard let id else { throw StoreError.invalid("site was not created") }
            try await Self.upsertSettings(db, siteID: id, settings)
            return Site(id: id, host: host.lowercased(), settings: SiteSettings(values: settings))
        }
    }

    public func setSettings(siteID: Int64, _ values: [String: String]) async throws {
        try await database.transaction { db in try await Self.upsertSettings(db, siteID: siteID, values) }
    }

    static func upsertSettings(_ db: any SQLDatabase, siteID: Int64, _ values: [String: String]) async throws {
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            try await db.insert(into: "site_settings").columns("site_id", "key", "value")
                .values(SQLBind(siteID), SQLBind(key), SQLBind(value))
                .onConflict(with: ["site_id", "key"]) { $0.set(excludedValueOf: "value") }
                .run()
        }
    }
}
