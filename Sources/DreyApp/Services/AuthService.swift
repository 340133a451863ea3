import Crypto
import DreyCore
import DreyStore
import Foundation
import HummingbirdBcrypt
import Logging

/// Signing in and out, throttling, password resets and the first administrator.
public struct AuthService: Sendable {
    let store: any AccountStore & UserStore
    let clock: Clock
    let logger: Logger
    let mail: MailQueue
    let sites: SiteRegistry

    public static let sessionLifetime: TimeInterval = 14 * 86400
    public static let resetLifetime: TimeInterval = 3600
    public static let invitationLifetime: TimeInterval = 3 * 86400
    public static let failureWindow: TimeInterval = 15 * 60
    /// Wrong passwords one address may try for one account before that pair is refused for a while.
    public static let maxFailuresPerAccountAndIP = 5
    /// Wrong passwords one address may try across all accounts.
    public static let maxFailuresPerIP = 20
    /// Past this many failures for an account from anywhere, every attempt on it waits a little longer;
    /// the account is never refused as a whole, so strangers cannot lock its owner out.
    public static let slowdownAfter = 5
    public static let maxSlowdown: Duration = .seconds(3)
    public static let resetWindow: TimeInterval = 3600
    public static let maxResetsPerAddress = 3
    public static let maxResetsPerIP = 10

    public enum SignInError: Error, Equatable, CustomStringConvertible {
        case wrongCredentials
        case throttled(minutes: Int)
        case deactivated

        public var description: String {
            switch self {
            case .wrongCredentials: return "The email address or password is not right."
            case .throttled(let m): return "Too many failed sign-in attempts. Please wait \(m) minute\(m == 1 ? "" : "s") and try again."
            case .deactivated: return "This account has been deactivated. Ask an administrator of the site."
            }
        }
    }

    /// Checks the password and opens a session; returns the cookie token.
    /// Failures are counted per address and per account-and-address, which are refused for a while past
    /// their limits, and per account, which only slows down: a stranger's guesses must not lock the owner out.
    public func signIn(email: String, password: String, ip: String, userAgent: String) async throws -> (token: String, user: User) {
        let now = clock.now()
        let account = email.lowercased().trimmingCharacters(in: .whitespaces)
        let accountKey = "account:" + account
        let pairKey = "account-ip:" + account + "|" + ip
        let ipKey = "ip:" + ip
        let since = now.addingTimeInterval(-Self.failureWindow)
        let pairFailures = try await store.loginFailures(key: pairKey, since: since)
        let ipFailures = ip.isEmpty ? 0 : try await store.loginFailures(key: ipKey, since: since)
        if pairFailures >= Self.maxFailuresPerAccountAndIP || ipFailures >= Self.maxFailuresPerIP {
            logger.notice("sign-in throttled", metadata: ["account": "\(accountKey)", "ip": "\(ip)"])
            throw SignInError.throttled(minutes: Int(Self.failureWindow / 60))
        }
        let accountFailures = try await store.loginFailures(key: accountKey, since: since)
        if let delay = Self.slowdown(afterFailures: accountFailures) { try await Task.sleep(for: delay) }
        let user = try await store.user(email: email.trimmingCharacters(in: .whitespaces))
        let hash = user?.passwordHash ?? ""
        // Verify even for unknown accounts, so timing does not tell which emails exist.
        let ok = try await BlockingWork.run {
            hash.isEmpty ? (Bcrypt.verify(password, hash: Self.dummyHash) && false) : Bcrypt.verify(password, hash: hash)
        }
        guard ok, let user else {
            try await store.recordLoginFailure(keys: ip.isEmpty ? [accountKey, pairKey] : [accountKey, pairKey, ipKey], at: now)
            logger.notice("sign-in failed", metadata: ["account": "\(accountKey)", "ip": "\(ip)"])
            throw SignInError.wrongCredentials
        }
        guard user.active else { throw SignInError.deactivated }
        try await store.clearLoginFailures(key: pairKey)
        let token = Self.randomToken()
        try await store.createSession(
            idHash: Self.hash(token), userID: user.id, expiresAt: now.addingTimeInterval(Self.sessionLifetime), ip: ip, userAgent: userAgent)
        return (token, user)
    }

    /// A quarter second after the first few failures, doubling with each one, up to `maxSlowdown`.
    static func slowdown(afterFailures n: Int) -> Duration? {
        guard n >= slowdownAfter else { return nil }
        let millis = min(Double(maxSlowdown.components.seconds) * 1000, 250 * pow(2, Double(min(n - slowdownAfter, 20))))
        return .milliseconds(Int(millis))
    }

    /// The signed-in user for a session cookie, if the session is alive and the account active.
    public func user(sessionToken token: String) async throws -> (User, SessionRecord)? {
        guard token.count >= 20, token.count <= 100 else { return nil }
        guard let session = try await store.session(idHash: Self.hash(token)), session.expiresAt > clock.now(),
            let user = try await store.user(id: session.userID), user.active
        else { return nil }
        return (user, session)
    }

