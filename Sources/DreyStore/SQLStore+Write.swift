import SQLKit

extension SQLStore {
    /// Writes that workers, the CLI and other instances make at the same time run in a transaction: on
    /// SQLite that is BEGIN IMMEDIATE, which waits for the write lock instead of failing with "database
    /// is locked" when another connection wrote since this one's snapshot.
    func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await database.transaction(body)
    }
}
