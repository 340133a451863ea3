/// One numbered schema change; never edited once released, only followed by a new one.
struct Migration: Sendable {
    let number: Int
    let name: String
    let sqlite: [String]
    let postgres: [String]

    func statements(for dialect: Database.Dialect) -> [String] {
        dialect == .sqlite ? sqlite : postgres
    }
}

/// Every migration, in order; a test checks the numbers have no gap.
enum Migrations {
    static let all: [Migration] = [
        m0001_createSites, m0002_createUsers, m0003_createPosts, m0004_createTerms, m0005_createComments,
        m0006_createLikes, m0007_createJobs, m0008_createChanges, m0009_createSearch, m0010_createAccounts,
        m0011_wordPressIdentity, m0012_addJobDedupe, m0013_createWebmentions, m0014_createLinkbackSends,
        m0015_addCommentSpamColumns, m0016_createSpamModels, m0017_createFormTokens, m0018_createSpamDiscards,
        m0019_createChangeReaders, m0020_addMediaImages, m0021_createReaders,
        m0022_createSignInProviders, m0023_createFollows, m0024_createFediverse, m0025_remoteActorFaces, m0026_stickyListingIndex,
    ]
}
