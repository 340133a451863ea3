import DreyCore
import DreySpam
import Foundation
import Logging

/// The day-one classifier, trained once from a folder of labelled CSV files on first use (under a second in a
/// release build) and then shared by every site that has not been taught anything yet.
/// Tests hand one instance to every blog they open, so the corpus is trained once per test run.
public final class SpamSeed: Sendable {
    public let directory: String
    private let task = Locked<Task<SpamModel?, Never>?>(nil)

    public init(directory: String) { self.directory = directory }

    /// The trained model; nil when the folder holds no labelled CSV, logged once with the way to fix it.
    public func model(logger: Logger) async -> SpamModel? {
        let running = task.withLock { current -> Task<SpamModel?, Never> in
            if let current { return current }
            let directory = directory
            let started = Task.detached(priority: .userInitiated) { () -> SpamModel? in
                do {
                    // Reading and training take a second or more: on a thread of their own, not one that answers requests.
                    let model = try await BlockingWork.run {
                        // Training reads the whole corpus into memory; what it freed goes back to the system when it is
                        // done (on this thread: a trim of a large heap takes a while), not counted in an idle server.
                        defer { MemoryTrim.now() }
                        return try SpamModel.seeded(fromDirectory: URL(fileURLWithPath: directory))
                    }
                    if model.examples > 0 { return model }
                    logger.error("no labelled CSV files in the spam seed folder \(directory); set DREY_SPAM_SEED_DIR")
                } catch {
                    logger.error("cannot read the spam seed corpus at \(directory): \(error); set DREY_SPAM_SEED_DIR")
                }
                return nil
            }
            current = started
            return started
        }
        return await running.value
    }
}
