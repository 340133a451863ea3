import DreyApp
import DreyCore
import Hummingbird

/// One response's view of the request, for the functions that fill a page's holes. What a filler looks up (the
/// reader's session, say) is looked up once per response however many holes need it: see `once`.
final class HoleContext: @unchecked Sendable {
    let app: WebApp
    let site: Site
    let request: Request
    /// The comment form sent back with errors keeps the time it was first shown; nil on a fresh page.
    let form: FormSlot?
    private let memo = Locked([String: any Sendable]())

    init(app: WebApp, site: Site, request: Request, form: FormSlot? = nil) {
        self.app = app
        self.site = site
        self.request = request
        self.form = form
    }

    /// `make`'s value, computed at most once per response under `key` (the fills run one after another).
    func once<T: Sendable>(_ key: String, _ make: () async -> T) async -> T {
        // Unwrapped before the cast: a missing entry cast to an Optional `T` would pass as "looked up, nothing".
        if let stored = memo.withLock({ $0[key] }), let known = stored as? T { return known }
        let value = await make()
        memo.withLock { $0[key] = value }
        return value
    }
}

/// Fills one hole: given the response's context and the hole's argument, the HTML (already escaped) that goes in.
typealias HoleFiller = @Sendable (HoleContext, Int64) async -> String

/// Every hole a page may have, by name: one line each. A marker whose name is not here is filled with nothing.
enum PageHoles {
    static let fillers: [String: HoleFiller] = [
        // The comment form's token, minted per response: see FormToken.
        "form-token": { context, postID in
            let shownAt = context.form?.postID == postID ? context.form?.shownAt : nil
            return context.app.formToken(postID, site: context.site, shownAt: shownAt)
        },
        // Readers (issue 13): "signed in as …" or a sign-in link; the comment form's account line or guest fields.
        "reader-bar": { context, _ in await ReaderHoles.readerBar(context) },
        "comment-identity": { context, postID in await ReaderHoles.commentIdentity(context, postID) },
        "like": { context, postID in await LikeButton.fill(context, postID: postID) },
    ]

    /// The fills of `page`'s holes, in order.
    static func fill(_ page: HoledPage, _ context: HoleContext) async -> [String] {
        var fills: [String] = []
        fills.reserveCapacity(page.holes.count)
        for hole in page.holes {
            fills.append(await fillers[hole.name]?(context, hole.argument) ?? "")
        }
        return fills
    }
}
