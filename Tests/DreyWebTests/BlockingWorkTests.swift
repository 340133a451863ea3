import Dispatch
import DreyCore
import Foundation
import Testing

/// Work that holds its thread (bcrypt, a name lookup waiting on a dead name server, the first spam model) runs on
/// GCD's threads: while more of it waits than the machine has cores, the blog's database and pages still answer.
/// On NIO's thread pool (SQLite's threads) or Swift concurrency's, the pieces could not all start, or the reads would
/// wait for them.
@Suite struct BlockingWorkTests {
    /// Polls `condition` for up to `seconds` (generous: the whole suite loads two cores); whether it came true.
    static func eventually(_ seconds: Double, _ condition: () -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test("the database and the pages answer while more blocking work waits than there are cores")
    func blockedWorkLeavesTheDatabase() async throws {
        try await TestBlog.with(.sqlite) { blog, client in
            let post = try await blog.post("Still here", date: "2008-01-01T10:00:00Z")
            let release = DispatchSemaphore(value: 0)
            let started = Locked(0)
            let waiting = ProcessInfo.processInfo.activeProcessorCount + 2
            let blocked = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<waiting {
                        group.addTask {
                            try await BlockingWork.run {
                                started.withLock { $0 += 1 }
                                release.wait()
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            // Released whatever happens, so no thread stays held for the rest of the run.
            defer { for _ in 0..<waiting { release.signal() } }
            // Every piece holds a thread at once: a pool with a thread per core could not start them all.
            #expect(try await Self.eventually(300) { started.withLock { $0 } == waiting })
            // With all of them held, a read of the store and a page still finish.
            let reads = Task {
                let title = try await blog.drey.store.post(id: post.id, siteID: blog.site.id)?.title
                let page = try await client.get("/2008/01/01/still-here/").text
                return (title, page)
            }
            let finished = Locked(false)
            let watcher = Task {
                _ = try? await reads.value
                finished.withLock { $0 = true }
            }
            #expect(try await Self.eventually(300) { finished.withLock { $0 } }, "the reads waited for the blocked work")
            for _ in 0..<waiting { release.signal() }
            try await blocked.value
            await watcher.value
            let (title, page) = try await reads.value
            #expect(title == "Still here")
            #expect(page.contains("Still here"))
        }
    }
}
