import Dispatch
import DreyCore
import Foundation
import Testing

/// Work that holds its thread (bcrypt, a name lookup waiting on a dead name server, the first spam model) runs on
/// GCD's threads: while more of it waits than the machine has cores, the blog's database and pages still answer.
/// On NIO's thread pool (SQLite's threads) or Swift concurrency's, this test would never finish.
@Suite struct BlockingWorkTests {
    @Test("the database and the pages answer while more blocking work waits than there are cores", .timeLimit(.minutes(2)))
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
            // Every piece is holding a thread at once: a pool with a thread per core could not start them all.
            while started.withLock({ $0 }) < waiting { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await blog.drey.store.post(id: post.id, siteID: blog.site.id)?.title == "Still here")
            #expect(try await client.get("/2008/01/01/still-here/").text.contains("Still here"))
            for _ in 0..<waiting { release.signal() }
            try await blocked.value
        }
    }
}
