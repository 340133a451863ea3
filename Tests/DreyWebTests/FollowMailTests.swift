import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Following by email through the real path: the forms of a `drey serve`, its workers, a real SMTP server, the
/// confirmation and unsubscribe links as a reader (and a mail provider's one-click POST) use them.
@Suite(.serialized) struct FollowMailTests {
    static let postPath = "/2008/01/27/hello/"

    static func setup(_ data: String, _ env: [String: String]) throws {
        try DreyBinary.run(
            ["user", "add", "--email", "owner@blog.test", "--name", "Owner", "--role", "administrator", "--password", "password-123"], data: data,
            env: env)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("post-\(UUID().uuidString).md").path
        try "The first post.".write(toFile: file, atomically: true, encoding: .utf8)
        try DreyBinary.run(["post", "new", "--title", "Hello", "--file", file, "--date", "2008-01-27T00:04:00Z"], data: data, env: env)
        for (key, value) in [
            ("comment_form_min_seconds", "0"), ("comment_flood_seconds", "0"), ("comment_previously_approved", "0"), ("spam_hold_score", "1"),
            ("spam_spam_score", "1"), ("moderation_notify", "0"), ("comments_notify", "0"),
        ] {
            try DreyBinary.run(["site", "set", key, value], data: data, env: env)
        }
    }

