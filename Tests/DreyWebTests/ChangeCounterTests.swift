import DreyCore
import DreyTestSupport
import Foundation
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Every process on a data folder learns of another's change at its next request: the cached-page fast path reads
/// the folder's shared counter (`SharedCounter`) where it used to `stat` the stamp file.
@Suite struct ChangeCounterTests {
    @Test("two mappings of the counter see each other's additions; a file that exists keeps its count; removal is noticed")
    func counter() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drey-counter-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let one = try #require(SharedCounter(path: path))
        let two = try #require(SharedCounter(path: path))
        #expect(one.value == 0)
        one.increment()
        two.increment()
        #expect(one.value == 2 && two.value == 2)
        #expect(try #require(SharedCounter(path: path)).value == 2)
        #expect(one.isFile(atPath: path))
        try FileManager.default.removeItem(atPath: path)
        #expect(!one.isFile(atPath: path))
        // A new file in its place is another counter.
        let three = try #require(SharedCounter(path: path))
        #expect(three.value == 0 && !one.isFile(atPath: path) && three.isFile(atPath: path))
        #expect(SharedCounter(path: "/nonexistent-\(UUID().uuidString)/changes.counter") == nil)
    }

    @Test("a change recorded by another process on the folder makes this one not current until it has read it", arguments: TestDatabase.allCases)
    func otherProcess(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, _ in
            let feed = blog.drey.changes
            await feed.syncIfStampMoved()
            #expect(feed.isCurrent)
            #expect(feed.counter != nil)
            let other = try await Drey.open(blog.config, logger: TestBlog.quietLogger)
            try await other.changes.record(siteID: blog.site.id, .terms)
            #expect(!feed.isCurrent)
            await feed.syncIfStampMoved()
            #expect(feed.isCurrent)
            #expect(feed.lastSequence == other.changes.lastSequence)
            // The counter's file removed, and a new one made by a process started since: the first process notices
            // within a second and reads the stamp; the older writer counts in the new file, which the new process reads.
            try FileManager.default.removeItem(atPath: blog.config.dataDirectory + "/changes.counter")
            let newer = try await Drey.open(blog.config, logger: TestBlog.quietLogger)
            await newer.changes.syncIfStampMoved()
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(feed.isCurrent)
            #expect(newer.changes.isCurrent)
            try await other.changes.record(siteID: blog.site.id, .terms)
            #expect(!feed.isCurrent)
            #expect(!newer.changes.isCurrent)
            await feed.syncIfStampMoved()
            #expect(feed.isCurrent)
            await newer.close()
            await other.close()
        }
    }

    @Test("at the once-a-second look at the stamp, a stamp left as it was does not hide a change the counter saw", arguments: [TestDatabase.sqlite])
    func stampUnmoved(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, _ in
            let feed = blog.drey.changes
            try await feed.record(siteID: blog.site.id, .terms)
            await feed.syncIfStampMoved()
            #expect(feed.isCurrent)
            let stampPath = blog.config.dataDirectory + "/changes.stamp"
            let before = try Data(contentsOf: URL(fileURLWithPath: stampPath))
            let (mtime, _) = ChangeFeed.stamp(of: stampPath)
            let other = try await Drey.open(blog.config, logger: TestBlog.quietLogger)
            try await other.changes.record(siteID: blog.site.id, .terms)
            // Two writes within one tick of the file clock, with as many digits: the stamp reads as it did.
            try before.write(to: URL(fileURLWithPath: stampPath))
            var times = [mtime, mtime]
            #expect(utimensat(AT_FDCWD, stampPath, &times, 0) == 0)
            let (restored, size) = ChangeFeed.stamp(of: stampPath)
            #expect(restored.tv_sec == mtime.tv_sec && restored.tv_nsec == mtime.tv_nsec && size == before.count)
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(!feed.isCurrent)
            #expect(!feed.isCurrent)
            await feed.syncIfStampMoved()
            #expect(feed.isCurrent)
            #expect(feed.lastSequence == other.changes.lastSequence)
            await other.close()
        }
    }
}
