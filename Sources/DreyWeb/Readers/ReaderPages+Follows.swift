import DreyApp
import DreyCore
import Foundation
import HTTPTypes

/// Likes and follows on `/account`: listed, exported, ended one by one (follows) or all with the account.
extension AccountSection {
    static func stamp(_ date: Date) -> String { date.formatted(.iso8601) }

    static let likes = AccountSection(
        name: "likes",
        html: { session, r, drey in
            let likes = try await drey.readerData.likes(of: session.reader)
            let format = r.site.settings.formatter(r.site.settings.dateFormat)
            var html = "<section class=\"account-likes\"><h2>Posts you like</h2>"
            if likes.isEmpty { return html + "<p>You have not liked any post.</p></section>" }
            html += "<ul>"
            for like in likes {
                let url = try await PostURLs(store: drey.store).canonical(like.post, site: r.site, links: r.links)
                html +=
                    "<li><a href=\"\(ReaderPages.e(url))\">\(ReaderPages.e(like.post.title.isEmpty ? "(no title)" : like.post.title))</a>"
                    + " · since \(ReaderPages.e(format.string(from: like.at)))</li>"
            }
            return html + "</ul></section>"
        },
        export: { reader, drey in
            try await drey.readerData.likes(of: reader).map { ["postID": String($0.post.id), "title": $0.post.title, "likedAt": stamp($0.at)] }
        },
        onDelete: { reader, drey in try await drey.readerData.forgetLikes(reader) })

    static let follows = AccountSection(
        name: "follows",
        html: { session, r, drey in
            var html = "<section class=\"account-follows\"><h2>What you follow by email</h2>"
            guard let subscriber = try await drey.readerData.subscriber(of: session.reader), subscriber.status == .confirmed else {
                return html + "<p>Your address follows nothing on this blog.</p></section>"
            }
            let threads = try await drey.readerData.threads(of: subscriber)
            if !subscriber.followsBlog && threads.isEmpty { return html + "<p>Your address follows nothing on this blog.</p></section>" }
            let csrf = ReaderPages.e(ReaderPages.csrf(r))
            let action = ReaderPages.e(r.links.account(.unfollow))
            func button(_ scope: String) -> String {
                "<form method=\"post\" action=\"\(action)\" class=\"inline\"><input type=\"hidden\" name=\"_csrf\" value=\"\(csrf)\">"
                    + "<input type=\"hidden\" name=\"scope\" value=\"\(ReaderPages.e(scope))\"><button type=\"submit\">Stop following</button></form>"
            }
            html += "<p>Messages go to \(ReaderPages.e(subscriber.email)).</p><ul>"
            if subscriber.followsBlog { html += "<li>New posts on this blog " + button("blog") + "</li>" }
            for thread in threads {
                let url = try await PostURLs(store: drey.store).canonical(thread.post, site: r.site, links: r.links)
                html +=
                    "<li>Comments on <a href=\"\(ReaderPages.e(url))\">\(ReaderPages.e(thread.post.title.isEmpty ? "(no title)" : thread.post.title))</a> "
                    + button("thread:\(thread.post.id)") + "</li>"
            }
            return html + "</ul></section>"
        },
        export: { reader, drey in
            guard let subscriber = try await drey.readerData.subscriber(of: reader) else { return [] }
            var records: [[String: String]] = [
                [
                    "kind": "address", "email": subscriber.email, "status": subscriber.status.rawValue, "followsBlog": String(subscriber.followsBlog),
                    "requestedAt": stamp(subscriber.requestedAt), "confirmedAt": subscriber.confirmedAt.map(stamp) ?? "",
                ]
            ]
            for thread in try await drey.readerData.threads(of: subscriber) {
                records.append(["kind": "thread", "postID": String(thread.post.id), "title": thread.post.title, "since": stamp(thread.since)])
            }
            for consent in try await drey.readerData.consents(of: subscriber) {
                records.append([
                    "kind": "consent", "action": consent.action.rawValue, "scope": consent.scope, "page": consent.page, "wording": consent.wording,
                    "ip": consent.ip, "at": stamp(consent.createdAt),
                ])
            }
            return records
        },
        onDelete: { reader, drey in try await drey.readerData.forgetFollows(reader) })
}

extension ReaderPages {
    /// `POST /account/unfollow`: the reader stops following the blog or a thread; the account form's token guards it.
    func unfollow(_ r: SiteRequest, _ session: ReaderSession) async throws -> PageResult {
        let form = try await WebApp.readForm(r.request, limit: drey.config.maxBodySize)
        guard checkCSRF(r, form["_csrf"]) else { return try await accountPage(r, session, errors: [Self.staleForm], status: .forbidden) }
        guard let scope = form["scope"].flatMap(FollowService.Scope.init(text:)) else {
            return try await accountPage(r, session, errors: ["Choose what to stop following."], status: .unprocessableContent)
        }
        _ = try await drey.readerData.unfollow(session.reader, scope: scope, page: r.links.account(), ip: r.clientIP)
        return .redirect(to: r.links.account() + "?saved=unfollowed", permanent: false)
    }
}