    public func signOut(token: String) async throws { try await store.deleteSession(idHash: Self.hash(token)) }

    public func signOutEverywhere(userID: Int64) async throws { try await store.deleteSessions(userID: userID) }

    /// Too many requests for a reset link, for one address or from one client.
    public struct ResetThrottled: Error, CustomStringConvertible {
        public var description: String {
            "Too many requests for a new password. Please wait an hour and try again, or ask an administrator of the site."
        }
    }

    /// Queues a reset link for whichever active account has `email`. The request does the same work
    /// whether or not the address has an account, since the lookup happens in the mail job; it is
    /// limited per address and per client alike, so the limits tell nothing either.
    public func requestReset(email: String, baseURL: String, siteID: Int64, ip: String) async throws {
        let address = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard UserService.isValidEmail(address) else { return }
        let now = clock.now()
        let since = now.addingTimeInterval(-Self.resetWindow)
        let addressKey = "reset-email:" + address
        let ipKey = "reset-ip:" + ip
        let forAddress = try await store.loginFailures(key: addressKey, since: since)
        let fromIP = ip.isEmpty ? 0 : try await store.loginFailures(key: ipKey, since: since)
        guard forAddress < Self.maxResetsPerAddress, fromIP < Self.maxResetsPerIP else {
            logger.notice("password reset requests throttled", metadata: ["ip": "\(ip)"])
            throw ResetThrottled()
        }
        try await store.recordLoginFailure(keys: ip.isEmpty ? [addressKey] : [addressKey, ipKey], at: now)
        try await mail.enqueue(MailQueue.AccountMail(purpose: .reset, email: address, siteID: siteID, base: baseURL))
    }

    /// Queues the mail that lets a new member choose their password.
    public func invite(_ user: User, siteID: Int64, baseURL: String) async throws {
        try await mail.enqueue(MailQueue.AccountMail(purpose: .invitation, email: user.email, siteID: siteID, base: baseURL))
    }

    /// Makes the link as the mail is sent, so the token exists only in the message and, hashed, in the table.
    func compose(_ request: MailQueue.AccountMail) async throws -> MailQueue.Composed? {
        guard let user = try await store.user(email: request.email), user.active else {
            logger.info("password link asked for an address without an active account")
            return nil
        }
        let siteTitle = sites.site(id: request.siteID)?.settings.title ?? ""
        let token = Self.randomToken()
        let idHash = Self.hash(token)
        let invitation = request.purpose == .invitation
        let lifetime = invitation ? Self.invitationLifetime : Self.resetLifetime
        try await store.createPasswordReset(idHash: idHash, userID: user.id, expiresAt: clock.now().addingTimeInterval(lifetime))
        let link = "\(request.base)/admin/reset?token=\(token)"
        let message: MailQueue.Message
        if invitation {
            message = MailQueue.Message(
                to: user.email, subject: "[\(siteTitle)] You are invited",
                body:
                    "You now have an account on \(siteTitle), signing in as \(user.email).\n\nTo choose your password, open this link within three days:\n\(link)\n\nIf you did not expect this, ignore this message.\n"
            )
        } else {
            message = MailQueue.Message(
                to: user.email, subject: "[\(siteTitle)] Password reset",
                body:
                    "Someone asked to reset the password of your account on \(siteTitle).\n\nTo choose a new password, open this link within an hour:\n\(link)\n\nIf it was not you, ignore this message; nothing changes.\n"
            )
        }
        return MailQueue.Composed(message: message) { [store] in try await store.deletePasswordReset(idHash: idHash) }
    }

    public func resetIsUsable(token: String) async throws -> Bool {
        try await store.passwordResetIsUsable(idHash: Self.hash(token), now: clock.now())
    }

    /// Sets a new password from a reset link, which then stops working; signs out every session.
    public func reset(token: String, newPassword: String) async throws -> User? {
        guard newPassword.count >= 8 else { throw SettingError("The new password must be at least 8 characters.") }
        guard let userID = try await store.consumePasswordReset(idHash: Self.hash(token), now: clock.now()) else { return nil }
        try await setPassword(newPassword, userID: userID)
        try await store.deleteSessions(userID: userID)
        return try await store.user(id: userID)
    }

    public func setPassword(_ password: String, userID: Int64) async throws {
        let hash = try await BlockingWork.run { Bcrypt.hash(password, cost: 10) }
        try await store.setPassword(hash: hash, userID: userID)
    }

    static let dummyHash = Bcrypt.hash("drey-timing-equaliser", cost: 10)

    package static func randomToken() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64URLEncoded
    }

    package static func hash(_ token: String) -> String {
        Digits.hex(SHA256.hash(data: Data(token.utf8)))
    }
}
