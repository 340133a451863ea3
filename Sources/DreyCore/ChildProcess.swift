import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` itself, reaped by a thread of its own.
///
/// Foundation's `Process` crashed now and then on Linux (in `Process.run`, and `readDataToEndOfFile` traps on EINTR)
/// in a process that starts hundreds of children from many threads, as the test suite and `drey backup` do. This type
/// keeps the part we need small enough to read: the environment and arguments are copied before the spawn, the
/// child's other descriptors are closed (`closefrom`), its signal mask and SIGPIPE are reset, and every read and wait
/// retries what a signal interrupts.
public final class ChildProcess: @unchecked Sendable {
    /// Where the child's standard output or error goes.
    public enum Output: Sendable {
        /// A pipe this process reads (`collect`, `readOutput`).
        case pipe
        /// `/dev/null`.
        case null
        /// A file, created if missing and appended to.
        case file(String)
        /// This process's own.
        case inherit
        /// Standard error only: wherever standard output goes.
        case sameAsOutput
    }

    /// Where the child's standard input comes from.
    public enum Input: Sendable {
        case null
        /// A pipe this process writes (`writeInput`, then `closeInput`).
        case pipe
        case inherit
    }

    public struct StartFailed: Error, CustomStringConvertible {
        public let description: String
    }

    public let processIdentifier: pid_t
    private var inputFD: Int32?
    private var outputFD: Int32?
    private var errorFD: Int32?
    private let state = NSCondition()
    private var status: Int32?

    /// Starts `executable` (an absolute path; `/usr/bin/env` finds a tool on PATH) with `arguments`.
    /// `environment` nil passes this process's own; `directory` nil keeps the current one.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        input: Input = .null, output: Output = .pipe, error: Output = .pipe
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        func fail(_ what: String, _ code: Int32) -> StartFailed {
            for fd in parentEnds { close(fd) }
            return StartFailed(description: "\(executable) could not be started: \(what): \(String(cString: strerror(code)))")
        }

        func pipeEnds() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            // pipe2 is not in Swift's Glibc module; the children's closefrom covers the moment before FD_CLOEXEC is set.
            guard pipe(&fds) == 0 else { throw fail("pipe", errno) }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return (fds[0], fds[1])
        }

        var inputWrite: Int32?
        switch input {
        case .null: posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .inherit: break
        case .pipe:
            let ends = try pipeEnds()
            parentEnds.append(ends.write)
            childEnds.append(ends.read)
            inputWrite = ends.write
            posix_spawn_file_actions_adddup2(&actions, ends.read, 0)
        }
        func route(_ output: Output, to target: Int32) throws -> Int32? {
            switch output {
            case .inherit: return nil
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
                return nil
            case .file(let path):
                let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw fail("open \(path)", errno) }
                childEnds.append(fd)
                posix_spawn_file_actions_adddup2(&actions, fd, target)
                return nil
            case .sameAsOutput:
                posix_spawn_file_actions_adddup2(&actions, 1, target)
                return nil
            case .pipe:
                let ends = try pipeEnds()
                parentEnds.append(ends.read)
                childEnds.append(ends.write)
                posix_spawn_file_actions_adddup2(&actions, ends.write, target)
                return ends.read
            }
        }
        let outputRead = try route(output, to: 1)
        let errorRead = try route(error, to: 2)
        // Nothing else this process has open reaches the child (a pipe's write end held by a long-lived child would
        // keep another reader from ever seeing its end of file).
        _ = ChildProcess.closeFrom(&actions, 3)
        if let directory {
            guard ChildProcess.changeDirectory(&actions, directory) == 0 else { throw fail("chdir \(directory)", errno) }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard code == 0 else { throw fail("posix_spawn", code) }
        processIdentifier = pid
        inputFD = inputWrite
        outputFD = outputRead
        errorFD = errorRead
        let reaper = Thread { [self] in reap() }
        reaper.name = "reap \(pid)"
        reaper.start()
    }

    deinit {
        for fd in [inputFD, outputFD, errorFD].compactMap({ $0 }) { close(fd) }
    }

    private func reap() {
        var raw: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(processIdentifier, &raw, 0) } while result < 0 && errno == EINTR
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = raw & 0x7f
        let code = result < 0 ? -1 : (signal == 0 ? (raw >> 8) & 0xff : 128 + signal)
        state.lock()
        status = code
        state.broadcast()
        state.unlock()
    }

    public var isRunning: Bool {
        state.lock()
        defer { state.unlock() }
        return status == nil
    }

    /// Sends SIGTERM (or `signal`) while the child runs.
    public func terminate(signal: Int32 = SIGTERM) {
        if isRunning { kill(processIdentifier, signal) }
    }

    /// Waits for the child to end; its exit code, or 128 + the signal that ended it.
    @discardableResult
    public func waitUntilExit() -> Int32 {
        state.lock()
        defer { state.unlock() }
        while status == nil { state.wait() }
        return status!
    }

    /// The exit code once the child has ended (`waitUntilExit` first).
    public var terminationStatus: Int32 { waitUntilExit() }

    public func closeInput() {
        if let fd = inputFD { close(fd) }
        inputFD = nil
    }

    /// Reads standard output and error (those sent to `.pipe`) to their ends, both at once so neither fills up, then
    /// waits for the child: its exit code and what it wrote.
    public func collect() -> (status: Int32, output: Data, error: Data) {
        closeInput()
        var buffers: [Int32: Data] = [:]
        var open = [outputFD, errorFD].compactMap { $0 }
        for fd in open { buffers[fd] = Data() }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            var polls = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polls, nfds_t(polls.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for p in polls where p.revents != 0 {
                let n = chunk.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    buffers[p.fd]!.append(contentsOf: chunk[0..<n])
                } else if !(n < 0 && (errno == EINTR || errno == EAGAIN)) {
                    open.removeAll { $0 == p.fd }
                }
            }
        }
        let status = waitUntilExit()
        return (status, outputFD.flatMap { buffers[$0] } ?? Data(), errorFD.flatMap { buffers[$0] } ?? Data())
    }

    /// Hands each chunk of standard output (`output: .pipe`) to `receive` on a thread of its own, until its end.
    public func readOutput(_ receive: @escaping @Sendable (Data) -> Void) {
        guard let fd = outputFD else { return }
        let reader = Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    receive(Data(chunk[0..<n]))
                } else if !(n < 0 && errno == EINTR) {
                    break
                }
            }
            _ = self  // the descriptor stays open while this thread reads it
        }
        reader.start()
    }

    /// Writes `data` to standard input (`input: .pipe`) from a thread of its own, then closes it: a child that
    /// answers before it has read everything must not block the one who reads its answer.
    public func feedInput(_ data: Data) {
        guard let fd = inputFD else { return }
        inputFD = nil
        let writer = Thread {
            data.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n > 0 {
                        offset += n
                    } else if !(n < 0 && errno == EINTR) {
                        break
                    }
                }
            }
            close(fd)
        }
        writer.start()
    }

    /// Runs a command to its end: exit code, standard output and standard error as text.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        input: Data? = nil
    ) throws -> (status: Int32, output: String, error: String) {
        let child = try ChildProcess(
            executable, arguments, environment: environment, directory: directory, input: input == nil ? .null : .pipe)
        if let input { child.feedInput(input) }
        let result = child.collect()
        return (result.status, String(decoding: result.output, as: UTF8.self), String(decoding: result.error, as: UTF8.self))
    }

    // glibc 2.34's posix_spawn_file_actions_addclosefrom_np and addchdir_np are not in Swift's Glibc module.
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let closeFrom: CloseFrom = unsafeBitCast(
        dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np")!, to: CloseFrom.self)
    private static let changeDirectory: ChangeDirectory = unsafeBitCast(
        dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addchdir_np")!, to: ChangeDirectory.self)
}
