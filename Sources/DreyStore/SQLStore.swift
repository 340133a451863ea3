import DreyCore
import Foundation
import SQLKit

/// The SQLKit implementation of every store port; one code path for both dialects.
/// Dialect differences live behind the few named functions in `Dialect+SQL.swift`.
public struct SQLStore: Sendable {
    public let database: Database

    public init(database: Database) { self.database = database }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await database.withReads(body)
    }
}

extension SQLRow {
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func int(_ column: String) throws -> Int { try decode(column: column, as: Int.self) }
    func int64(_ column: String) throws -> Int64 { try decode(column: column, as: Int64.self) }
    func optionalInt64(_ column: String) throws -> Int64? { try decode(column: column, as: Int64?.self) }
    func bool(_ column: String) throws -> Bool { try decode(column: column, as: Bool.self) }
    func date(_ column: String) throws -> Date { try decode(column: column, as: Date.self) }

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
