import DreyCore
import DreyRender
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
        // Without this a SIGTERM would wait forever for the loop, and `drey serve` would not stop.
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
public func buildApplication(_ config: AppConfig, logger: Logger? = nil) async throws -> (some ApplicationProtocol, Drey) {
    var logger = logger ?? Logger(label: "drey")
    logger.logLevel = config.logLevel
    let drey = try await Drey.open(config, logger: logger)
    let theme: Theme
    do {
        theme = try Theme(directory: URL(fileURLWithPath: config.themesDirectory).appendingPathComponent("default"))
    } catch {
        await drey.close()
        throw error
    }
    let web = WebApp(drey: drey, theme: theme)
    let app = Application(
        responder: DreyResponder(app: web, logger: logger),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "Drey"),
        services: [
            SchedulerService(posts: drey.posts, logger: logger, interval: .seconds(5)),
            SpamJanitorService(drey: drey, logger: logger, interval: .seconds(3600)),
        ],
        logger: logger)
    return (app, drey)
}
