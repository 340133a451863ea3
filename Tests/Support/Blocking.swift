import Dispatch
import Foundation
import Glibc

/// Runs blocking work (a child process, a pipe read) on a GCD thread, so it never holds one of the few
/// threads Swift concurrency has — servers inside the test process must keep answering meanwhile.
public func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// Starts a child process, one at a time across the test run. Many tests start processes at once from many
/// threads, and Foundation's `Process.run` crashed (a bad copy while spawning) when several ran together.
private let processStarts = NSLock()

extension Process {
    public func runAlone() throws {
        processStarts.lock()
        defer { processStarts.unlock() }
        try run()
    }
}

extension FileHandle {
    /// Everything up to end of file; a read a signal interrupted is tried again (Foundation's
    /// `readDataToEndOfFile` traps on EINTR, which a test run full of child processes meets).
    public func readAll() -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fileDescriptor, $0.baseAddress, $0.count) }
            if n > 0 {
                data.append(contentsOf: buffer[0..<n])
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                return data
            }
        }
    }
}
