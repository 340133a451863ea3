import ArgumentParser
import DreyApp
import DreyCore
import DreyFetch
import DreyStore
import DreyWeb
import Foundation
import Hummingbird
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the blog over HTTP.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Flag(name: .customLong("no-cache"), help: "Render every page from the database (no page cache).") var noCache = false
    @Option(name: .customLong("cache-size"), help: "Most memory the page cache may use, in MB; the least recently used pages go first.")
    var cacheSize = 64
    @Option(
        name: .customLong("allow-fetch"),
        help: "A host, address or CIDR range inside the network that outbound fetches may reach (repeatable; for tests and intranets).")
    var allowFetch: [String] = []
    @Option(
        name: .customLong("trusted-proxy"),
        help:
            "An address or CIDR range of a reverse proxy whose X-Forwarded-For/-Host/-Proto and Forwarded headers are believed (repeatable; replaces the default, loopback only: 127.0.0.0/8 and ::1)."
    )
    var trustedProxy: [String] = []
    @Option(help: "Job workers in this process (0 leaves the jobs to another instance).") var workers = 2
    @Option(name: .customLong("job-attempts"), help: "Attempts a job gets before it fails.") var jobAttempts = 8
    @Option(name: .customLong("job-backoff"), help: "Seconds before the first retry; each retry waits twice as long.")
    var jobBackoff = 30.0
    @Option(name: .customLong("job-lease"), help: "Seconds after which a job whose worker died (a killed process) is taken again.")
    var jobLease = 300.0
    @Option(
        name: .customLong("metrics-token"),
        help: "A bearer token that opens /metrics to any address (default: $DREY_METRICS_TOKEN); without one only trusted addresses may read it.")
    var metricsToken: String?
    @Option(name: .customLong("access-log"), help: "Append a line per request to this file ('-' for standard output).")
    var accessLog: String?
    @Option(name: .customLong("access-log-format"), help: "combined (as Apache and nginx write) or json (one object a line).")
    var accessLogFormat = "combined"

    func run() async throws {
        try await Self.failing {
            guard (1...65535).contains(port) else { throw CLIError("--port must be from 1 to 65535") }
            guard (0...64).contains(workers) else { throw CLIError("--workers must be from 0 to 64") }
            guard (1...100).contains(jobAttempts) else { throw CLIError("--job-attempts must be from 1 to 100") }
            guard jobBackoff > 0, jobBackoff <= 86400 else { throw CLIError("--job-backoff must be more than 0 and at most 86400 seconds") }
            guard jobLease >= 1, jobLease <= 86400 else { throw CLIError("--job-lease must be from 1 to 86400 seconds") }
            for entry in allowFetch {
                if let problem = FetchAllowList.problem(with: entry) { throw CLIError("--allow-fetch: \(problem)") }
            }
            let proxies: TrustedProxies
            do {
                proxies = trustedProxy.isEmpty ? .loopback : try TrustedProxies(parsing: trustedProxy)
            } catch {
                throw CLIError("--trusted-proxy: \(error)")
            }
            guard let logFormat = AccessLog.Format(rawValue: accessLogFormat) else {
                throw CLIError("--access-log-format must be combined or json")
            }
            var logger = Logger(label: "drey")
            logger.logLevel = common.verbose ? .debug : .info
            guard (1...65536).contains(cacheSize) else { throw CLIError("--cache-size: give a size in MB from 1 to 65536 (got \(cacheSize))") }
            var config = common.config(pageCache: !noCache, host: host, port: port)
            // The server's log is where an operator without SMTP reads mail, and the first run's notices: info, not the
            // one-off commands' warning.
            config.logLevel = logger.logLevel
            config.pageCacheBytes = cacheSize << 20
            config.fetchAllow = allowFetch
            config.trustedProxies = proxies
            config.jobs.workers = workers
            config.jobs.maxAttempts = jobAttempts
            config.jobs.backoff.base = jobBackoff
            config.jobs.lease = jobLease
            var ops = OpsConfig()
            if let metricsToken { ops.metricsToken = metricsToken.isEmpty ? nil : metricsToken }
            ops.accessLog = accessLog
            ops.accessLogFormat = logFormat
            let telemetry = Telemetry()
            telemetry.bootstrapMetricsSystem()
            ops.telemetry = telemetry
            let built = try await buildApplication(config, ops: ops, logger: logger)
            let (app, drey, setupToken) = (built.server(), built.drey, built.setupToken)
            let adminCreated = try await createAdminFromEnvironment(drey, logger: logger)
            let where_ = config.databaseURL.map { _ in "PostgreSQL" } ?? "SQLite at \(config.sqlitePath)"
            Console.print("Drey serving http://\(host):\(port)/ (\(where_)\(noCache ? ", page cache off" : ""))")
            if let site = drey.sites.all.first, drey.sites.all.count == 1, site.settings.homeURL.isEmpty {
                // Until the address is known, links in mail use the site's host and pages are not cached.
                let from = proxies.ranges.map(\.description).joined(separator: ", ")
                Console.print(
                    "The blog's address (home_url) is not set: the first request from \(from) will set it, or run `drey site set home_url URL`.")
            }
            try await printWayIn(drey, base: "http://\(host):\(port)", setupToken: adminCreated ? nil : setupToken)
            try await app.runService()
            await drey.close()
        }
    }

    /// The blog, the admin, and how to get into it, in plain words: a newcomer after `make run` has nothing else.
    func printWayIn(_ drey: Drey, base: String, setupToken: String?) async throws {
        Console.print("  The blog:  \(base)/")
        Console.print("  The admin: \(base)/admin/")
        let site = try drey.sites.site(named: nil)
        let state = try await SetupState.of(drey.store, siteID: site.id)
        switch (setupToken, state) {
        case (let token?, .choosePassword(let admin)):
            Console.print("  Sign in:   the administrator \(admin.login) <\(admin.email)> has no password yet; choose one (this link works once):")
            Console.print("             \(base)/admin/setup?token=\(token)")
        case (let token?, .firstAdministrator):
            Console.print("No administrator yet: create one at \(base)/admin/setup?token=\(token)")
        default:
            Console.print("  Sign in:   \(base)/admin/login with an administrator's email and password (`drey user add` makes one)")
        }
    }

    /// `DREY_ADMIN_EMAIL` and `DREY_ADMIN_PASSWORD` make the first administrator on first run.
    func createAdminFromEnvironment(_ drey: Drey, logger: Logger) async throws -> Bool {
        guard let email = Console.env("DREY_ADMIN_EMAIL"), !email.isEmpty, let password = Console.env("DREY_ADMIN_PASSWORD") else { return false }
        let site = try drey.sites.site(named: nil)
        if try await drey.store.user(email: email) != nil { return true }
        let user = try await drey.users.add(email: email, name: "Administrator", role: .administrator, password: password, siteID: site.id)
        logger.info("created administrator \(user.email)")
        return true
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or update the database schema.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await Self.failing {
            // Opening the blog applies pending migrations; report where the schema stands.
            try await common.withDrey { drey in
                let versions = try await Migrator(database: drey.database).appliedVersions()
                Console.print("database schema at version \(versions.last ?? 0) (\(versions.count) migrations applied)")
            }
        }
    }
}
