import DreyCore
import DreyFetch
import DreyJobs
import DreyRender
import DreyStore
import Foundation
import Logging
import NIOCore

/// One opened blog installation: database, sites and the services the web and the CLI share.
public final class Drey: Sendable {
    public let config: AppConfig
    public let database: Database
    public let store: SQLStore
    public let sites: SiteRegistry
    public let changes: ChangeFeed
    public let siteService: SiteService
    public let posts: PostService
    public let terms: TermService
    public let comments: CommentService
    public let spam: SpamFilter
    public let users: UserService
    /// The durable queue every outbound side effect goes through.
    public let jobs: JobQueue
    /// The one fetcher for everything outbound.
    public let fetcher: any Fetcher
    public let linkbacks: LinkbackService
    /// Mail goes out as `mail` jobs; accounts' reset and invitation links are made as they are sent.
    public let mail: MailQueue
    public let auth: AuthService
    /// Uploads; images are made into sizes by `media` jobs.
    public let media: MediaService
    /// Readers' sign-in with OpenID Connect providers and IndieAuth.
    public let signin: SignInService
    /// Readers' accounts, sessions and email sign-in.
    public let readers: ReaderService
    /// The blog and its authors on the fediverse (ActivityPub).
    public let fediverse: FediverseService
    /// Following the blog and its threads by email.
    public let follows: FollowService
    /// Readers' likes of posts.
    public let likes: LikeService
    public let logger: Logger

    /// Opens (creating on first run) the data folder and database, migrates, and makes the default site.
    public static func open(_ config: AppConfig, logger: Logger) async throws -> Drey {
        if let file = config.fetchCAFile, !FileManager.default.isReadableFile(atPath: file) {
            throw SettingError("DREY_FETCH_CA_FILE: \(file) cannot be read (it should be a PEM file of certificates to trust).")
        }
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        let database = try await Database.open(sqlitePath: config.sqlitePath, url: config.databaseURL, logger: logger)
        do {
            let applied = try await Migrator(database: database).migrate()
            if !applied.isEmpty { logger.info("migrated: \(applied.joined(separator: ", "))") }
            let drey = try await Drey(config: config, database: database, logger: logger)
            try await drey.siteService.ensureDefaultSite()
            return drey
        } catch {
            await database.close()
            throw error
        }
    }

    private init(config: AppConfig, database: Database, logger: Logger) async throws {
        self.config = config
        self.database = database
        self.logger = logger
        let store = SQLStore(database: database)
        self.store = store
        let sites = try await SiteRegistry(store: store)
        self.sites = sites
        let changes = try await ChangeFeed(store: store, dataDirectory: config.dataDirectory, logger: logger)
        self.changes = changes
        self.siteService = SiteService(store: store, registry: sites, changes: changes)
        let spam = SpamFilter(
            store: store, models: SpamModels(store: store, corpus: config.spamSeed, logger: logger), clock: config.clock,
            logger: logger)
        self.spam = spam
        self.users = UserService(store: store)
        let jobs = JobQueue(store: store, settings: config.jobs, clock: config.clock, logger: logger)
        self.jobs = jobs
        let mail = MailQueue(jobs: jobs, smtpURL: config.smtpURL, from: config.mailFrom, logger: logger)
        self.mail = mail
        let follows = FollowService(store: store, registry: sites, jobs: jobs, mail: mail, clock: config.clock, config: config, logger: logger)
        self.follows = follows
        follows.registerJobs()
        self.likes = LikeService(store: store, changes: changes, clock: config.clock)
        let comments = CommentService(
            store: store, registry: sites, changes: changes, clock: config.clock, spam: spam, mail: mail, config: config, follows: follows)
        self.comments = comments
        let fetcher = config.fetcher ?? SafeFetcher(settings: Self.fetchSettings(config), logger: logger)
        self.fetcher = fetcher
        let linkbacks = LinkbackService(
            store: store, registry: sites, comments: comments, changes: changes, jobs: jobs, fetcher: fetcher,
            clock: config.clock, config: config, logger: logger)
        self.linkbacks = linkbacks
        linkbacks.registerJobs()
        let fediverse = FediverseService(
            store: store, registry: sites, jobs: jobs, fetcher: fetcher, comments: comments, changes: changes, clock: config.clock,
            logger: logger, facesDirectory: ReaderService.facesDirectory(dataDirectory: config.dataDirectory))
        self.fediverse = fediverse
        fediverse.registerJobs()
        let posts = PostService(
            store: store, registry: sites, changes: changes, clock: config.clock, linkbacks: linkbacks, fediverse: fediverse,
            follows: follows)
        self.posts = posts
        self.terms = TermService(store: store, changes: changes, posts: posts)
        let auth = AuthService(store: store, clock: config.clock, logger: logger, mail: mail, sites: sites)
        self.auth = auth
        let readers = ReaderService(
            store: store, clock: config.clock, logger: logger, mail: mail, sites: sites, changes: changes, dataDirectory: config.dataDirectory)
        self.readers = readers
        mail.register { request in
            request.purpose == .readerSignIn ? try await readers.compose(request) : try await auth.compose(request)
        }
        let media = MediaService(store: store, jobs: jobs, changes: changes, config: config, logger: logger)
        self.media = media
        media.registerJobs()
        let signin = SignInService(store: store, fetcher: fetcher, clock: config.clock, logger: logger)
        self.signin = signin
        jobs.addChore { try await signin.prune() }
        // The sign-in and reset limits look back an hour at most; a day's records are plenty.
        jobs.addChore { [clock = config.clock] in try await store.pruneLoginFailures(before: clock.now().addingTimeInterval(-86400)) }
        jobs.addChore { [clock = config.clock] in try await store.pruneReaderSessions(before: clock.now()) }
        // Settings changed by another process must reach this one's registry too.
        changes.onSiteChange { try await sites.reload() }
    }

    static func fetchSettings(_ config: AppConfig) -> FetchSettings {
        var settings = FetchSettings()
        settings.allow = FetchAllowList(config.fetchAllow)
        if let seconds = config.fetchTimeout { settings.totalTimeout = .seconds(seconds) }
        settings.extraTrustRoots = config.fetchCAFile
        return settings
    }

    public func close() async { await database.close() }
}
