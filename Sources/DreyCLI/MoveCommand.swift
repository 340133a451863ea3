import ArgumentParser
import DreyStore
import Foundation
import Logging

/// `drey move --to postgres://…`: a SQLite blog copied into an empty PostgreSQL database, every URL kept.
struct MoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Copy the SQLite blog in --data into an empty PostgreSQL database.",
        discussion: """
            Every table is copied with its ids, so every address stays the same; the search index is rebuilt and each \
            table's count is checked. The copy is of the moment the move began: stop `drey serve` first, then start it \
            again with DATABASE_URL set to the new database. Uploads stay in the data folder.
            """)

    @OptionGroup var common: CommonOptions
    @Option(help: "The PostgreSQL database to fill: postgres://user:password@host:port/name (it must be empty).") var to: String

    func run() async throws {
        try await Self.failing {
            if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
                throw CLIError("`drey move` copies the SQLite blog in --data; unset DATABASE_URL (the target is given with --to)")
            }
            guard to.hasPrefix("postgres://") || to.hasPrefix("postgresql://") else {
                throw CLIError("--to must be a postgres:// URL")
            }
            let fm = FileManager.default
            let live = (common.data as NSString).appendingPathComponent(BlogArchive.databaseName)
            guard fm.fileExists(atPath: live) else { throw CLIError("there is no blog in \(common.data): \(live) does not exist") }
            let quiet = BlogArchive.quiet

            let target: Database
            do {
                target = try await Database.open(url: to, logger: quiet)
            } catch {
                throw CLIError("\(error)")
            }
            do {
                // Empty, or a Drey schema with no rows; another application's tables are never touched.
                let present = try await DatabaseMover.targetTables(target)
                if !present.isEmpty && !present.contains("schema_migrations") {
                    throw CLIError(
                        "the PostgreSQL database is not empty: it holds \(present.prefix(5).joined(separator: ", "))\(present.count > 5 ? ", …" : ""); "
                            + "give an empty database: nothing was copied")
                }
                let snapshot = (common.data as NSString).appendingPathComponent(".move-\(UUID().uuidString.prefix(8)).sqlite")
                defer { try? fm.removeItem(atPath: snapshot) }
                let source = try await Database.open(sqlitePath: live, logger: quiet)
                do {
                    try await source.snapshot(to: snapshot)
                } catch {
                    await source.close()
                    throw CLIError("the blog could not be read: \(error)")
                }
                await source.close()
                let copy = try await Database.open(sqlitePath: snapshot, logger: quiet)
                do {
                    // Both sides at this version's schema, so their tables match column for column.
                    try await Migrator(database: copy).migrate()
                    try await Migrator(database: target).migrate()
                    var mover = DatabaseMover(source: copy, target: target)
                    mover.progress = { table, rows in print("  \(table): \(rows)") }
                    if try await mover.occupied().isEmpty { print("copying \(live) into PostgreSQL:") }
                    let copied = try await mover.move()
                    await copy.close()
                    let total = copied.reduce(0) { $0 + $1.rows }
                    print("moved \(total) rows in \(copied.count) tables; every count matches.")
                    print("Next: stop drey serve, then start it with DATABASE_URL set to the new database (uploads stay in \(common.data)).")
                } catch let failure as DatabaseMover.Failure {
                    await copy.close()
                    throw CLIError(failure.description)
                } catch {
                    await copy.close()
                    throw error
                }
            } catch {
                await target.close()
                throw error
            }
            await target.close()
        }
    }
}