    /// Publishes a post from the command line, as an author does; the server's workers see its jobs.
    static func publish(_ server: DreyServer, _ title: String) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("post-\(UUID().uuidString).md").path
        try "News for the followers: \(title).".write(toFile: file, atomically: true, encoding: .utf8)
        let out = try await server.run(["post", "new", "--title", title, "--file", file])
        try #require(out.status == 0, "\(out.err)")
    }

    /// The post page's form token, as a browser reads it.
    static func token(_ page: String) -> String? {
        guard let r = page.range(of: "name=\"drey_token\" value=\"") else { return nil }
        return String(page[r.upperBound...].prefix { $0 != "\"" })
    }

    static func link(_ path: String, in message: String) -> String? {
        guard let r = message.range(of: path) else { return nil }
        return path + String(message[r.upperBound...].prefix { !$0.isWhitespace && $0 != ">" })
    }

    static func header(_ name: String, in message: String) -> String? {
        // "\r\n" is one Character in Swift: split on newlines, not on "\n".
        let head = message.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).prefix { !$0.isEmpty }
        for line in head where line.lowercased().hasPrefix(name.lowercased() + ":") {
            return line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    static func recipient(_ message: String) -> String { header("To", in: message) ?? "" }

    /// Asks to follow the blog through the form under the post, from its own address.
    static func follow(_ server: DreyServer, _ email: String, ip: String) async throws -> LoopbackBrowser.Page {
        var browser = LoopbackBrowser(server, headers: [("X-Forwarded-For", ip)])
        let page = try await browser.get(postPath)
        let formToken = try #require(Self.token(page.text))
        return try await browser.post("/follow", [("email", email), ("scope", "blog"), ("post_id", "1"), ("drey_token", formToken)])
    }

    /// Opens the confirmation link (a page with a button) and presses the button.
    static func confirm(_ server: DreyServer, message: String) async throws {
        let link = try #require(Self.link("/follow/confirm?t=", in: message), "no confirmation link in:\n\(message)")
        var browser = LoopbackBrowser(server)
        let page = try await browser.get(link)
        #expect(page.status == 200 && page.text.contains("Yes, follow by email"))
        let start = try #require(page.text.range(of: "name=\"t\" value=\""))
        let token = String(page.text[start.upperBound...].prefix { $0 != "\"" })
        let done = try await browser.post("/follow/confirm", [("t", token)])
        #expect(done.status == 200 && done.text.contains("now follows"), "\(done.text)")
    }

    /// RFC 8058's one-click POST, as a mail provider sends it: no cookie, no form token.
    static func oneClick(_ url: String) async throws -> Int {
        try await DreyServer.client.fetch(
            FetchRequest(
                url: url, method: "POST", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Array("List-Unsubscribe=One-Click".utf8), followRedirects: false)
        ).status
    }

    /// At least `count` fan-outs ran, and no follow job waits or runs.
    static func fanOutsDone(_ server: DreyServer, _ count: Int) async throws -> Bool {
        let jobs = try await server.jsonLines(["jobs", "list", "--kind", FollowService.fanOutKind, "--json", "--limit", "1000"])
        let mails = try await server.jsonLines(["jobs", "list", "--kind", FollowService.mailKind, "--json", "--limit", "1000"])
        return jobs.filter { $0["state"] as? String == "done" }.count >= count && mails.allSatisfy { $0["state"] as? String == "done" }
    }

    @Test(
        "a post published to 50 confirmed, 5 pending and 5 unsubscribed followers mails the 50 and nobody else, also when drey serve is killed mid-way (twice only at the relay's answer, decision 0023)",
        arguments: TestDatabase.allCases)
    func publishToFollowers(_ kind: TestDatabase) async throws {
        let confirmations = try await MailSink.start()
        defer { confirmations.stop() }
        var server = try await DreyServer.start(kind, environment: ["DREY_SMTP_URL": confirmations.url]) { data, env, _ in
            try Self.setup(data, env)
        }
        defer { server.stopSoon() }
        let people = (1...60).map { "reader\($0)@example.org" }
        for (n, email) in people.enumerated() {
            let answer = try await Self.follow(server, email, ip: "10.0.\(n / 200).\(n % 200 + 1)")
            #expect(answer.status == 200 && answer.text.contains("a message with a link to confirm is on its way"), "\(answer.status) \(answer.text)")
        }
        let asked = try await confirmations.waitFor(60)
        try #require(asked.count == 60, "\(asked.count) confirmation messages; log:\n\(server.logText)")
        let byAddress = Dictionary(asked.map { (Self.recipient($0), $0) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(byAddress.keys) == Set(people))
        // 50 confirm; 5 confirm and leave with the one-click POST; 5 never confirm.
        let confirmed = Array(people[0..<50])
        let leaving = Array(people[50..<55])
        for email in confirmed + leaving {
            let message = try #require(byAddress[email])
            try await Self.confirm(server, message: message)
        }
        for email in leaving {
            let message = try #require(byAddress[email])
            let url = try #require(Self.header("List-Unsubscribe", in: message)?.dropFirst().dropLast())
            #expect(try await Self.oneClick(String(url)) == 200)
        }

        // Served again with a slow relay and short leases, so the batch can be cut mid-way.
        let sink = try await MailSink.start(delay: 0.25)
        defer { sink.stop() }
        let (location, port) = (server.location, server.port)
        server.process.terminate()
        server.process.waitUntilExit()
        let environment = ["DREY_SMTP_URL": sink.url, "DREY_MAIL_FROM": "news@blog.test"]
        server = try await DreyServer.serve(location, port: port, serveArguments: ["--job-lease", "3"], environment: environment, ownsLocation: true)
        try await Self.publish(server, "Big news")
        _ = try await sink.waitFor(8, timeout: 120)
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
        let beforeKill = sink.messages.count
        #expect(beforeKill >= 8 && beforeKill < 50, "the kill came at \(beforeKill) messages")
        server = try await DreyServer.serve(location, port: port, serveArguments: ["--job-lease", "3"], environment: environment, ownsLocation: true)
        _ = try await sink.waitFor(50, timeout: 180)
        #expect(try await server.waitUntil(timeout: 60) { try await Self.fanOutsDone(server, 2) })
        try await Task.sleep(for: .seconds(4))  // past a lease: a job taken over would have sent by now
        let messages = sink.messages
        let recipients = messages.map(Self.recipient)
        // Every confirmed follower got it, nobody else. Twice only for a message the relay accepted in the moment
        // between its 250 and the send's record when the process was killed (decision 0023, amended): at most one per
        // worker, two here.
        #expect(Set(recipients) == Set(confirmed), "\(messages.count) messages for 50 followers")
        #expect(messages.count >= 50 && messages.count <= 52, "\(messages.count) messages for 50 followers")
        let twice = Dictionary(grouping: recipients, by: { $0 }).filter { $0.value.count > 1 }
        #expect(twice.values.allSatisfy { $0.count == 2 }, "\(twice)")

        // The List-Unsubscribe audit: both headers on every message, the URL takes the one-click POST without cookies.
        for message in messages {
            #expect(message.contains("Subject: [My Drey Blog] Big news"))
            #expect(message.contains("From: news@blog.test"))
            #expect(Self.header("List-Unsubscribe-Post", in: message) == "List-Unsubscribe=One-Click")
            let value = try #require(Self.header("List-Unsubscribe", in: message))
            #expect(value.hasPrefix("<\(server.base)/unsubscribe?t=") && value.hasSuffix(">"))
            let url = String(value.dropFirst().dropLast())
            #expect(message.contains(url), "the body links to the same page")
            #expect(try await Self.oneClick(url) == 200)
            #expect(try await Self.oneClick(url) == 200, "a second POST changes nothing and still answers 200")
        }
        // A forged token is refused.
        #expect(try await Self.oneClick(server.base + "/unsubscribe?t=1:blog.AAAA") == 400)
        // Afterwards nobody gets the next post.
        try await Self.publish(server, "Nobody hears this")
        #expect(try await server.waitUntil(timeout: 60) { try await Self.fanOutsDone(server, 3) })
        try await Task.sleep(for: .seconds(2))
        #expect(sink.messages.count == messages.count, "nothing more after everyone left")
    }

    @Test("a scheduled post mails its followers when it comes due, not when it is saved", arguments: TestDatabase.allCases)
    func scheduled(_ kind: TestDatabase) async throws {
        let sink = try await MailSink.start()
        defer { sink.stop() }
        let server = try await DreyServer.start(kind, environment: ["DREY_SMTP_URL": sink.url]) { data, env, _ in try Self.setup(data, env) }
        defer { server.stopSoon() }
        #expect(try await Self.follow(server, "early@example.org", ip: "10.9.0.1").status == 200)
        let asked = try await sink.waitFor(1)
        try #require(asked.count == 1)
        try await Self.confirm(server, message: asked[0])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("post-\(UUID().uuidString).md").path
        try "Written ahead.".write(toFile: file, atomically: true, encoding: .utf8)
        let due = ISO8601DateFormatter().string(from: Date().addingTimeInterval(12))
        let saved = try await server.run(["post", "new", "--title", "Later", "--file", file, "--date", due])
        try #require(saved.status == 0, "\(saved.err)")
        try await Task.sleep(for: .seconds(6))
        #expect(sink.messages.count == 1, "nothing before the post is out")
        let mailed = try await sink.waitFor(2, timeout: 60)
        #expect(mailed.count == 2 && Self.recipient(mailed[1]) == "early@example.org" && mailed[1].contains("Subject: [My Drey Blog] Later"))
    }

    @Test("an approved reply mails the thread's followers once; a held one mails nobody; nobody hears of their own", arguments: TestDatabase.allCases)
    func threadFollowers(_ kind: TestDatabase) async throws {
        let sink = try await MailSink.start()
        defer { sink.stop() }
        let server = try await DreyServer.start(kind, environment: ["DREY_SMTP_URL": sink.url]) { data, env, _ in try Self.setup(data, env) }
        defer { server.stopSoon() }
        func comment(_ name: String, _ email: String, _ text: String, follow: Bool = false) async throws -> LoopbackBrowser.Page {
            var browser = LoopbackBrowser(server)
            let page = try await browser.get(Self.postPath)
            #expect(page.text.contains(FollowService.threadWording))
            let token = try #require(Self.token(page.text))
            return try await browser.post(
                "/wp-comments-post.php",
                [
                    ("comment_post_ID", "1"), ("comment_parent", "0"), ("author", name), ("email", email), ("url", ""), ("comment", text),
                    ("hp_website", ""), ("drey_token", token),
                ] + (follow ? [("follow_thread", "1")] : []))
        }
        #expect(try await comment("Ann", "ann@example.org", "I will follow this conversation closely.", follow: true).status == 303)
        let asked = try await sink.waitFor(1)
        try #require(asked.count == 1, "log:\n\(server.logText)")
        #expect(asked[0].contains("new comments on “Hello”"))
        try await Self.confirm(server, message: asked[0])
        // Ann's own comment tells her nothing; Bob's approved one tells her once.
        #expect(try await comment("Bob", "bob@example.org", "A reply for Ann, with thanks for the post.").status == 303)
        let told = try await sink.waitFor(2)
        try #require(told.count == 2)
        #expect(Self.recipient(told[1]) == "ann@example.org" && told[1].contains("Bob commented on “Hello”"))
        #expect(Self.header("List-Unsubscribe-Post", in: told[1]) == "List-Unsubscribe=One-Click")
        #expect(try await comment("Ann", "ann@example.org", "Thank you, Bob.").status == 303)
        // A held comment mails nobody until a moderator approves it, and then once.
        _ = try await server.run(["site", "set", "comment_moderation", "1"])
        #expect(try await comment("Cy", "cy@example.org", "Held until the owner reads it.").status == 303)
        #expect(try await server.waitUntil(timeout: 30) { try await Self.fanOutsDone(server, 4) })
        try await Task.sleep(for: .seconds(2))
        #expect(sink.messages.count == 2, "a held comment or her own sent mail")
        let held = try await server.jsonLines(["comment", "list", "--json", "--status", "pending"])
        let heldID = try #require(held.first?["id"] as? Int)
        #expect(try await server.run(["comment", "approve", String(heldID)]).status == 0)
        let after = try await sink.waitFor(3)
        #expect(after.count == 3 && after[2].contains("Cy commented"))
        #expect(try await server.run(["comment", "spam", String(heldID)]).status == 0)
        #expect(try await server.run(["comment", "approve", String(heldID)]).status == 0)
        try await Task.sleep(for: .seconds(3))
        #expect(sink.messages.count == 3, "approved twice, told once")
        // Leaving the thread from the message's link: the page's button, then nothing more.
        let link = try #require(Self.link("/unsubscribe?t=", in: after[2]))
        var browser = LoopbackBrowser(server)
        let page = try await browser.get(link)
        #expect(page.status == 200 && page.text.contains("mail about this conversation"))
        #expect(try await browser.post(link, []).text.contains("you will get no more"))
        _ = try await server.run(["site", "set", "comment_moderation", "0"])
        #expect(try await comment("Dee", "dee@example.org", "Anyone still here?").status == 303)
        try await Task.sleep(for: .seconds(3))
        #expect(sink.messages.count == 3)
        // Following the conversation from the form under the post, without commenting.
        var eve = LoopbackBrowser(server)
        let postPage = try await eve.get(Self.postPath)
        #expect(postPage.text.contains("Follow this conversation"))
        let formToken = try #require(Self.token(postPage.text))
        let asked2 = try await eve.post(
            "/follow", [("email", "eve@example.org"), ("scope", "thread"), ("post_id", "1"), ("drey_token", formToken)])
        #expect(asked2.status == 200)
        let invitation = try await sink.waitFor(4)
        try #require(invitation.count == 4)
        #expect(Self.recipient(invitation[3]) == "eve@example.org" && invitation[3].contains("new comments on “Hello”"))
        try await Self.confirm(server, message: invitation[3])
        #expect(try await comment("Fay", "fay@example.org", "Hello Eve, welcome to the conversation.").status == 303)
        let toEve = try await sink.waitFor(5)
        #expect(toEve.count == 5 && Self.recipient(toEve[4]) == "eve@example.org" && toEve[4].contains("Fay commented"))
    }

    @Test("the follow form: a bad address comes back with what was typed; one address gets at most 3 messages an hour, and every answer is the same")
    func abuse() async throws {
        let sink = try await MailSink.start()
        defer { sink.stop() }
        let server = try await DreyServer.start(.sqlite, environment: ["DREY_SMTP_URL": sink.url]) { data, env, _ in try Self.setup(data, env) }
        defer { server.stopSoon() }
        let bad = try await Self.follow(server, "not an address", ip: "10.1.0.1")
        #expect(bad.status == 422 && bad.text.contains("Please enter a valid email address.") && bad.text.contains("value=\"not an address\""))
        var answers: Set<String> = []
        for n in 0..<6 {
            let answer = try await Self.follow(server, "victim@example.org", ip: "10.2.0.\(n + 1)")
            #expect(answer.status == 200)
            answers.insert(answer.text)
        }
        #expect(answers.count == 1)
        // Ten messages an hour from one IP, then 429.
        for n in 0..<10 { #expect(try await Self.follow(server, "p\(n)@example.org", ip: "10.3.0.1").status == 200) }
        #expect(try await Self.follow(server, "p11@example.org", ip: "10.3.0.1").status == 429)
        _ = try await sink.waitFor(13, timeout: 30)
        try await Task.sleep(for: .seconds(2))
        let messages = sink.messages
        #expect(messages.filter { Self.recipient($0) == "victim@example.org" }.count == 3)
        #expect(messages.count == 13, "\(messages.map { Self.recipient($0) })\n\(messages.first ?? "")\n\(server.logText.suffix(3000))")
        // A token from elsewhere does not pass.
        var browser = LoopbackBrowser(server)
        let forged = try await browser.post("/follow", [("email", "x@example.org"), ("scope", "blog"), ("post_id", "1"), ("drey_token", "x.y")])
        #expect(forged.status == 403)
        // The owner sees the addresses, each one's consents, the CSV, and can block one.
        var owner = LoopbackBrowser(server)
        #expect(try await owner.signIn("owner@blog.test", "password-123").status == 303)
        let list = try await owner.get("/admin/subscribers")
        #expect(list.status == 200 && list.text.contains("victim@example.org") && list.text.contains("pending: 11"))
        let victimID = try #require(
            list.text.components(separatedBy: "/admin/subscribers?id=").dropFirst()
                .first { part in part.drop { $0.isNumber }.hasPrefix("\">victim@example.org") }.map { part in String(part.prefix { $0.isNumber }) })
        let history = try await owner.get("/admin/subscribers?id=\(victimID)")
        #expect(history.text.contains("Consent history of") && history.text.contains(FollowService.blogWording))
        let csv = try await owner.get("/admin/subscribers?format=csv")
        #expect(csv.text.hasPrefix("email,status,") && csv.text.contains("victim@example.org,pending"))
        let blocked = try await owner.post("/admin/subscribers", [("id", victimID), ("action", "block")])
        #expect(blocked.status == 303)
        #expect(try await owner.get("/admin/subscribers?status=blocked").text.components(separatedBy: "<td class=\"status\">blocked").count == 2)
    }
}
