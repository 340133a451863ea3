import DreyCore
import DreyFetch
import DreyLinkbacks
import DreyRender
import Foundation
import Logging

/// Readers' sign-in through someone else: OpenID Connect providers the owner configured, and IndieAuth (the reader's
/// own website). Both flows keep their secrets (state, nonce, PKCE verifier) on the server, one row per sign-in that
/// is taken, and so used up, by the first callback that names it; the browser that started must be the one that
/// comes back (a cookie whose hash the row holds), so nobody can finish a sign-in in someone else's browser.
/// What a flow proves is a `SignInProof`; making the reader and the session from it is the readers' service's job.
public final class SignInService: Sendable {
    let store: any SignInStore
    let fetcher: any Fetcher
    let clock: Clock
    let logger: Logger
    let documents = DocumentCache()

    /// How long a sign-in may take between leaving for the provider and coming back.
    public static let flowLifetime: TimeInterval = 600

    init(store: any SignInStore, fetcher: any Fetcher, clock: Clock, logger: Logger) {
        self.store = store
        self.fetcher = fetcher
        self.clock = clock
        self.logger = logger
    }

    /// What a finished sign-in proved about the person.
    public struct SignInProof: Sendable, Equatable {
        public var method: SignInFlow.Method
        public var issuer: String
        public var subject: String
        /// The OIDC provider's name, or "website".
        public var provider: String
        public var name: String
        public var email: String?
        public var emailVerified: Bool
        public var website: String?
        public var picture: String?
        public var returnTo: String
    }

    /// Where to send the browser, and the value its cookie must carry back.
    public struct Start: Sendable {
        public let location: String
        public let browserSecret: String
    }

    /// A sign-in that did not happen, with the sentence the reader's page shows.
    public struct Refused: Error, CustomStringConvertible, Equatable {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    // MARK: providers

    public func providers(siteID: Int64) async throws -> [SignInProvider] { try await store.signInProviders(siteID: siteID) }

    public func provider(siteID: Int64, name: String) async throws -> SignInProvider? {
        try await store.signInProvider(siteID: siteID, name: name.lowercased())
    }

    /// Adds (or replaces) a provider after checking what was typed; the error says what is wrong.
    @discardableResult
    public func addProvider(siteID: Int64, name: String, issuer: String, clientID: String, clientSecret: String) async throws -> SignInProvider {
        let name = try SignInProvider.validateName(name)
        let issuer = try SignInProvider.validateIssuer(issuer)
        let clientID = clientID.trimmingCharacters(in: .whitespaces)
        guard !clientID.isEmpty, clientID.count <= 500 else { throw SettingError("the client ID is missing") }
        guard clientSecret.count <= 2000 else { throw SettingError("the client secret is longer than 2000 characters") }
        let provider = SignInProvider(
            siteID: siteID, name: name, issuer: issuer, clientID: clientID, clientSecret: clientSecret, createdAt: clock.now())
        try await store.saveSignInProvider(provider)
        return provider
    }

    public func removeProvider(siteID: Int64, name: String) async throws -> Bool {
        try await store.removeSignInProvider(siteID: siteID, name: name.lowercased())
    }

    /// Forgets sign-ins that were never finished.
    public func prune() async throws -> Int { try await store.pruneSignInFlows(before: clock.now()) }

    // MARK: OpenID Connect

    /// Begins an authorization code flow with PKCE S256, state and nonce; returns the provider's authorization URL.
    public func startOIDC(site: Site, name: String, redirectURI: String, returnTo: String) async throws -> Start {
        guard let provider = try await provider(siteID: site.id, name: name) else { throw Refused("There is no sign-in provider called \(name).") }
        let metadata = try await discovery(provider, allow: site.settings.fetchAllow)
        guard let endpoint = metadata["authorization_endpoint"]?.string, URLMatch.resolve(endpoint, against: endpoint) != nil else {
            throw Refused("\(provider.name) did not say where to sign in (no authorization endpoint in its discovery document).")
        }
        let (state, verifier, nonce, browser) = (Base64URL.random(), Base64URL.random(48), Base64URL.random(), Base64URL.random())
        try await store.saveSignInFlow(
            SignInFlow(
                stateHash: Base64URL.hash(state), siteID: site.id, method: .oidc, provider: provider.name, browserHash: Base64URL.hash(browser),
                verifier: verifier, nonce: nonce, returnTo: returnTo, data: "{}", expiresAt: clock.now().addingTimeInterval(Self.flowLifetime)))
        let query: [(String, String)] = [
            ("response_type", "code"), ("client_id", provider.clientID), ("redirect_uri", redirectURI), ("scope", "openid email profile"),
            ("state", state), ("nonce", nonce), ("code_challenge", Base64URL.challenge(verifier)), ("code_challenge_method", "S256"),
        ]
        return Start(location: Self.append(query, to: endpoint), browserSecret: browser)
    }

