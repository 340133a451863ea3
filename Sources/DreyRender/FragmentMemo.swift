import DreyCore

/// Rendered pieces of pages remembered by what they show: a comment with its replies, or a post as a list shows
/// it, is rendered through the theme's partial once, then reused by every render that shows it the same way (same
/// text, author, face, date, terms, reply link, moderation note). A thread is most of a long post's template work and
/// the post summaries most of a list's; a new comment changes one subtree, an edited post one summary. Keyed by the
/// whole view, so nothing stale can be served; bounded by bytes (cleared when full); one memo per loaded theme, so an
/// edited theme starts empty. Decision 0025.
final class FragmentMemo: Sendable {
    private struct Key: Hashable {
        let template: String
        let view: AnyHashable
    }

    private struct State {
        var rendered: [Key: String] = [:]
        var bytes = 0
    }

    private let state = Locked(State())
    let limit: Int

    init(limit: Int = 2 << 20) { self.limit = limit }

    /// What the remembered pieces count, by the same reckoning as the limit.
    var bytesHeld: Int { state.withLock { $0.bytes } }

    /// `view` through `template`, rendered by `render` unless remembered; `size` says what the view itself holds (it
    /// is the key), asked only when a piece is rendered.
    func fragment<View: Hashable & Sendable>(_ view: View, template: String, size: (View) -> Int, render: (View) -> String) -> String {
        let key = Key(template: template, view: AnyHashable(view))
        if let known = state.withLock({ $0.rendered[key] }) { return known }
        let html = render(view)
        let cost = html.utf8.count + size(view) + 128
        state.withLock { s in
            if s.bytes + cost > limit {
                s.rendered.removeAll(keepingCapacity: false)
                s.bytes = 0
            }
            guard cost <= limit else { return }
            s.rendered[key] = html
            s.bytes += cost
        }
        return html
    }
}
