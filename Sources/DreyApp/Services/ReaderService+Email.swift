import Crypto
import DreyCore
import Foundation

/// Signing in by email: one message with a link and a 6-digit code. The link opens a page whose button signs in (a
/// mail scanner's GET changes nothing); either works once, for 30 minutes, and the code allows 5 tries.
extension ReaderService {
    public static let emailCodeLifetime: TimeInterval = 30 * 60
    public static let maxCodeAttempts = 5
    public static let emailWindow: TimeInterval = 3600
    public static let maxEmailsPerAddress = 3
    public static let maxEmailsPerIP = 10

    /// Too many sign-in messages asked for, for one address or from one client.
    public struct EmailThrottled: Error, CustomStringConvertible {
        public var description: String {
            "Too many sign-in messages were asked for. Please wait an hour and try again, or use the last message you received."
        }
    }

    /// Why a link or code did not sign anyone in; each says what to do next.
    public enum EmailSignInRefusal: Error, Equatable, CustomStringConvertible {
        case unknownLink
        case used
        case expired
        case tooManyTries
        case wrongCode(triesLeft: Int)
        case noCode

        public var description: String {
            switch self {
            case .unknownLink: return "This sign-in link is not valid. Ask for a new one."
            case .used: return "This sign-in link or code was already used. Ask for a new one if you need to sign in again."
            case .expired: return "This sign-in link or code has expired (they last 30 minutes). Ask for a new one."
            case .tooManyTries: return "Too many wrong codes were tried, so this code no longer works. Ask for a new one."
            case .wrongCode(let n): return "That code is not right. You can try \(n) more time\(n == 1 ? "" : "s")."
            case .noCode: return "No sign-in code was sent to this address, or it has expired. Ask for a new one."
            }
        }
    }

    /// Queues the sign-in message. Any address may sign in, so every address gets the same answer; the limits count
    /// what was asked for, per address and per client.
    public func requestEmailSignIn(siteID: Int64, email: String, returnTo: String, base: String, ip: String) async throws {
        guard let address = Self.normalisedEmail(email) else { throw SettingError("Please enter a valid email address.") }
        let now = clock.now()
        let since = now.addingTimeInterval(-Self.emailWindow)
        let addressKey = "reader-signin-email:\(siteID):" + address
        let ipKey = "reader-signin-ip:" + ip
        let forAddress = try await store.loginFailures(key: addressKey, since: since)
        let fromIP = ip.isEmpty ? 0 : try await store.loginFailures(key: ipKey, since: since)
        guard forAddress < Self.maxEmailsPerAddress, fromIP < Self.maxEmailsPerIP else {
            logger.notice("reader sign-in messages throttled", metadata: ["ip": "\(ip)"])
            throw EmailThrottled()
        }
        try await store.recordLoginFailure(keys: ip.isEmpty ? [addressKey] : [addressKey, ipKey], at: now)
        try await mail.enqueue(
            MailQueue.AccountMail(purpose: .readerSignIn, email: address, siteID: siteID, base: base, returnTo: returnTo))
    }

    /// Makes the link and the code as the message is sent, so they exist only in the message and, hashed, in the table.
    func compose(_ request: MailQueue.AccountMail) async throws -> MailQueue.Composed? {
        let siteTitle = sites.site(id: request.siteID)?.settings.title ?? ""
        let token = Self.randomToken()
        let tokenHash = Self.hash(token)
        let code = Self.randomCode()
        let now = clock.now()
        try await store.createSignInCode(
            ReaderSignInCode(
                tokenHash: tokenHash, siteID: request.siteID, email: request.email, codeHash: Self.codeHash(code, tokenHash: tokenHash),
                returnTo: request.returnTo ?? "/", createdAt: now, expiresAt: now.addingTimeInterval(Self.emailCodeLifetime)))
        let link = "\(request.base)/signin/email/confirm?token=\(token)"
        let message = MailQueue.Message(
            to: request.email, subject: "[\(siteTitle)] Your sign-in link",
            body: """
                To sign in to \(siteTitle), open this link within 30 minutes and press the button:
                \(link)

                Or enter this code on the sign-in page: \(code)

                The link and the code work once. If you did not ask to sign in, ignore this message; nothing happens.

                """)
        return MailQueue.Composed(message: message) { [store] in try await store.deleteSignInCode(tokenHash: tokenHash) }
    }

    /// Whether a link would sign in now, for the page its GET shows; changes nothing.
    public func emailLinkState(siteID: Int64, token: String) async throws -> EmailSignInRefusal? {
        guard token.count <= 100, let code = try await store.signInCode(tokenHash: Self.hash(token)), code.siteID == siteID else {
            return .unknownLink
        }
        return Self.refusal(code, now: clock.now())
    }

    /// Signs in with the message's link (its POST).
    public func confirmEmailLink(siteID: Int64, token: String) async throws -> (session: ReaderSession, token: String, returnTo: String) {
        guard token.count <= 100, let code = try await store.signInCode(tokenHash: Self.hash(token)), code.siteID == siteID else {
            throw EmailSignInRefusal.unknownLink
        }
        return try await use(code)
    }

    /// Signs in with the message's code, typed on the site; each wrong code counts against the message's 5 tries.
    public func confirmEmailCode(siteID: Int64, email: String, code typed: String) async throws -> (
        session: ReaderSession, token: String, returnTo: String
    ) {
        guard let address = Self.normalisedEmail(email), let code = try await store.latestSignInCode(siteID: siteID, email: address) else {
            throw EmailSignInRefusal.noCode
        }
        if let refusal = Self.refusal(code, now: clock.now()) { throw refusal }
        let digits = typed.filter { !$0.isWhitespace }
        guard Self.codeHash(digits, tokenHash: code.tokenHash) == code.codeHash else {
            let attempts = try await store.recordSignInCodeAttempt(tokenHash: code.tokenHash)
            logger.notice("wrong reader sign-in code", metadata: ["attempts": "\(attempts)"])
            if attempts >= Self.maxCodeAttempts { throw EmailSignInRefusal.tooManyTries }
            throw EmailSignInRefusal.wrongCode(triesLeft: Self.maxCodeAttempts - attempts)
        }
        return try await use(code)
    }

    private func use(_ code: ReaderSignInCode) async throws -> (session: ReaderSession, token: String, returnTo: String) {
        let now = clock.now()
        if let refusal = Self.refusal(code, now: now) { throw refusal }
        // Two requests racing with one link: only the one whose update used it goes on.
        guard try await store.consumeSignInCode(tokenHash: code.tokenHash, now: now, maxAttempts: Self.maxCodeAttempts) else {
            throw EmailSignInRefusal.used
        }
        let identity = ReaderIdentity(
            method: .email, issuer: "email", subject: code.email, provider: "email", email: code.email, emailVerified: true)
        let (session, token) = try await signIn(siteID: code.siteID, identity: identity)
        return (session, token, code.returnTo)
    }

    static func refusal(_ code: ReaderSignInCode, now: Date) -> EmailSignInRefusal? {
        if code.usedAt != nil { return .used }
        if code.expiresAt <= now { return .expired }
        if code.attempts >= maxCodeAttempts { return .tooManyTries }
        return nil
    }

    static func randomCode() -> String {
        var rng = SystemRandomNumberGenerator()
        return Digits.padded(Int(UInt32.random(in: 0..<1_000_000, using: &rng)), width: 6)
    }

    /// Tied to its message, so a code's hash tells nothing about another message's.
    static func codeHash(_ code: String, tokenHash: String) -> String { hash(tokenHash + ":" + code) }
}