    /// Ends a flow at the callback: the state taken (once), the code exchanged, the ID token checked.
    public func finishOIDC(site: Site, name: String, query: [String: String], browserSecret: String?, redirectURI: String) async throws
        -> SignInProof
    {
        let flow = try await takeFlow(site: site, query: query, browserSecret: browserSecret, method: .oidc)
        guard flow.provider == name.lowercased(), let provider = try await provider(siteID: site.id, name: flow.provider) else {
            throw Refused("This sign-in was started with another provider.")
        }
        if let error = query["error"] {
            throw Refused("\(provider.name) did not sign you in: \(Self.providerError(error, query["error_description"]))")
        }
        // RFC 9207: when the provider names itself in the answer, it must be the one we sent the reader to.
        if let iss = query["iss"], iss != provider.issuer { throw Refused("The answer came from \(iss.prefix(100)), not from \(provider.name).") }
        guard let code = query["code"], !code.isEmpty else { throw Refused("\(provider.name) sent no authorization code.") }
        let allow = site.settings.fetchAllow
        let metadata = try await discovery(provider, allow: allow)
        guard let tokenEndpoint = metadata["token_endpoint"]?.string else { throw Refused("\(provider.name) has no token endpoint.") }
        var fields = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", flow.verifier),
        ]
        var headers = [("Accept", "application/json")]
        // client_secret_basic is the default (Core §9); post only when the provider supports nothing else of the two.
        let methods = metadata["token_endpoint_auth_methods_supported"]?.array?.compactMap(\.string) ?? ["client_secret_basic"]
        if methods.contains("client_secret_basic") || !methods.contains("client_secret_post") {
            let credentials = FormEncoding.encode(provider.clientID) + ":" + FormEncoding.encode(provider.clientSecret)
            headers.append(("Authorization", "Basic " + Data(credentials.utf8).base64EncodedString()))
        } else {
            fields += [("client_id", provider.clientID), ("client_secret", provider.clientSecret)]
        }
        var request = FetchRequest.form(tokenEndpoint, fields, allow: allow)
        request.headers += headers
        let response = try await fetch(request, what: "\(provider.name)'s token endpoint")
        guard let body = JSONValue.object(from: response.body) else { throw Refused("\(provider.name)'s token endpoint did not answer with JSON.") }
        guard response.status == 200 else {
            throw Refused(
                "\(provider.name) refused the sign-in code: \(Self.providerError(body["error"]?.string ?? "HTTP \(response.status)", body["error_description"]?.string))"
            )
        }
        guard let idToken = body["id_token"]?.string else { throw Refused("\(provider.name) sent no ID token.") }
        let token: IDToken
        do {
            token = try await verify(idToken, provider: provider, metadata: metadata, nonce: flow.nonce, allow: allow)
        } catch let refusal as IDToken.Refusal {
            logger.notice("refused an ID token", metadata: ["provider": "\(provider.name)", "why": "\(refusal)"])
            throw Refused("Sign-in refused: \(refusal).")
        }
        let email = token.emailVerified ? token.email : nil
        return SignInProof(
            method: .oidc, issuer: provider.issuer, subject: token.subject, provider: provider.name,
            name: Self.clean(token.name) ?? Self.clean(email?.split(separator: "@").first.map(String.init)) ?? provider.name + " reader",
            email: email, emailVerified: token.emailVerified && email != nil, website: Self.webURL(token.website),
            picture: Self.webURL(token.picture),
            returnTo: flow.returnTo)
    }

