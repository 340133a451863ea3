import DreyCore
import DreyJobs
import DreyRender
import DreyStore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Hummingbird's basic context plus the connection's remote address, which per-IP limits need.
struct DreyRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let peer: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress?.ipAddress
    }
}

/// Hands every request to the `WebApp`, turning unexpected errors into a plain 500 that keeps the server up.
struct DreyResponder: HTTPResponder {
    typealias Context = DreyRequestContext
    let app: WebApp
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
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

/// The composition root: opens the blog and wires the HTTP server. Tests call it too.
/// Returns the app, the opened blog, and the one-time setup token while no administrator can sign in (`SetupState`).
public func buildApplication(_ config: AppConfig, logger: Logger? = nil) async throws -> (some ApplicationProtocol, Drey, String?) {
    var logger = logger ?? Logger(label: "drey")
    logger.logLevel = config.logLevel
    let accessLog = try config.ops.accessLog.map { try AccessLog(path: $0, format: config.ops.accessLogFormat) }
    let drey = try await Drey.open(config, logger: logger)
    let theme: Theme
    do {
        theme = try Theme(directory: URL(fileURLWithPath: config.themesDirectory).appendingPathComponent("default"))
    } catch {
        await drey.close()
        throw error
    }
    let adminTheme: Theme
    do {
        adminTheme = try Theme(directory: URL(fileURLWithPath: config.themesDirectory).appendingPathComponent("admin"), required: AdminController.templates)
    } catch {
        await drey.close()
        throw error
    }
    let site = try drey.sites.site(named: nil)
    let setupToken = try await SetupState.of(drey.store, siteID: site.id).isOpen ? AuthService.randomToken() : nil
    let web = WebApp(drey: drey, theme: theme, adminTheme: adminTheme, setupToken: setupToken)
    let workers = WorkerWatch()
    let ops = OpsEndpoints(
        drey: drey, cache: web.cache, telemetry: config.ops.telemetry ?? Telemetry(),
        readiness: Readiness(drey: drey, workers: workers), metricsToken: config.ops.metricsToken, accessLog: accessLog)
    let app = Application(
        responder: OpsResponder(inner: DreyResponder(app: web, logger: logger), ops: ops),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "Drey"),
        services: [
            SchedulerService(posts: drey.posts, logger: logger, interval: .seconds(5)),
            WatchedService(inner: JobWorkerService(jobs: drey.jobs), watch: workers),
            SpamJanitorService(drey: drey, logger: logger, interval: .seconds(3600)),
            ChangeJanitorService(drey: drey, interval: .seconds(60)),
        ] + (drey.database.dialect == .postgres ? [ChangeListenerService(drey: drey)] : []),
        logger: logger)
    return (app, drey, setupToken)
}
