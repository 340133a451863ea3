import Atomics
import DreyCore
import DreyStore
import Foundation
import Logging

/// Tells every serving process which pages a write made stale.
///
/// A write records its scopes in the `changes` table and bumps a stamp file in the data folder.
/// A server checks the stamp (one `stat`) before answering from its page cache, and when it moved,
/// reads the new changes and drops the pages they name. So a write acknowledged by the CLI, or by
/// another instance sharing the folder, is never followed by a stale page.
public final class ChangeFeed: Sendable {
    let store: any ChangeStore
    let stampPath: String
    /// Added to with every stamp this process writes; read instead of the stamp by `isCurrent` (nil: the folder could
    /// not hold it, and the stamp is read).
    let counter: SharedCounter?
    let counterPath: String
    /// Once a second `isCurrent` reads the stamp too, and checks that the counter's file is still the one mapped; if it
    /// is not, this process reads the stamp from then on.
    private let counterChecked = ManagedAtomic<Int>(0)
    private let counterLost = ManagedAtomic<Bool>(false)
    let logger: Logger
    private let state = Locked(State())
    private let listeners = Locked<[@Sendable (Int64, Set<CacheScope>) -> Void]>([])
    private let siteHooks = Locked<[@Sendable () async throws -> Void]>([])
    private let lostTrackHooks = Locked<[@Sendable () -> Void]>([])
    /// How this process names itself in `change_readers`.
    let instance = "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UUID().uuidString.prefix(8))"

    struct State {
        var lastSequence: Int64 = 0
        var lastStamp: timespec = timespec()
        var lastSize: Int = -1
        var lastCount: UInt64 = 0
        /// The catch-up a moved stamp started; requests arriving meanwhile wait for it rather than read stale settings.
        var pending: Task<Void, Never>?
        var generation = 0
    }

    init(store: any ChangeStore, dataDirectory: String, logger: Logger) async throws {
        self.store = store
        self.stampPath = (dataDirectory as NSString).appendingPathComponent("changes.stamp")
        self.counterPath = (dataDirectory as NSString).appendingPathComponent("changes.counter")
        self.counter = SharedCounter(path: counterPath)
        self.logger = logger
        let count = counter?.value ?? 0
        let stamp = Self.stamp(of: stampPath)
        let latest = try await store.latestSequence()
        state.withLock {
            $0.lastSequence = latest
            $0.lastStamp = stamp.0
            $0.lastSize = stamp.1
            $0.lastCount = count
        }
    }

