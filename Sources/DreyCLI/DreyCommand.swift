import ArgumentParser
import DreyApp
import DreyCore
import Foundation
import Logging

/// `drey`: serve a blog and run it from the command line.
public struct DreyCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "drey",
        abstract: "A self-hosted blogging platform: posts, threaded comments, feeds, on SQLite or PostgreSQL.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, DemoCommand.self, SiteCommand.self, UserCommand.self,
            PostCommand.self, CommentCommand.self, ImportCommand.self, ExportCommand.self, JobsCommand.self,
            LinkbacksCommand.self, SpamCommand.self, BackupCommand.self, RestoreCommand.self, MoveCommand.self, MediaCommand.self,
            SignInCommand.self,
        ])

    public init() {}
}

/// Options every command takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Folder for the SQLite database and other data.")
    var data: String = "./drey-data"

    @Option(name: .long, help: "Host name of the site to act on (default: the first site).")
    var site: String?

    @Flag(name: .long, help: "Log more.")
    var verbose = false

    func config(pageCache: Bool = true, host: String = "127.0.0.1", port: Int = 8080) -> AppConfig {
        AppConfig(
            dataDirectory: data, databaseURL: Console.env("DATABASE_URL"), host: host, port: port,
            pageCache: pageCache, logLevel: verbose ? .debug : .warning)
    }

    /// Opens the blog, runs `body`, and closes it again, turning known errors into one clear line.
    func withDrey<T>(allowFetch: [String] = [], _ body: (Drey) async throws -> T) async throws -> T {
        var logger = Logger(label: "drey")
        logger.logLevel = verbose ? .debug : .warning
        let drey: Drey
        var configuration = config()
        configuration.fetchAllow = allowFetch
        do {
            drey = try await Drey.open(configuration, logger: logger)
        } catch {
            throw CLIError("cannot open the blog: \(error)")
        }
        do {
            let result = try await body(drey)
            await drey.close()
            return result
        } catch {
            await drey.close()
            throw error
        }
    }
}

/// An error with the one line a person should read.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

extension AsyncParsableCommand {
    /// Prints `error` as one line on standard error and exits non-zero, instead of a stack of types.
    static func failing(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as CleanExit {
            throw error
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            Console.error("drey: \(error)\n")
            throw ExitCode.failure
        }
    }
}

/// Reads a file, or standard input for `-`.
func readText(_ path: String) throws -> String {
    let data: Data?
    if path == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        data = FileManager.default.contents(atPath: path)
    }
    guard let data else { throw CLIError("cannot read \(path)") }
    guard let text = String(data: data, encoding: .utf8) else { throw CLIError("\(path) is not UTF-8 text") }
    return text
}

extension DreyCommand {
    /// Parses the arguments and runs the command, exiting with its status.
    public static func start(_ arguments: [String]? = nil) async {
        lineBufferStandardOutput()
        LoggingSystem.bootstrap { LineLogHandler(label: $0) }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
