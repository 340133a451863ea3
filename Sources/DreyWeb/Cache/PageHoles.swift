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
    /// The reader cookie's token, read once per response; nil for a guest (no reader cookie, or an empty one).
    let readerToken: String?
    private let memo = Locked([String: any Sendable]())
    /// The reader once known from memory (`ReaderHoles.knownReader`), so the holes that ask do not look again.
    private let known = Locked<ReaderSession??>(nil)

    init(app: WebApp, site: Site, request: Request, form: FormSlot? = nil) {
        self.app = app
        self.site = site
        self.request = request
        self.form = form
        let token = request.cookie(ReaderWeb.cookie)
        self.readerToken = token?.isEmpty == false ? token : nil
    }

    /// The reader as `ReaderHoles.knownReader` found them, once found; nil while not known.
    var knownReader: ReaderSession?? {
        get { known.withLock { $0 } }
        set { known.withLock { $0 = newValue } }
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

/// Fills one hole, given the response's context and the hole's argument, with HTML (already escaped). `now` answers from
/// what is in memory, without waiting, or says nil when it needs a lookup that waits; `fill` may wait (and leaves what
/// it looked up in memory, so the next response can be filled `now`). The cached-page fast path answers only pages whose
/// every hole can be filled `now`.
struct HoleFiller: Sendable {
    let now: @Sendable (HoleContext, Int64) -> String?
    let fill: @Sendable (HoleContext, Int64) async -> String
    /// The fill depends only on the page and on who the reader is, so every guest (no reader cookie) gets the same one.
    let sameForEveryGuest: Bool

    /// A filler that never waits, and differs per response.
    init(_ now: @escaping @Sendable (HoleContext, Int64) -> String) {
        self.now = now
        self.fill = { now($0, $1) }
        self.sameForEveryGuest = false
    }

    /// A filler of a reader's part: the same for every guest.
    init(reader now: @escaping @Sendable (HoleContext, Int64) -> String?, fill: @escaping @Sendable (HoleContext, Int64) async -> String) {
        self.now = now
        self.fill = fill
        self.sameForEveryGuest = true
    }
}

/// Every hole a page may have, by name: one line each. A marker whose name is not here is filled with nothing.
enum PageHoles {
    static let fillers: [String: HoleFiller] = [
        // The comment form's token, minted per response: see FormToken.
        "form-token": HoleFiller { context, postID in
            let shownAt = context.form?.postID == postID ? context.form?.shownAt : nil
            return context.app.formToken(postID, site: context.site, shownAt: shownAt)
        },
        // Readers (issue 13): "signed in as …" or a sign-in link; the comment form's account line or guest fields.
        "reader-bar": HoleFiller(
            reader: { context, _ in ReaderHoles.readerBarNow(context) }, fill: { context, _ in await ReaderHoles.readerBar(context) }),
        "comment-identity": HoleFiller(
            reader: { context, postID in ReaderHoles.commentIdentityNow(context, postID) },
            fill: { context, postID in await ReaderHoles.commentIdentity(context, postID) }),
        "like": HoleFiller(
            reader: { context, postID in LikeButton.fillNow(context, postID: postID) },
            fill: { context, postID in await LikeButton.fill(context, postID: postID) }),
    ]

    /// The fills of `page`'s holes, in order.
    static func fill(_ page: HoledPage, _ context: HoleContext) async -> [String] {
        await fill(page.holes, context)
    }

    static func fill(_ holes: [PageHole], _ context: HoleContext) async -> [String] {
        var fills: [String] = []
        fills.reserveCapacity(holes.count)
        for hole in holes {
            fills.append(await fillers[hole.name]?.fill(context, hole.argument) ?? "")
        }
        return fills
    }

    /// A page rendered for one response with its holes filled: found and filled in one pass over the text, without
    /// splitting it into the pieces a cached page keeps.
    static func filled(_ page: String, _ context: HoleContext) async -> ByteBuffer {
        var page = page
        let found = page.withUTF8 { PageHole.find(in: UnsafeRawBufferPointer($0)) }
        guard !found.isEmpty else { return ByteBuffer(string: page) }
        let fills = await fill(found.map(\.hole), context)
        var out = ByteBuffer()
        out.reserveCapacity(page.utf8.count + fills.reduce(0) { $0 + $1.utf8.count })
        page.withUTF8 { bytes in
            var start = 0
            for ((_, range), fill) in zip(found, fills) {
                out.writeBytes(UnsafeBufferPointer(rebasing: bytes[start..<range.lowerBound]))
                out.writeString(fill)
                start = range.upperBound
            }
            out.writeBytes(UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        return out
    }

    /// The fills of `page`'s holes from what is in memory; nil when one of them would have to wait.
    static func fillNow(_ page: HoledPage, _ context: HoleContext) -> [String]? {
        var fills: [String] = []
        fills.reserveCapacity(page.holes.count)
        // A guest's parts are the same for every guest of the page; a signed-in reader's are remembered a moment by
        // their token, the hole and the address (ReaderMemory), since they too are the same from one response to the next.
        let token = context.readerToken
        // Only while the session itself is known and live (by the app's clock): a fill is never older than its reader.
        let signedIn: Bool
        if token != nil, case .some(.some) = ReaderHoles.knownReader(context) { signedIn = true } else { signedIn = false }
        // The reader's part of the key, made once for all of the page's holes.
        let readerPrefix = signedIn ? token.map { "\(context.site.id) \($0) " + context.request.uri.description + " " } : nil
        for (n, hole) in page.holes.enumerated() {
            guard let filler = fillers[hole.name] else {
                fills.append("")
                continue
            }
            let readerKey = filler.sameForEveryGuest ? readerPrefix.map { $0 + hole.name + " " + String(hole.argument) } : nil
            if filler.sameForEveryGuest {
                if let readerKey, let known = context.app.readerMemory.fill(readerKey) {
                    fills.append(known)
                    continue
                }
                if token == nil, let known = page.guestFills.withLock({ $0[n] }) {
                    fills.append(known)
                    continue
                }
            }
            guard let fill = filler.now(context, hole.argument) else { return nil }
            if filler.sameForEveryGuest {
                if let readerKey {
                    context.app.readerMemory.remember(fill: fill, for: readerKey)
                } else if token == nil {
                    page.guestFills.withLock { $0[n] = fill }
                }
            }
            fills.append(fill)
        }
        return fills
    }
}