    /// Registers a callback for every change, local or from another process.
    package func onChange(_ listener: @escaping @Sendable (Int64, Set<CacheScope>) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    /// Registers work to finish before pages are dropped when a site's settings changed.
    func onSiteChange(_ hook: @escaping @Sendable () async throws -> Void) {
        siteHooks.withLock { $0.append(hook) }
    }

    /// Registers a callback for when this process fell behind a pruned log and cannot know what changed.
    package func onLostTrack(_ hook: @escaping @Sendable () -> Void) {
        lostTrackHooks.withLock { $0.append(hook) }
    }

    /// Runs `write` and records `change` in the same transaction; returns once every process can see it.
    /// A write that fails records nothing, and a change is never recorded for a write that did not commit.
    @discardableResult
    public func commit<T: Sendable>(siteID: Int64, _ change: SiteChange, _ write: @Sendable () async throws -> T) async throws -> T {
        try await commit {
            let result = try await write()
            return (result, [(siteID, change)])
        }
    }

    /// For writes that learn what they changed only as they go (scheduled posts, an emptied trash): `write` returns
    /// its result and the changes, which are recorded before its transaction commits.
    public func commit<T: Sendable>(_ write: @Sendable () async throws -> (T, [(siteID: Int64, change: SiteChange)])) async throws -> T {
        let (result, last) = try await store.atomically { () -> (T, Int64) in
            let (result, changes) = try await write()
            var last: Int64 = 0
            for (siteID, change) in changes { last = try await self.store.record(siteID: siteID, scopes: change.staleScopes) }
            return (result, last)
        }
        if last > 0 {
            touchStamp(last)
            try await catchUp()
        }
        return result
    }

    /// Records a change whose write needs no transaction of ours (an import, which commits its own).
    public func record(siteID: Int64, _ change: SiteChange) async throws {
        try await commit(siteID: siteID, change) {}
    }

    /// The last change this process has read; what was derived from the data before it moves may be stale.
    package var lastSequence: Int64 { state.withLock { $0.lastSequence } }

    /// Whether this process has read every change: the stamp is where the last look left it and no catch-up is under
    /// way. A request that finds otherwise goes the way of `syncIfStampMoved` (the cached-page fast path cannot wait).
    package var isCurrent: Bool {
        let second = time(nil)
        if counterChecked.load(ordering: .relaxed) != second {
            counterChecked.store(second, ordering: .relaxed)
            if let counter, !counterLost.load(ordering: .relaxed), !counter.isFile(atPath: counterPath) {
                counterLost.store(true, ordering: .relaxed)
                logger.warning("changes.counter was removed or replaced in the data folder; reading changes.stamp until restarted")
            }
            // Once a second the stamp decides too: a change by a process that could not count (the counter's file not
            // writable for it, or replaced under it) is seen within the second. The counter still counts then: two
            // writes within one tick of the file clock can leave the stamp's time and size as they were.
            return stampIsCurrent && counterIsCurrent
        }
        if counter != nil, !counterLost.load(ordering: .relaxed) { return counterIsCurrent }
        return stampIsCurrent
    }

    /// True without a usable counter: the stamp decides then.
    private var counterIsCurrent: Bool {
        guard let counter, !counterLost.load(ordering: .relaxed) else { return true }
        let count = counter.value
        return state.withLock { s in s.pending == nil && s.lastCount == count }
    }

    private var stampIsCurrent: Bool {
        let (stamp, size) = Self.stamp(of: stampPath)
        return state.withLock { s in
            s.pending == nil && s.lastStamp.tv_sec == stamp.tv_sec && s.lastStamp.tv_nsec == stamp.tv_nsec && s.lastSize == size
        }
    }

    /// Applies changes made by other processes since the last look; cheap when nothing moved.
    public func syncIfStampMoved() async {
        // The counter first: a writer adds to it after writing the stamp, so a count seen here has its stamp too.
        let count = counter?.value ?? 0
        let (stamp, size) = Self.stamp(of: stampPath)
        let pending = state.withLock { s -> Task<Void, Never>? in
            let changed =
                s.lastStamp.tv_sec != stamp.tv_sec || s.lastStamp.tv_nsec != stamp.tv_nsec || s.lastSize != size || s.lastCount != count
            guard changed else { return s.pending }
            s.lastStamp = stamp
            s.lastSize = size
            s.lastCount = count
            s.generation += 1
            let generation = s.generation
            // One catch-up for everyone: the first request to see the stamp move starts it, and every request that
            // arrives before it ends waits for it too (it would otherwise see the stamp as seen and answer from
            // settings or pages the change has made stale).
            let task = Task {
                do { try await self.catchUp() } catch { self.logger.error("reading changes failed: \(error)") }
                self.state.withLock { if $0.generation == generation { $0.pending = nil } }
            }
            s.pending = task
            return task
        }
        await pending?.value
    }

    /// Reads every change since the last one seen, page by page, however many there are.
    package func catchUp() async throws {
        while try await catchUpPage() {}
    }

    /// Applies one page of changes; true when there may be more.
    private func catchUpPage() async throws -> Bool {
        let after = state.withLock { $0.lastSequence }
        let changes = try await store.changes(after: after)
        guard let last = changes.last else { return false }
        if after < last.sequence - 1, try await store.prunedThrough() > after {
            // Changes this process never read were pruned: it cannot tell which pages they staled, so it drops all.
            logger.warning("fell behind the pruned change log; dropping every cached page")
            for hook in siteHooks.current { try await hook() }
            for hook in lostTrackHooks.current { hook() }
        }
        state.withLock { $0.lastSequence = max($0.lastSequence, last.sequence) }
        if changes.contains(where: { $0.scopes.contains(.site) }) {
            for hook in siteHooks.current { try await hook() }
        }
        let callbacks = listeners.current
        for change in changes {
            for callback in callbacks { callback(change.siteID, change.scopes) }
        }
        return changes.count >= SQLStore.changePage
    }

    /// Tells the others how far this process has read, and prunes what every live reader has seen.
    public func housekeeping(now: Date, keep: TimeInterval = 600, readerTimeout: TimeInterval = 3600) async throws -> Int {
        try await store.reportRead(instance: instance, sequence: state.withLock { $0.lastSequence }, at: now)
        return try await store.pruneChanges(before: now.addingTimeInterval(-keep), readersSince: now.addingTimeInterval(-readerTimeout))
    }

    private func touchStamp(_ sequence: Int64) {
        // Rewriting the file changes its mtime and usually its size; either is enough for readers.
        let text = String(sequence) + "\n"
        _ = FileManager.default.createFile(atPath: stampPath, contents: Data(text.utf8))
        // Counted in the file now in the folder, which every process reading the counter maps (or will, once it notices).
        if let counter, counter.isFile(atPath: counterPath) {
            counter.increment()
        } else if let fresh = SharedCounter(path: counterPath) {
            fresh.increment()
        } else {
            logger.warning("changes.counter cannot be written; other processes see this change by changes.stamp, within a second")
        }
    }

    static func stamp(of path: String) -> (timespec, Int) {
        var st = stat()
        guard stat(path, &st) == 0 else { return (timespec(), -1) }
        return (st.st_mtim, Int(st.st_size))
    }
}
