import DreyCore
import DreySpam
import DreyStore
import Foundation
import Logging

/// Each site's spam classifier: the stored model once moderation has taught the site something, else the seed
/// model trained from the corpus that ships with Drey. Models are kept in memory and reloaded when another process
/// (the CLI, another instance) saved a newer version.
public final class SpamModels: Sendable {
    let store: any SpamStore
    let corpus: SpamSeed
    let logger: Logger
    private let cache = Locked<[Int64: (version: Int64, model: SpamModel)]>([:])

    init(store: SQLStore, corpus: SpamSeed, logger: Logger) {
        self.store = store
        self.corpus = corpus
        self.logger = logger
    }

    /// The model of sites not taught yet; nil when the corpus is missing, in which case comments are judged by the
    /// other layers alone and the log says why.
    public func seed() async -> SpamModel? { await corpus.model(logger: logger) }

    /// The model that scores the site's comments now.
    public func model(siteID: Int64) async throws -> SpamModel? {
        guard let version = try await store.spamModelVersion(siteID: siteID) else { return await seed() }
        if let cached = cache.current[siteID], cached.version == version { return cached.model }
        guard let (stored, data) = try await store.spamModel(siteID: siteID), let data else { return await seed() }
        let model = try SpamModel(data: data)
        cache.withLock { $0[siteID] = (stored, model) }
        return model
    }

    /// Teaches the site's model one moderation decision at once and stores it.
    public func learn(siteID: Int64, _ sample: SpamSample, isSpam: Bool, now: Date) async throws {
        _ = try await update(siteID: siteID, now: now) { $0.learn(sample, isSpam: isSpam) }
    }

    /// Adds labelled examples to the site's model (`drey spam train`); returns the model as stored.
    @discardableResult
    public func train(siteID: Int64, _ samples: [(SpamSample, Bool)], now: Date) async throws -> SpamModel {
        try await update(siteID: siteID, now: now) { $0.train(samples) }
    }

    private func update(siteID: Int64, now: Date, _ change: @escaping @Sendable (inout SpamModel) -> Void) async throws -> SpamModel {
        // The seed is trained only for a site's first lesson; without the corpus a site still learns, from nothing.
        let start = try await store.spamModelVersion(siteID: siteID) == nil ? await seed() ?? SpamModel() : SpamModel()
        let saved = Locked<Data?>(nil)
        let version = try await store.updateSpamModel(siteID: siteID, now: now) { data in
            var model = try data.map { try SpamModel(data: $0) } ?? start
            change(&model)
            let bytes = try model.encoded()
            saved.withLock { $0 = bytes }
            return bytes
        }
        guard let bytes = saved.current else { throw StoreError.invalid("the spam model was not updated") }
        // Score with the model as stored (weights are quantised), so every process gives the same score.
        let model = try SpamModel(data: bytes)
        cache.withLock { $0[siteID] = (version, model) }
        return model
    }
}
