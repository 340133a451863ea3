import CoreMetrics
import DreyApp
import DreyCore
import DreyStore
import Foundation
import Metrics
import Prometheus

/// The process's metrics: swift-metrics handlers backed by one Prometheus registry, which `/metrics` renders.
///
/// The web layer records through `factory` explicitly. Counters deeper in Drey (comments, jobs, mail) use swift-metrics'
/// process-wide `MetricsSystem`, which `drey serve` points at the same registry once at start (`bootstrapMetricsSystem`);
/// elsewhere (tests, one-off commands) those counters go nowhere, as swift-metrics intends.
public final class Telemetry: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    /// Job gauges last set, so a kind whose jobs are all gone drops to 0 rather than keeping its old value.
    private let jobGauges = Locked(Set<[String]>())

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        // A cached page answers in well under a millisecond, a rendered one in a few: finer buckets than the default's
        // 5 ms floor.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// Makes this registry swift-metrics' backend for the whole process; call once, before anything records.
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(factory)
    }

    /// One answered request.
    func request(kind: String, status: Int, duration: Duration, cache: String?) {
        let handles = self.handles(kind: kind, status: status, cache: cache)
        handles.requests.increment()
        handles.duration.record(duration: duration)
        handles.cache?.increment()
    }

    /// One request's metrics, made once per kind, status and cache result: making them asks the registry (a lock and a
    /// lookup by label and dimensions), which showed in the cached page's profile.
    private struct Handles: @unchecked Sendable {
        let requests: CoreMetrics.Counter
        let duration: CoreMetrics.Timer
        let cache: CoreMetrics.Counter?
    }

    private let known = Locked([String: Handles]())

    private func handles(kind: String, status: Int, cache: String?) -> Handles {
        let key = kind + "|" + String(status) + "|" + (cache ?? "")
        if let found = known.withLock({ $0[key] }) { return found }
        let made = Handles(
            requests: CoreMetrics.Counter(
                label: "drey_http_requests_total", dimensions: [("kind", kind), ("status", String(status))], factory: factory),
            duration: CoreMetrics.Timer(label: "drey_http_request_duration_seconds", dimensions: [("kind", kind)], factory: factory),
            cache: cache.map {
                CoreMetrics.Counter(label: "drey_page_cache_requests_total", dimensions: [("result", $0.lowercased())], factory: factory)
            })
        known.withLock { $0[key] = made }
        return made
    }

    /// Reads what is a level rather than an event (the page cache's size, the job queue) just before rendering.
    func collect(store: SQLStore, cache: PageCache) async {
        CoreMetrics.Gauge(label: "drey_page_cache_entries", factory: factory).record(cache.count)
        CoreMetrics.Gauge(label: "drey_page_cache_bytes", factory: factory).record(cache.byteCount)
        CoreMetrics.Gauge(label: "drey_page_cache_compact_entries", factory: factory).record(cache.compactCount)
        CoreMetrics.Gauge(label: "drey_page_cache_expansions", factory: factory).record(cache.expansionCount)
        guard let counts = try? await store.jobCounts() else { return }
        let seen = Set(counts.map { [$0.kind, $0.state] })
        let gone = jobGauges.withLock { previous in
            defer { previous = previous.union(seen) }
            return previous.subtracting(seen)
        }
        for key in gone {
            CoreMetrics.Gauge(label: "drey_jobs", dimensions: [("kind", key[0]), ("state", key[1])], factory: factory).record(0)
        }
        for (kind, state, count) in counts {
            CoreMetrics.Gauge(label: "drey_jobs", dimensions: [("kind", kind), ("state", state)], factory: factory).record(count)
        }
    }

    /// The Prometheus text exposition format (version 0.0.4).
    func render() -> [UInt8] { registry.emitToBuffer() }
}
