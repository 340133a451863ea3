import DreyApp
import DreyCore
import DreyJobs
import DreyRender
import DreyStore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// Hummingbird's basic context plus the connection's remote address, which per-IP limits need.
public struct DreyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let peer: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress?.ipAddress
    }
}

/// Hands every request to the `WebApp`, turning unexpected errors into a plain 500 that keeps the server up.
public struct DreyResponder: HTTPResponder {
    public typealias Context = DreyRequestContext
    let app: WebApp
    let logger: Logger

    public func respond(to request: Request, context: Context) async throws -> Response {
        do {
            return try await app.respond(to: request, peer: context.peer)
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(String(reflecting: error))"])
            return WebApp.plain(.internalServerError, "Something went wrong on our side; the error was logged.")
        }
    }
}

/// Publishes scheduled posts on time, also after a restart (it checks at start).
struct SchedulerService: Service {
    let posts: PostService
    let logger: Logger
    let interval: Duration

    func run() async throws {
        // Without this the loop would outlive SIGTERM: a graceful shutdown waits for every service to end.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let n = try await posts.publishDue()
                    if n > 0 { logger.info("published \(n) scheduled post(s)") }
                } catch {
                    logger.error("scheduled publishing failed: \(error)")
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}

/// Runs the job queue's workers for as long as the server runs; jobs left running by a crash are
/// taken again once their lease runs out.
struct JobWorkerService: Service {
    let jobs: JobQueue

    func run() async throws {
        // A service that returns would stop the whole server: with no workers, wait for the shutdown.
        guard jobs.settings.workers > 0 else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await jobs.runWorkers()
        }
    }
}

/// On PostgreSQL, instances on other machines learn of changes by LISTEN/NOTIFY.
struct ChangeListenerService: Service {
    let drey: Drey

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await drey.database.listen(channel: SQLStore.changeChannel) { [changes = drey.changes] in
                        try? await changes.catchUp()
                    }
                } catch {
                    drey.logger.warning("listening for changes failed, retrying: \(error)")
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}

/// Gives memory a burst of renders freed back to the system half a second after the burst (`MemoryTrim.whenQuiet`).
struct QuietTrimService: Service {
    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                MemoryTrim.whenQuiet()
            }
        }
    }
}

/// Reports how far this instance has read the change log, and prunes what every instance has seen.
struct ChangeJanitorService: Service {
    let drey: Drey
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let n = try await drey.changes.housekeeping(now: drey.config.clock.now())
                    if n > 0 { drey.logger.debug("pruned \(n) change(s) every instance has read") }
                } catch {
                    drey.logger.error("pruning the change log failed: \(error)")
                }
                // Once a minute, what renders freed goes back to the system (an idle server shrinks after a burst).
                MemoryTrim.soon()
                try? await Task.sleep(for: interval)
            }
        }
    }
}

/// Keeps the spam filter tidy: spam past each site's retention period is deleted, spent form tokens forgotten.
/// It also trains the seed classifier at start, so the first comment does not wait for it.
struct SpamJanitorService: Service {
    let drey: Drey
    let logger: Logger
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            _ = await drey.spam.models.seed()
            while !Task.isCancelled {
                do {
                    let n = try await drey.spam.purge(sites: drey.sites.all)
                    if n > 0 { logger.info("deleted \(n) spam comment(s) past their retention period") }
                } catch {
                    logger.error("purging old spam failed: \(error)")
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}

/// What the composition root made: the opened blog, the web app that answers its requests, the operators'
/// endpoints, and the one-time setup token (set while no administrator can sign in, see `SetupState`). `server` is
/// the HTTP server `drey serve` runs.
public struct DreyApplication: Sendable {
    public let drey: Drey
    public let web: WebApp
    public let setupToken: String?
    let ops: OpsEndpoints
    let workers: WorkerWatch
    let logger: Logger

    /// The HTTP server; with `background`, also the scheduler, the job workers and the janitors `drey serve` runs
    /// (tests that drive jobs themselves leave them out).
    public func server(background: Bool = true) -> Application<OpsResponder> {
        let config = drey.config
        var services: [any Service] = []
        if background {
            services = [
                SchedulerService(posts: drey.posts, logger: logger, interval: .seconds(5)),
                WatchedService(inner: JobWorkerService(jobs: drey.jobs), watch: workers),
                SpamJanitorService(drey: drey, logger: logger, interval: .seconds(3600)),
                ChangeJanitorService(drey: drey, interval: .seconds(60)),
                QuietTrimService(),
            ]
            if drey.database.dialect == .postgres { services.append(ChangeListenerService(drey: drey)) }
        }
        let responder = OpsResponder(inner: DreyResponder(app: web, logger: logger), ops: ops)
        let serverName = "Drey"
        // Without the page cache there is nothing for the fast path to answer.
        let server: HTTPServerBuilder =
            config.pageCache
            ? .http1CachedPages {
                let (ledger, stamp) = (FastPathLedger(), CachedPageHandler.Stamp(serverName: serverName, date: HTTPDate.now))
                return (
                    RawPageFront(ledger: ledger, stamp: stamp, answer: responder.cachedAnswer),
                    CachedPageHandler(stamp: stamp, ledger: ledger, answer: responder.cachedAnswer)
                )
            } : .http1()
        return Application(
            responder: responder, server: server,
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: serverName),
            services: services, logger: logger)
    }
}

/// The composition root: opens the blog and wires the web app. `drey serve` and the tests call it.
public func buildApplication(_ config: AppConfig, ops: OpsConfig = OpsConfig(), logger: Logger? = nil) async throws -> DreyApplication {
    var logger = logger ?? Logger(label: "drey")
    logger.logLevel = config.logLevel
    let drey = try await Drey.open(config, logger: logger)
    do {
        return try await buildApplication(drey, ops: ops, logger: logger)
    } catch {
        await drey.close()
        throw error
    }
}

/// Wires the web app for a blog already opened. `setupToken` replaces the random one-time token (tests).
public func buildApplication(
    _ drey: Drey, ops opsConfig: OpsConfig = OpsConfig(), logger: Logger, setupToken: String? = nil
) async throws -> DreyApplication {
    let config = drey.config
    let accessLog = try opsConfig.accessLog.map { try AccessLog(path: $0, format: opsConfig.accessLogFormat) }
    let themes = URL(fileURLWithPath: config.themesDirectory)
    let theme = try Theme(directory: themes.appendingPathComponent("default"))
    let adminTheme = try Theme(directory: themes.appendingPathComponent("admin"), required: AdminController.templates)
    let site = try drey.sites.site(named: nil)
    var token = setupToken
    if token == nil, try await SetupState.of(drey.store, siteID: site.id).isOpen { token = AuthService.randomToken() }
    let web = WebApp(drey: drey, theme: theme, adminTheme: adminTheme, setupToken: token)
    let workers = WorkerWatch()
    let ops = OpsEndpoints(
        drey: drey, cache: web.cache, telemetry: opsConfig.telemetry ?? Telemetry(),
        readiness: Readiness(drey: drey, workers: workers), metricsToken: opsConfig.metricsToken, accessLog: accessLog)
    return DreyApplication(drey: drey, web: web, setupToken: token, ops: ops, workers: workers, logger: logger)
}
