import Foundation

/// At most `limit` fetches to one host at a time, so a burst of pings never hammers one site.
actor HostLimiter {
    let limit: Int
    private var running: [String: Int] = [:]
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    init(limit: Int) { self.limit = max(1, limit) }

    func acquire(_ host: String) async {
        if running[host, default: 0] < limit {
            running[host, default: 0] += 1
            return
        }
        // The slot is handed over by `release`, so the count stays right.
        await withCheckedContinuation { waiting[host, default: []].append($0) }
    }

    func release(_ host: String) {
        if var queue = waiting[host], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[host] = queue.isEmpty ? nil : queue
            next.resume()
            return
        }
        let n = running[host, default: 1] - 1
        running[host] = n > 0 ? n : nil
    }

    func withSlot<T: Sendable>(_ host: String, _ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire(host)
        do {
            let value = try await body()
            release(host)
            return value
        } catch {
            release(host)
            throw error
        }
    }
}
