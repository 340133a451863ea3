import DreyCore
import DreyLinkbacks
import DreyRender
import Foundation

/// Receiving Pingbacks and Trackbacks, with WordPress's answers.
extension LinkbackService {
    static let targetUnusable =
        "The specified target URL cannot be used as a target. It either doesn’t exist, or it is not a pingback-enabled resource."

    /// `pingback.ping`: fetches the source now (the protocol wants the verdict in the answer) and stores the ping.
    package func pingback(source rawSource: String, target rawTarget: String, site: Site, base: String, ip: String) async
        -> Result<String, XMLRPCFault>
    {
        guard let target = Self.webURL(rawTarget) else { return .failure(XMLRPCFault(0, "Is there no link to us?")) }
        guard let source = Self.webURL(rawSource), source.count <= CommentService.maxURLLength else {
            return .failure(XMLRPCFault(16, "The source URL does not exist."))
        }
        do {
            guard site.settings.pingbacksEnabled, let post = try await post(at: target, site: site, base: base) else {
                if URLMatch.authority(target) != URLMatch.authority(base) {
                    return .failure(XMLRPCFault(0, "Is there no link to us?"))
                }
                return .failure(XMLRPCFault(33, Self.targetUnusable))
            }
            guard post.isVisible(at: clock.now()), post.password.isEmpty else {
                return .failure(XMLRPCFault(32, "The specified target URL does not exist."))
            }
            if let other = try await self.post(at: source, site: site, base: base), other.id == post.id {
                return .failure(XMLRPCFault(0, "The source URL and the target URL cannot both point to the same resource."))
            }
            guard post.pingStatus == .open else { return .failure(XMLRPCFault(33, Self.targetUnusable)) }
            if try await store.hasPing(postID: post.id, from: source) {
                return .failure(XMLRPCFault(48, "The pingback has already been registered."))
            }
            let response: FetchResponse
            do {
                response = try await fetch(FetchRequest(url: source, headers: [("Accept", "text/html, */*;q=0.5")]), site: site)
            } catch {
                logger.info("pingback source \(source) not fetched: \(error)")
                return .failure(XMLRPCFault(16, "The source URL does not exist."))
            }
            guard (200..<300).contains(response.status), !response.body.isEmpty else {
                return .failure(XMLRPCFault(16, "The source URL does not exist."))
            }
            let page = SourcePage(body: response.text, url: response.url, isHTML: response.isHTML)
            let title = page.title
            guard !title.isEmpty else { return .failure(XMLRPCFault(32, "We cannot find a title on that page.")) }
            guard let excerpt = page.excerpt(around: target) else {
                return .failure(
                    XMLRPCFault(17, "The source URL does not contain a link to the target URL, and so cannot be used as a source."))
            }
            _ = try await submit(
                type: .pingback, postID: post.id, siteID: site.id, name: title, url: source, text: excerpt, ip: ip)
            return .success("Pingback from \(source) to \(target) registered. Keep the web talking! :-)")
        } catch let rejection as CommentRejection {
            return .failure(XMLRPCFault(0, rejection.messages.joined(separator: " ")))
        } catch {
            logger.error("pingback failed: \(error)")
            return .failure(XMLRPCFault(0, "The pingback could not be stored; please try again later."))
        }
    }

    /// `pingback.extensions.getPingbacks`: the source URLs of the approved pingbacks of a post.
    package func pingbacks(of rawURL: String, site: Site, base: String) async throws -> Result<[String], XMLRPCFault> {
        guard let url = Self.webURL(rawURL), let post = try await post(at: url, site: site, base: base),
            post.isVisible(at: clock.now())
        else { return .failure(XMLRPCFault(33, Self.targetUnusable)) }
        let approved = try await store.comments(postID: post.id, statuses: [.approved])
        return .success(approved.filter { $0.type == .pingback }.map(\.authorURL))
    }

    /// A Trackback ping (TrackBack 1.2): `url` required; the page there must link to the post.
    package func trackback(post: Post, postURL: String, fields: [String: String], site: Site, ip: String) async
        -> Result<Void, TrackbackRefusal>
    {
        guard site.settings.trackbacksEnabled, post.pingStatus == .open else {
            return .failure(TrackbackRefusal("Sorry, trackbacks are closed for this item."))
        }
        guard let url = Self.webURL(fields["url"] ?? ""), url.count <= CommentService.maxURLLength else {
            return .failure(TrackbackRefusal("The url parameter is missing or is not an http or https address."))
        }
        let title = String(PlainText.fromHTML(fields["title"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(250))
        let excerpt = String(PlainText.fromHTML(fields["excerpt"] ?? "").prefix(252))
        let blogName = PlainText.fromHTML(fields["blog_name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            if try await store.hasPing(postID: post.id, from: url) {
                return .failure(TrackbackRefusal("There is already a ping from that URL for this post."))
            }
            let response: FetchResponse
            do {
                response = try await fetch(FetchRequest(url: url, headers: [("Accept", "text/html, */*;q=0.5")]), site: site)
            } catch {
                // The reason stays in the log: told to the sender, it would map our network for them.
                logger.info("trackback source \(url) not fetched: \(error)")
                return .failure(TrackbackRefusal("The page at the url could not be fetched."))
            }
            guard (200..<300).contains(response.status) else {
                return .failure(TrackbackRefusal("The page at the url answered \(response.status)."))
            }
            guard SourcePage(body: response.text, url: response.url, isHTML: response.isHTML).links(to: postURL) else {
                return .failure(TrackbackRefusal("The page at the url does not link to this post, so the trackback was not stored."))
            }
            let shownTitle = title.isEmpty ? url : title
            let text = "<strong>\(HTMLEscape.text(shownTitle))</strong>\n\n\(HTMLEscape.text(excerpt))"
            _ = try await submit(
                type: .trackback, postID: post.id, siteID: site.id, name: blogName.isEmpty ? (URLMatch.host(url) ?? url) : blogName,
                url: url, text: text, ip: ip)
            return .success(())
        } catch let rejection as CommentRejection {
            return .failure(TrackbackRefusal(rejection.messages.joined(separator: " ")))
        } catch {
            logger.error("trackback failed: \(error)")
            return .failure(TrackbackRefusal("The trackback could not be stored; please try again later."))
        }
    }
}

/// Why a trackback was not stored, in the words its sender reads.
package struct TrackbackRefusal: Error {
    package let message: String
    init(_ message: String) { self.message = message }
}
