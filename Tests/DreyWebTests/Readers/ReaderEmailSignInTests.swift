import DreyCore
import DreyStore
import DreyTestSupport
import Foundation
import SQLKit
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Email sign-in end to end: `drey serve` with its workers, the real SMTP sink, a browser speaking HTTP.
@Suite struct ReaderEmailSignInTests {
    /// The link's token and the code in a sign-in message.
    static func linkAndCode(_ message: String) -> (token: String, code: String)? {
        // Quoted-printable or not, the link and the code are plain ASCII on their own lines.
        let text = message.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
            .replacingOccurrences(of: "=3D", with: "=")
        guard let r = text.range(of: "/signin/email/confirm?token="), let c = text.range(of: "enter this code on the sign-in page: ") else {
            return nil
        }
        let token = String(text[r.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        let code = String(text[c.upperBound...].prefix { $0.isNumber })
        return (token, code)
    }

    static func messages(to address: String, _ sink: MailSink) -> [String] {
        sink.messages.filter { $0.contains("To: \(address)") }
    }

    static func waitForMessage(_ n: Int, to address: String, _ sink: MailSink, _ server: DreyServer) async throws -> (token: String, code: String) {
        let deadline = Date().addingTimeInterval(90)
        while messages(to: address, sink).count < n, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let all = messages(to: address, sink)
        try #require(all.count >= n, "message \(n) to \(address) did not arrive; serve log:\n\(server.logText)")
        return try #require(linkAndCode(all[n - 1]), "no link and code in:\n\(all[n - 1])")
    }

    static func sql(_ server: DreyServer, _ query: SQLQueryString) async throws {
        let database = try await Database.open(
            sqlitePath: (server.data as NSString).appendingPathComponent("drey.sqlite"), url: server.location.databaseURL,
            logger: TestBlog.quietLogger)
        try await database.withSQL { db in try await db.raw(query).run() }
        await database.close()
    }

    @Test(
        "a sign-in message's link: cookieless GETs change nothing, the POST signs in once; reused code, 6th try, expired link refused",
        arguments: TestDatabase.allCases)
    func endToEnd(_ kind: TestDatabase) async throws {
        let sink = try await MailSink.start()
        defer { sink.stop() }
        let server = try await DreyServer.start(kind, environment: ["DREY_SMTP_URL": sink.url, "DREY_MAIL_FROM": "blog@blog.test"]) { _, _, _ in }
        defer { server.stopSoon() }
        var browser = LoopbackBrowser(server)
        let page = try await browser.get("/signin?return_to=/2008/01/27/tanks/%23respond")
        #expect(page.status == 200)
        #expect(page.text.contains("name=\"return_to\" value=\"/2008/01/27/tanks/#respond\""))
        // Any address may sign in, so known and unknown ones get the same answer.
        let asked = try await browser.post("/signin/email", [("email", "phil@example.org"), ("return_to", "/2008/01/27/tanks/#respond")])
        #expect(asked.status == 200)
        var stranger = LoopbackBrowser(server)
        let other = try await stranger.post("/signin/email", [("email", "nobody@example.org"), ("return_to", "/")])
        #expect(other.status == 200)
        #expect(
            asked.text.replacingOccurrences(of: "phil@example.org", with: "X") == other.text.replacingOccurrences(of: "nobody@example.org", with: "X")
        )
        let first = try await Self.waitForMessage(1, to: "phil@example.org", sink, server)
        #expect(first.code.count == 6)

        // Three cookieless GETs, as mail scanners make: a page with a button, no cookie, nothing used up.
        for _ in 0..<3 {
            var scanner = LoopbackBrowser(server)
            let scanned = try await scanner.get("/signin/email/confirm?token=\(first.token)")
            #expect(scanned.status == 200)
            #expect(scanned.text.contains("Sign me in"))
            #expect(scanner.cookies.isEmpty)
        }
        var reader = LoopbackBrowser(server)
        let signedIn = try await reader.post("/signin/email/confirm", [("token", first.token)])
        #expect(signedIn.status == 303)
        #expect(signedIn.location == server.base + "/2008/01/27/tanks/#respond")
        #expect(reader.cookies[ReaderWeb.cookie] != nil)
        let me = try await reader.get("/signin")
        #expect(me.text.contains("You are signed in as phil with your email account"))
        // The link and its code work once.
        var again = LoopbackBrowser(server)
        let reused = try await again.post("/signin/email/confirm", [("token", first.token)])
        #expect(reused.status == 410)
        #expect(reused.text.contains("already used"))
        #expect(again.cookies.isEmpty)
        let reusedCode = try await again.post("/signin/email/confirm", [("email", "phil@example.org"), ("code", first.code)])
        #expect(reusedCode.status == 410)
        #expect(reusedCode.text.contains("already used"))

        // A second message: five wrong codes, and then the right one is refused too.
        try await browser.post("/signin/email", [("email", "phil@example.org"), ("return_to", "/")])
        let second = try await Self.waitForMessage(2, to: "phil@example.org", sink, server)
        let wrong = second.code == "000000" ? "111111" : "000000"
        var guesser = LoopbackBrowser(server)
        for n in 1...5 {
            let tried = try await guesser.post("/signin/email/confirm", [("email", "phil@example.org"), ("code", wrong)])
            if n < 5 {
                #expect(tried.status == 422)
                #expect(tried.text.contains("You can try \(5 - n) more time"))
            } else {
                #expect(tried.status == 410)
                #expect(tried.text.contains("Too many wrong codes"))
            }
        }
        let sixth = try await guesser.post("/signin/email/confirm", [("email", "phil@example.org"), ("code", second.code)])
        #expect(sixth.status == 410)
        #expect(sixth.text.contains("Too many wrong codes"))
        #expect(guesser.cookies.isEmpty)

        // A third message, its link 31 minutes old: refused, clearly.
        try await browser.post("/signin/email", [("email", "phil@example.org"), ("return_to", "/")])
        let third = try await Self.waitForMessage(3, to: "phil@example.org", sink, server)
        try await Self.sql(server, "UPDATE reader_signin_codes SET expires_at = \(bind: Date().addingTimeInterval(-60))")
        var late = LoopbackBrowser(server)
        let expiredPage = try await late.get("/signin/email/confirm?token=\(third.token)")
        #expect(expiredPage.status == 410)
        #expect(expiredPage.text.contains("has expired"))
        let expired = try await late.post("/signin/email/confirm", [("token", third.token)])
        #expect(expired.status == 410)
        #expect(expired.text.contains("has expired"))
        #expect(late.cookies.isEmpty)

        // A fourth message within the hour is one too many for the address.
        let limited = try await browser.post("/signin/email", [("email", "phil@example.org"), ("return_to", "/")])
        #expect(limited.status == 429)
        #expect(limited.text.contains("Too many sign-in messages"))
        #expect(limited.text.contains("value=\"phil@example.org\""))
    }
}
