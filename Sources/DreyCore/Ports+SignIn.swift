import Foundation

/// An OpenID Connect provider a site's owner configured for readers' sign-in (`drey signin oidc add`, the admin).
public struct SignInProvider: Sendable, Equatable {
    public var id: Int64
    public var siteID: Int64
    /// The name readers see on the button ("Google", "Work") and the address uses (`/signin/oidc/NAME`).
    public var name: String
    /// The issuer URL, exactly as the provider's discovery document names itself.
    public var issuer: String
    public var clientID: String
    /// Sent to the provider only; never shown back to anyone.
    public var clientSecret: String
    public var createdAt: Date

    public init(id: Int64 = 0, siteID: Int64, name: String, issuer: String, clientID: String, clientSecret: String, createdAt: Date = Date()) {
        self.id = id
        self.siteID = siteID
        self.name = name
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.createdAt = createdAt
    }

    /// Names are a path segment and a button label: short, lowercase letters, digits and dashes.
    public static func validateName(_ raw: String) throws(SettingError) -> String {
        let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
        guard (1...40).contains(name.count), name.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }),
            name.first != "-"
        else { throw SettingError("the provider's name must be 1 to 40 letters, digits or dashes (it is part of an address)") }
        return name
    }

    /// An issuer is an https URL without query or fragment (http only for this machine, as tests and intranets use).
    public static func validateIssuer(_ raw: String) throws(SettingError) -> String {
        let issuer = raw.trimmingCharacters(in: .whitespaces)
        guard let url = URL(string: issuer), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
            scheme == "https" || scheme == "http", url.query == nil, url.fragment == nil
        else { throw SettingError("the issuer must be an https URL such as https://accounts.example.com (no query or fragment)") }
        return issuer
    }
}

/// A sign-in under way: what the callback must find again, kept on the server, used once.
public struct SignInFlow: Sendable, Equatable {
    public enum Method: String, Sendable { case oidc, indieauth }
    /// SHA-256 of the `state` sent to the provider.
    public var stateHash: String
    public var siteID: Int64
    public var method: Method
    /// The OIDC provider's name, or "website" for IndieAuth.
    public var provider: String
    /// SHA-256 of the random value in the browser's cookie: the callback must come back to the browser that started.
    public var browserHash: String
    /// The PKCE code verifier.
    public var verifier: String
    public var nonce: String
    public var returnTo: String
    /// Method-specific facts as JSON (IndieAuth: the endpoints and issuer discovered, the URL typed).
    public var data: String
    public var expiresAt: Date

    public init(
        stateHash: String, siteID: Int64, method: Method, provider: String, browserHash: String, verifier: String, nonce: String,
        returnTo: String, data: String, expiresAt: Date
    ) {
        self.stateHash = stateHash
        self.siteID = siteID
        self.method = method
        self.provider = provider
        self.browserHash = browserHash
        self.verifier = verifier
        self.nonce = nonce
        self.returnTo = returnTo
        self.data = data
        self.expiresAt = expiresAt
    }
}

public protocol SignInStore: Sendable {
    func signInProviders(siteID: Int64) async throws -> [SignInProvider]
    func signInProvider(siteID: Int64, name: String) async throws -> SignInProvider?
    /// Adds a provider, or replaces the one of that name.
    func saveSignInProvider(_ provider: SignInProvider) async throws
    /// Whether there was one to remove.
    func removeSignInProvider(siteID: Int64, name: String) async throws -> Bool
    func saveSignInFlow(_ flow: SignInFlow) async throws
    /// Deletes and returns the flow: a state is used once, whatever happens next.
    func takeSignInFlow(siteID: Int64, stateHash: String) async throws -> SignInFlow?
    func pruneSignInFlows(before date: Date) async throws -> Int
}
