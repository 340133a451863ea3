import DreyCore
import NIOCore

/// What the personal parts of cached pages need to know of a signed-in reader — their session, whether they like a
/// post — kept in memory for a moment, so a signed-in reader's page is filled without a database read and can be
/// answered by the fast path (decision 0024).
///
/// Only display depends on it: every action (a comment, a like, signing out) reads the session from the database.
/// Everything is forgotten whenever this process answers a form (any write it makes may change what a reader's parts
/// show: signing out, blocking, a like, a new picture), and each entry lives `lifetime` at most, which bounds how long
/// a change made by another instance or the CLI takes to show.
final class ReaderMemory: Sendable {
    struct LikeKey: Hashable {
        let readerID: Int64
        let postID: Int64
    }

    private struct State {
        var sessions: [String: (session: ReaderSession?, until: NIODeadline)] = [:]
        var likes: [LikeKey: (liked: Bool, until: NIODeadline)] = [:]
        /// A signed-in reader's fills of a page's holes, by their token, the hole and the page's address.
        var fills: [String: (html: String, until: NIODeadline)] = [:]
    }

    private let state = Locked(State())
    let lifetime: TimeAmount
    /// Past this many entries of a kind, that kind starts afresh: a flood of made-up cookies cannot grow it.
    let capacity: Int

    init(lifetime: TimeAmount = .seconds(2), capacity: Int = 20_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The session a cookie's token named on a site a moment ago: `.some(nil)` when it named none; nil when not known.
    /// By site too: a session is one site's, and a token shown to another site names nobody there.
    func session(token: String, siteID: Int64) -> ReaderSession?? {
        let now = NIODeadline.now()
        return state.withLock { s in
            guard let known = s.sessions["\(siteID) " + token], known.until > now else { return nil }
            return .some(known.session)
        }
    }

    func remember(token: String, siteID: Int64, session: ReaderSession?) {
        let until = NIODeadline.now() + lifetime
        state.withLock { s in
            if s.sessions.count >= capacity { s.sessions.removeAll(keepingCapacity: true) }
            s.sessions["\(siteID) " + token] = (session, until)
        }
    }

    func liked(readerID: Int64, postID: Int64) -> Bool? {
        let now = NIODeadline.now()
        return state.withLock { s in
            guard let known = s.likes[LikeKey(readerID: readerID, postID: postID)], known.until > now else { return nil }
            return known.liked
        }
    }

    func remember(readerID: Int64, postID: Int64, liked: Bool) {
        let until = NIODeadline.now() + lifetime
        state.withLock { s in
            if s.likes.count >= capacity { s.likes.removeAll(keepingCapacity: true) }
            s.likes[LikeKey(readerID: readerID, postID: postID)] = (liked, until)
        }
    }

    /// A reader's fill of a hole made a moment ago (`PageHoles.fillNow`): the same session, page and hole make the same
    /// HTML, so it is made once per `lifetime` rather than per response.
    func fill(_ key: String) -> String? {
        let now = NIODeadline.now()
        return state.withLock { s in
            guard let known = s.fills[key], known.until > now else { return nil }
            return known.html
        }
    }

    func remember(fill html: String, for key: String) {
        let until = NIODeadline.now() + lifetime
        state.withLock { s in
            if s.fills.count >= capacity { s.fills.removeAll(keepingCapacity: true) }
            s.fills[key] = (html, until)
        }
    }

    func forget() { state.withLock { $0 = State() } }
}
