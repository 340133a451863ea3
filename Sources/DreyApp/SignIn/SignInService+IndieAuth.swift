import DreyCore
import DreyFetch
import DreyLinkbacks
import DreyRender
import Foundation
import Logging

/// IndieAuth: a reader signs in with their own website (discovery of its authorization server, PKCE, the profile
/// it names checked against the one typed).
extension SignInService {
    /// Begins an IndieAuth sign-in for the website a reader typed: discovery of its authorization server, then PKCE.
    public func startIndieAuth(site: Site, website: String, clientID: String, redirectURI: String, returnTo: String) async throws -> Start {
        guard let typed = Self.profileURL(website) else {
            throw Refused("“\(website.prefix(200))” is not a website address; type one such as example.com or https://example.com/.")
        }
        let server = try await discoverIndieAuth(typed, allow: site.settings.fetchAllow)
        let (state, verifier, browser) = (Base64URL.random(), Base64URL.random(48), Base64URL.random())
        let data = IndieAuthData(
            me: typed, authorizationEndpoint: server.authorizationEndpoint, tokenEndpoint: server.tokenEndpoint, issuer: server.issuer)
        try await store.saveSignInFlow(
            SignInFlow(
                stateHash: Base64URL.hash(state), siteID: site.id, method: .indieauth, provider: "website", browserHash: Base64URL.hash(browser),
                verifier: verifier, nonce: "", returnTo: returnTo, data: String(decoding: try JSONEncoder().encode(data), as: UTF8.self),
                expiresAt: clock.now().addingTimeInterval(Self.flowLifetime)))
        let query: [(String, String)] = [
            ("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI), ("state", state),
            ("code_challenge", Base64URL.challenge(verifier)), ("code_challenge_method", "S256"), ("scope", "profile"), ("me", typed),
        ]
        return Start(location: Self.append(query, to: server.authorizationEndpoint), browserSecret: browser)
    }

    public func finishIndieAuth(site: Site, query: [String: String], browserSecret: String?, clientID: String, redirectURI: String) async throws
        -> SignInProof
    {
        let flow = try await takeFlow(site: site, query: query, browserSecret: browserSecret, method: .indieauth)
        guard let data = try? JSONDecoder().decode(IndieAuthData.self, from: Data(flow.data.utf8)) else {
            throw Refused("This sign-in cannot be finished.")
        }
        if let error = query["error"] { throw Refused("Your website did not sign you in: \(Self.providerError(error, query["error_description"])).") }
        // The issuer check (IndieAuth §5.2.1, RFC 9207) stops a mix-up between two servers the reader uses.
        if let issuer = data.issuer {
            guard let iss = query["iss"], iss == issuer else {
                throw Refused(
                    "The answer did not come from your website's authorization server (iss is \(query["iss"]?.prefix(100) ?? "missing"), expected \(issuer))."
                )
            }
        }
        guard let code = query["code"], !code.isEmpty else { throw Refused("Your website's authorization server sent no code.") }
        let allow = site.settings.fetchAllow
        var request = FetchRequest.form(
            data.authorizationEndpoint,
            [
                ("grant_type", "authorization_code"), ("code", code), ("client_id", clientID), ("redirect_uri", redirectURI),
                ("code_verifier", flow.verifier),
            ], allow: allow)
        request.headers.append(("Accept", "application/json"))
        let response = try await fetch(request, what: "your website's authorization endpoint")
        guard let body = JSONValue.object(from: response.body) else {
            throw Refused("Your website's authorization endpoint did not answer with JSON.")
        }
        guard response.status == 200, let rawMe = body["me"]?.string else {
            throw Refused(
                "Your website refused the sign-in code: \(Self.providerError(body["error"]?.string ?? "HTTP \(response.status)", body["error_description"]?.string))."
            )
        }
        guard let me = Self.profileURL(rawMe), me == rawMe || URLMatch.same(me, rawMe) else {
            throw Refused("Your website answered with “\(rawMe.prefix(200))”, which is not a profile URL.")
        }
        // A `me` on the typed site is the reader's to claim; one elsewhere must be served by the same authorization
        // server, or any server could name any website (IndieAuth §5.3.4).
        if URLMatch.authority(me) != URLMatch.authority(data.me) || URLComponents(string: me)?.scheme != URLComponents(string: data.me)?.scheme {
            let other: IndieAuthServer
            do {
                other = try await discoverIndieAuth(me, allow: allow)
            } catch {
                throw Refused("Your website answered for \(me), whose own sign-in could not be found: \(error).")
            }
            guard other.authorizationEndpoint == data.authorizationEndpoint else {
                throw Refused("Your website answered for \(me), which signs in elsewhere: the sign-in is refused.")
            }
        }
        let profile = body["profile"]?.object ?? [:]
        let host = URLComponents(string: me)?.host ?? me
        return SignInProof(
            method: .indieauth, issuer: "indieauth", subject: me, provider: "website", name: Self.clean(profile["name"]?.string) ?? host,
            email: nil, emailVerified: false, website: me, picture: Self.webURL(profile["photo"]?.string), returnTo: flow.returnTo)
    }

    struct IndieAuthData: Codable {
        var me: String
        var authorizationEndpoint: String
        var tokenEndpoint: String?
        var issuer: String?
    }

    struct IndieAuthServer {
        var authorizationEndpoint: String
        var tokenEndpoint: String?
        /// Nil only for a site that advertises its endpoints the old way (no metadata document).
        var issuer: String?
    }

    /// IndieAuth discovery (§4.1): the `indieauth-metadata` link, from the HTTP `Link` header or the page's `<link>`;
    /// only when there is none, the older `authorization_endpoint` rel.
    func discoverIndieAuth(_ url: String, allow: [String]) async throws -> IndieAuthServer {
        let page = try await fetch(FetchRequest(url: url, headers: [("Accept", "text/html")], allow: allow), what: url)
        guard page.status == 200 else { throw Refused("\(url) answered with HTTP \(page.status).") }
        if let metadataURL = Self.rel("indieauth-metadata", in: page) {
            let metadata = try await document(metadataURL, allow: allow, what: "the IndieAuth metadata of \(url)")
            guard let issuer = metadata["issuer"]?.string, metadataURL.hasPrefix(issuer),
                let endpoint = metadata["authorization_endpoint"]?.string.flatMap({ URLMatch.resolve($0, against: metadataURL) })
            else { throw Refused("The IndieAuth metadata of \(url) is incomplete (issuer and authorization endpoint are needed).") }
            if let methods = metadata["code_challenge_methods_supported"]?.array?.compactMap(\.string), !methods.contains("S256") {
                throw Refused("The authorization server of \(url) does not support PKCE with S256.")
            }
            return IndieAuthServer(authorizationEndpoint: endpoint, tokenEndpoint: metadata["token_endpoint"]?.string, issuer: issuer)
        }
        if let endpoint = Self.rel("authorization_endpoint", in: page) {
            return IndieAuthServer(authorizationEndpoint: endpoint, tokenEndpoint: Self.rel("token_endpoint", in: page), issuer: nil)
        }
        throw Refused("\(url) does not say how to sign in with it (no indieauth-metadata link).")
    }

    /// The first link with `rel`: HTTP `Link` headers first, then the HTML's `<link>` and `<a>`, resolved against the page.
    static func rel(_ rel: String, in response: FetchResponse) -> String? {
        for header in response.headers(named: "Link") {
            if let target = EndpointDiscovery.linkTargets(header, rel: rel).first { return URLMatch.resolve(target, against: response.url) }
        }
        guard response.isHTML else { return nil }
        for node in HTMLDocument.parse(response.text).descendants where node.name == "link" || node.name == "a" {
            if node.rels.contains(rel), let href = node.attribute("href") { return URLMatch.resolve(href, against: response.url) }
        }
        return nil
    }

    /// A user profile URL as IndieAuth §3.2 defines it, with a scheme and a path added to what people type.
    public static func profileURL(_ typed: String) -> String? {
        var text = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.contains("://") { text = "https://" + text }
        guard text.count <= 500, var c = URLComponents(string: text), let scheme = c.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = c.host, !host.isEmpty, c.user == nil, c.password == nil, c.fragment == nil
        else { return nil }
        let segments = c.path.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.contains(".") && !segments.contains("..") else { return nil }
        c.scheme = scheme
        c.host = host.lowercased()
        if c.path.isEmpty { c.path = "/" }
        return c.string
    }
}
