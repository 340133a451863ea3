import DreyCore
import DreyJobs
import Foundation
import Logging

/// Everything `drey serve` and the CLI need to open a blog; tests build one with a temporary folder.
public struct AppConfig: Sendable {
    public var dataDirectory: String
    /// `postgres://…` to use PostgreSQL; nil or empty for SQLite in the data folder.
    public var databaseURL: String?
    public var host: String
    public var port: Int
    /// Off with `--no-cache`; each site can also turn its cache off in settings.
    public var pageCache: Bool
    /// The most the page cache holds, in bytes (`--cache-size`, in MB); the least recently used pages go first.
    public var pageCacheBytes: Int = 64 << 20
    public var themesDirectory: String
    public var clock: Clock
    public var logLevel: Logger.Level
    /// Largest request body accepted, in bytes.
    public var maxBodySize: Int
    /// Largest uploaded file, in bytes (`DREY_MAX_UPLOAD_MB`, 32 MB by default): refused as it streams in, never read whole.
    public var maxUploadSize: Int = ProcessInfo.processInfo.environment["DREY_MAX_UPLOAD_MB"].flatMap(Int.init).map { $0 << 20 } ?? 32 << 20
    /// Hosts and ranges inside the network the fetcher may reach (`--allow-fetch`); sites can add their own.
    public var fetchAllow: [String] = []
    /// How long one outbound fetch (a linkback, a discovery) may take in all, in seconds (`DREY_FETCH_TIMEOUT`;
    /// 15 by default): a slow network may want longer.
    public var fetchTimeout: Int64? = ProcessInfo.processInfo.environment["DREY_FETCH_TIMEOUT"].flatMap(Int64.init).flatMap { $0 > 0 ? $0 : nil }
    /// A PEM file of certificates the fetcher trusts besides the system's (`DREY_FETCH_CA_FILE`): a private CA.
    public var fetchCAFile: String? = ProcessInfo.processInfo.environment["DREY_FETCH_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
    /// Workers, retries and leases of the job queue.
    public var jobs: JobSettings = JobSettings()
    /// Proxies whose `X-Forwarded-*` and `Forwarded` headers are believed (`--trusted-proxy`); loopback by default.
    public var trustedProxies: TrustedProxies = .loopback
    /// Replaces the safe fetcher in tests that must not touch the network at all.
    public var fetcher: (any Fetcher)? = nil
    /// The labelled corpus a site's spam classifier starts from (see `Resources/spam-seed`), trained on first use.
    public var spamSeed: SpamSeed
    /// `smtp://host[:port]` of the relay mail leaves through (`DREY_SMTP_URL`); without one, mail is written to the log.
    public var smtpURL: String? = ProcessInfo.processInfo.environment["DREY_SMTP_URL"]
    /// The sender of the site's mail (`DREY_MAIL_FROM`), by default `drey@` the relay's host.
    public var mailFrom: String? = ProcessInfo.processInfo.environment["DREY_MAIL_FROM"]

    public init(
        dataDirectory: String = "./drey-data", databaseURL: String? = nil, host: String = "127.0.0.1",
        port: Int = 8080, pageCache: Bool = true, themesDirectory: String? = nil, clock: Clock = .system,
        logLevel: Logger.Level = .info, maxBodySize: Int = 1 << 20, spamSeed: SpamSeed? = nil
    ) {
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.host = host
        self.port = port
        self.pageCache = pageCache
        self.themesDirectory = themesDirectory ?? AppConfig.defaultThemesDirectory()
        self.clock = clock
        self.logLevel = logLevel
        self.maxBodySize = maxBodySize
        self.spamSeed = spamSeed ?? SpamSeed(directory: AppConfig.defaultSpamSeedDirectory())
    }

    public var sqlitePath: String { (dataDirectory as NSString).appendingPathComponent("drey.sqlite") }

    /// `DREY_THEMES_DIR`, else `./Themes`, else the `Themes` folder of the source tree the binary was built in.
    public static func defaultThemesDirectory() -> String {
        if let env = ProcessInfo.processInfo.environment["DREY_THEMES_DIR"], !env.isEmpty { return env }
        let fm = FileManager.default
        if fm.fileExists(atPath: "Themes/default") { return "Themes" }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = dir.appendingPathComponent("Themes")
            if fm.fileExists(atPath: candidate.appendingPathComponent("default").path) { return candidate.path }
            dir = dir.deletingLastPathComponent()
        }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Themes")
        return source.path
    }
}

extension AppConfig {
    /// A site's public address for what is made without a request (mail, pings): `home_url`, else its host on the
    /// port this process serves.
    public func base(of site: Site) -> String {
        if !site.settings.homeURL.isEmpty { return site.settings.homeURL }
        return port == 80 ? "http://\(site.host)" : "http://\(site.host):\(port)"
    }
}
