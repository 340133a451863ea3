import ArgumentParser
import DreyCore
import Foundation

/// Where the CLI writes and what environment it reads: the process's own, or those of an in-process run, so the
/// tests can run any command without a binary that may be older than the code (`DreyCommand.run(_:environment:)`).
final class Console: Sendable {
    @TaskLocal static var current: Console?

    let environment: [String: String]
    private let buffers = Locked((out: "", err: ""))

    init(environment: [String: String]) { self.environment = environment }

    var output: (out: String, err: String) { buffers.withLock { $0 } }

    /// `Swift.print` for the CLI: standard output, or the in-process run's buffer.
    static func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
        let text = items.map { "\($0)" }.joined(separator: separator) + terminator
        if let console = current {
            console.buffers.withLock { $0.out += text }
        } else {
            Swift.print(text, terminator: "")
        }
    }

    /// Writes `text` as it is to standard error, or to the in-process run's buffer.
    static func error(_ text: String) {
        if let console = current {
            console.buffers.withLock { $0.err += text }
        } else {
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// An environment variable: the in-process run's, else the process's.
    static func env(_ name: String) -> String? {
        if let console = current { return console.environment[name] }
        return ProcessInfo.processInfo.environment[name]
    }
}

/// What an in-process run of the CLI printed, and its exit status.
public struct CLIRun: Sendable {
    public let status: Int32
    public let out: String
    public let err: String
}

extension DreyCommand {
    /// Runs one command in this process, as `drey ARGUMENTS…` would with `environment` as its whole environment:
    /// its output and status are returned instead of printed. `serve` runs until cancelled.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) async -> CLIRun {
        let console = Console(environment: environment)
        let status: Int32 = await Console.$current.withValue(console) {
            do {
                var command = try parseAsRoot(arguments)
                if var asyncCommand = command as? AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    try command.run()
                }
                return 0
            } catch {
                let code = exitCode(for: error).rawValue
                let message = fullMessage(for: error)
                if !message.isEmpty { Console.error(message + "\n") }
                return code
            }
        }
        let (out, err) = console.output
        return CLIRun(status: status, out: out, err: err)
    }
}
