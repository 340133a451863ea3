import DreyCore
import Foundation
import SQLKit
import SQLiteKit

/// The SQLKit implementation of every store port; one code path for both dialects.
/// Dialect differences live behind the few named functions in `Dialect+SQL.swift`.
public struct SQLStore: Sendable {
    public let database: Database

    public init(database: Database) { self.database = database }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await database.withReads(body)
    }
}

/// A row's columns as the store reads them. A row from the SQLite reading connections (`SQLiteReads.Row`) gives a value
/// of the asked type straight from its data, as its decoder would have; anything else goes through the generic
/// `decode`, whose protocol dispatch and casts were a twentieth of an uncached post page's time.
extension SQLRow {
    func string(_ column: String) throws -> String {
        if let row = self as? SQLiteReads.Row, case .text(let text)? = row.value(column) { return text }
        return try decode(column: column, as: String.self)
    }
    func int(_ column: String) throws -> Int {
        if let row = self as? SQLiteReads.Row, case .integer(let number)? = row.value(column) { return number }
        return try decode(column: column, as: Int.self)
    }
    func int64(_ column: String) throws -> Int64 {
        if let row = self as? SQLiteReads.Row, case .integer(let number)? = row.value(column) { return Int64(number) }
        return try decode(column: column, as: Int64.self)
    }
    func optionalInt64(_ column: String) throws -> Int64? {
        if let row = self as? SQLiteReads.Row {
            switch row.value(column) {
            case .integer(let number)?: return Int64(number)
            case .null?: return nil
            default: break
            }
        }
        return try decode(column: column, as: Int64?.self)
    }
    func bool(_ column: String) throws -> Bool {
        if let row = self as? SQLiteReads.Row, let value = row.value(column), let flag = Bool(sqliteData: value) { return flag }
        return try decode(column: column, as: Bool.self)
    }
    func date(_ column: String) throws -> Date {
        if let row = self as? SQLiteReads.Row, let value = row.value(column), let date = Date(sqliteData: value) { return date }
        return try decode(column: column, as: Date.self)
    }

    func enumValue<E: RawRepresentable>(_ column: String, as type: E.Type) throws -> E where E.RawValue == String {
        let raw = try string(column)
        guard let value = E(rawValue: raw) else { throw StoreError.invalid("unexpected \(column) '\(raw)'") }
        return value
    }
}

extension Date {
    /// Dates are stored to the microsecond; rounding keeps values equal after a round trip.
    var storable: Date { Date(timeIntervalSince1970: (timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000) }
}