    /// The ID token checked against the provider's keys, fetched again once when the token names a key we do not have.
    func verify(_ compact: String, provider: SignInProvider, metadata: [String: JSONValue], nonce: String, allow: [String]) async throws
        -> IDToken
    {
        guard let jwksURI = metadata["jwks_uri"]?.string else { throw Refused("\(provider.name) publishes no keys (no jwks_uri).") }
        // Keys rotate: a token signed by a key we do not have (or not with the key we have) looks once more.
        for fresh in [false, true] {
            let jwks = try await document(jwksURI, allow: allow, refresh: fresh, what: "\(provider.name)'s keys")
            let keys = jwks["keys"]?.array?.compactMap(\.object) ?? []
            let result = Result { () throws(IDToken.Refusal) -> IDToken in
                try IDToken.verify(compact, keys: keys, issuer: provider.issuer, clientID: provider.clientID, nonce: nonce, now: clock.now())
            }
            switch result {
            case .success(let token): return token
            case .failure(let refusal):
                if fresh || (refusal != .unknownKey && refusal != .badSignature) { throw refusal }
            }
        }
        throw IDToken.Refusal.unknownKey
    }

    /// The provider's discovery document, cached; its `issuer` must be the issuer configured, exactly (Discovery §4.3).
    func discovery(_ provider: SignInProvider, allow: [String]) async throws -> [String: JSONValue] {
        let base = provider.issuer.hasSuffix("/") ? String(provider.issuer.dropLast()) : provider.issuer
        let metadata = try await document(base + "/.well-known/openid-configuration", allow: allow, what: "\(provider.name)'s discovery document")
        guard metadata["issuer"]?.string == provider.issuer else {
            throw Refused("\(provider.name)'s discovery document names another issuer (\(metadata["issuer"]?.string?.prefix(100) ?? "none")).")
        }
        return metadata
    }

    // MARK: shared

    func takeFlow(site: Site, query: [String: String], browserSecret: String?, method: SignInFlow.Method) async throws -> SignInFlow {
        guard let state = query["state"], !state.isEmpty,
            let flow = try await store.takeSignInFlow(siteID: site.id, stateHash: Base64URL.hash(state))
        else { throw Refused("This sign-in is unknown or was already used (the state does not match). Please start again.") }
        guard flow.method == method else { throw Refused("This sign-in was started another way. Please start again.") }
        guard flow.expiresAt > clock.now() else { throw Refused("This sign-in took longer than ten minutes. Please start again.") }
        guard let browserSecret, Base64URL.hash(browserSecret) == flow.browserHash else {
            throw Refused("This sign-in was started in another browser. Please start again here.")
        }
        return flow
    }

    func fetch(_ request: FetchRequest, what: String) async throws -> FetchResponse {
        do {
            return try await fetcher.fetch(request)
        } catch let error as FetchError {
            throw Refused("Could not reach \(what): \(error).")
        }
    }

    /// A JSON document, cached for an hour (`refresh` fetches it again).
    func document(_ url: String, allow: [String], refresh: Bool = false, what: String) async throws -> [String: JSONValue] {
        if !refresh, let cached = await documents.get(url, now: clock.now()) { return cached }
        let response = try await fetch(FetchRequest(url: url, headers: [("Accept", "application/json")], allow: allow), what: what)
        guard response.status == 200, let object = JSONValue.object(from: response.body) else {
            throw Refused("\(what.prefix(1).uppercased() + what.dropFirst()) could not be read (HTTP \(response.status)).")
        }
        await documents.put(url, object, until: clock.now().addingTimeInterval(3600))
        return object
    }

    static func append(_ query: [(String, String)], to endpoint: String) -> String {
        let encoded = query.map { "\(FormEncoding.encode($0.0))=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
        return endpoint + (endpoint.contains("?") ? "&" : "?") + encoded
    }

    static func providerError(_ error: String, _ description: String?) -> String {
        let words = error == "access_denied" ? "access was denied" : error
        return String((description.map { "\(words) (\($0))" } ?? words).prefix(300))
    }

    static func clean(_ text: String?) -> String? {
        guard let t = text?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        return String(t.filter { !$0.isNewline }.prefix(100))
    }

    static func webURL(_ text: String?) -> String? {
        guard let text, let c = URLComponents(string: text), let s = c.scheme?.lowercased(), s == "https" || s == "http", c.host != nil else {
            return nil
        }
        return String(text.prefix(500))
    }
}

/// Discovery documents and key sets, kept an hour: every sign-in needs them and they rarely change.
actor DocumentCache {
    private var entries: [String: (value: [String: JSONValue], until: Date)] = [:]

    func get(_ url: String, now: Date) -> [String: JSONValue]? {
        guard let entry = entries[url], entry.until > now else { return nil }
        return entry.value
    }

    func put(_ url: String, _ value: [String: JSONValue], until: Date) {
        if entries.count > 200 { entries.removeAll() }
        entries[url] = (value, until)
    }
}
