import DreyApp
import Foundation

/// How `drey serve` is watched: who may read `/metrics`, and where the access log goes.
public struct OpsConfig: Sendable {
    /// A bearer token that opens `/metrics` to any address (`--metrics-token`, `DREY_METRICS_TOKEN`); without one only
    /// trusted addresses may read it.
    public var metricsToken: String? = ProcessInfo.processInfo.environment["DREY_METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    /// A file to append one line per request to, `-` for standard output; nil for none (`--access-log`).
    public var accessLog: String? = nil
    public var accessLogFormat: AccessLog.Format = .combined
    /// The registry `/metrics` renders; `drey serve` makes one and points swift-metrics at it.
    public var telemetry: Telemetry? = nil

    public init() {}
}
