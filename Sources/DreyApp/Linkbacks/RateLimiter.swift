import DreyCore
import Foundation

/// Token buckets by key (a remote address, a source host): `burst` at once, then one per `interval`.
package final class RateLimiter: Sendable {
    let burst: Double
    let interval: TimeInterval
    let clock: Clock
    private let buckets = Locked([String: (tokens: Double, at: Date)]())

    package init(burst: Int, per interval: TimeInterval, clock: Clock) {
        self.burst = Double(burst)
        self.interval = interval
        self.clock = clock
    }

    /// Takes a token for every key; false (taking none) when any key has none left.
    package func allow(_ keys: [String]) -> Bool {
        let now = clock.now()
        return buckets.withLock { b in
            if b.count > 10_000 { b.removeAll() }  // a crude bound against keys made up to fill memory
            var refreshed: [String: Double] = [:]
            for key in keys {
                let (tokens, at) = b[key] ?? (burst, now)
                let filled = min(burst, tokens + max(0, now.timeIntervalSince(at)) / interval)
                if filled < 1 { return false }
                refreshed[key] = filled
            }
            for (key, tokens) in refreshed { b[key] = (tokens - 1, now) }
            return true
        }
    }

    /// Seconds until one more request would pass for a key that is out of tokens.
    package var retryAfter: Int { max(1, Int(interval.rounded(.up))) }
}
