import DreyApp
import DreyCore
import DreyStore
import Foundation

/// `/admin/fediverse`: who follows the blog and its authors, blocked servers and accounts, deliveries that failed
/// (with a button to send them again), the fediverse settings and key rotation. Administrators only.
struct FediverseAdmin {
    let controller: AdminController
    var fediverse: FediverseService { controller.drey.fediverse }

    func show(_ a: AdminRequest, errors: [String] = [], typed: [String: String] = [:]) async throws -> PageResult {
        guard a.can(.manageOptions) else { throw AdminRefusal.forbidden("manage the fediverse settings") }
        let site = a.r.site
        let s = site.settings
        let members = Dictionary(try await controller.drey.store.members(siteID: site.id).map { ($0.0.id, $0.0) }) { first, _ in first }
        let followers = try await fediverse.followers(site).map { follower, actor in
            let whom: String
            switch follower.actor {
            case .blog, .application: whom = "the blog"
            case .author(let id): whom = members[id]?.displayName ?? "author \(id)"
            }
            return FediverseScreen.Follower(
                handle: actor.map { $0.handle.isEmpty ? $0.uri : "@" + $0.handle } ?? follower.remoteURI, uri: follower.remoteURI,
                name: actor?.name ?? "", follows: whom, since: s.formatter(s.dateFormat).string(from: follower.createdAt))
        }
        let blocks = try await fediverse.blocks(site).map { FediverseScreen.Block(kind: $0.0.rawValue, value: $0.1) }
        let failed = try await fediverse.failedDeliveries(site).map {
            FediverseScreen.Failure(id: $0.jobID, inbox: $0.inbox, type: $0.activityType, error: $0.error)
        }
        func flag(_ key: SettingKey) -> Bool { (typed[key.rawValue].map { $0 == "1" }) ?? (s[key] == "1") }
        var page = AdminPage(
            title: "Fediverse", section: .settings,
            FediverseScreen(
                handle: fediverse.blogHandle(site), followerCount: followers.count, followers: followers, blocks: blocks,
                failures: failed, enabled: flag(.fediverseEnabled), blogName: typed[SettingKey.fediverseBlogName.rawValue] ?? s.fediverseBlogName,
                discoverable: flag(.fediverseDiscoverable), indexable: flag(.fediverseIndexable), authors: flag(.fediverseAuthors),
                blockValue: typed["value"] ?? "", blockIsActor: typed["kind"] == "actor"))
        page.errors = errors
        page.flash = controller.flash(a)
        return .personal(status: errors.isEmpty ? .ok : .unprocessableContent, body: controller.render(page, a))
    }

    func act(_ a: AdminRequest) async throws -> PageResult {
        guard a.can(.manageOptions) else { throw AdminRefusal.forbidden("manage the fediverse settings") }
        let site = a.r.site
        switch a.form["action"] ?? "" {
        case "settings":
            var values: [SettingKey: String] = [:]
            var typed: [String: String] = [:]
            for key in [SettingKey.fediverseEnabled, .fediverseDiscoverable, .fediverseIndexable, .fediverseAuthors] {
                values[key] = a.form[key.rawValue] == "1" ? "1" : "0"
                typed[key.rawValue] = values[key]
            }
            values[.fediverseBlogName] = a.form[SettingKey.fediverseBlogName.rawValue] ?? ""
            typed[SettingKey.fediverseBlogName.rawValue] = values[.fediverseBlogName]
            do {
                try await controller.drey.siteService.set(values, siteID: site.id)
            } catch let error as SettingError {
                return try await show(a, errors: [error.message], typed: typed)
            }
            return controller.done(a, .fediverse, "Fediverse settings saved.")
        case "block":
            let kind: BlockKind = a.form["kind"] == "actor" ? .actor : .domain
            do {
                try await fediverse.block(site, kind: kind, value: a.form["value"] ?? "")
            } catch let error as SettingError {
                return try await show(a, errors: [error.message], typed: a.form.fields)
            }
            return controller.done(a, .fediverse, "Blocked \(a.form["value"] ?? "").")
        case "unblock":
            let kind: BlockKind = a.form["kind"] == "actor" ? .actor : .domain
            try await fediverse.unblock(site, kind: kind, value: a.form["value"] ?? "")
            return controller.done(a, .fediverse, "Unblocked \(a.form["value"] ?? "").")
        case "retry":
            guard let id = a.form["id"].flatMap(Int64.init), try await fediverse.retryDelivery(site, jobID: id) else {
                throw AdminRefusal(status: 404, message: "There is no such failed delivery.")
            }
            return controller.done(a, .fediverse, "The delivery is queued again.")
        case "rotate":
            try await fediverse.rotateKey(site, .blog)
            return controller.done(a, .fediverse, "The blog has a new key; its followers' servers are told.")
        default:
            throw AdminRefusal(status: 422, message: "Unknown action.")
        }
    }
}

struct FediverseScreen: AdminBody {
    static let template = "fediverse"

    struct Follower {
        let handle: String
        let uri: String
        let name: String
        let follows: String
        let since: String
    }

    struct Block {
        let kind: String
        let value: String
    }

    struct Failure {
        let id: Int64
        let inbox: String
        let type: String
        let error: String
    }

    let handle: String
    let followerCount: Int
    let followers: [Follower]
    let blocks: [Block]
    let failures: [Failure]
    let enabled: Bool
    let blogName: String
    let discoverable: Bool
    let indexable: Bool
    let authors: Bool
    let blockValue: String
    let blockIsActor: Bool
    // Stored, as swift-mustache reads properties by Mirror.
    let hasFollowers: Bool
    let hasBlocks: Bool
    let hasFailures: Bool

    init(
        handle: String, followerCount: Int, followers: [Follower], blocks: [Block], failures: [Failure], enabled: Bool, blogName: String,
        discoverable: Bool, indexable: Bool, authors: Bool, blockValue: String, blockIsActor: Bool
    ) {
        self.handle = handle
        self.followerCount = followerCount
        self.followers = followers
        self.blocks = blocks
        self.failures = failures
        self.enabled = enabled
        self.blogName = blogName
        self.discoverable = discoverable
        self.indexable = indexable
        self.authors = authors
        self.blockValue = blockValue
        self.blockIsActor = blockIsActor
        hasFollowers = !followers.isEmpty
        hasBlocks = !blocks.isEmpty
        hasFailures = !failures.isEmpty
    }
}
