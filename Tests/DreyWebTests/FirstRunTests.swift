import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation
import Testing

/// The first hour of a newcomer, through the real `drey` binary: what `drey serve` prints reaches a pipe or a file
/// at once, and the demo's administrator (made without a password) is reachable through the link it prints.
@Suite(.serialized) struct FirstRunTests {
    /// `drey serve` with its standard output and error sent to a pipe, as systemd, Docker and `make run | tee` do.
    final class PipedServer: @unchecked Sendable {
        let process: ChildProcess
        let output = Locked("")

        init(data: String, port: Int, env: [String: String]) throws {
            process = try ChildProcess(
                try DreyBinary.path, ["serve", "--port", String(port), "--data", data], environment: DreyBinary.environment(env),
                error: .sameAsOutput)
            let output = self.output
            process.readOutput { chunk in output.withLock { $0 += String(decoding: chunk, as: UTF8.self) } }
        }

        /// Waits for `needle` in what the server wrote so far; nil when it did not come while the server ran.
        func waitFor(_ needle: String, timeout: Double = 60) async throws -> String? {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline, process.isRunning {
                let text = output.current
                if text.contains(needle) { return text }
                try await Task.sleep(for: .milliseconds(200))
            }
            return nil
        }

        func stop() {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
    }

    static func setupLink(in text: String) -> String? {
        guard let r = text.range(of: #"http://127\.0\.0\.1:\d+/admin/setup\?token=[A-Za-z0-9_-]+"#, options: .regularExpression) else { return nil }
        return String(text[r])
    }

    @Test("drey serve writing to a pipe: the address and the setup link arrive while it runs, not when it exits")
    func linesReachAPipeAtOnce() async throws {
        let location = try await TestDatabase.sqlite.makeLocation()
        defer { Task { await location.cleanup() } }
        try await DreyBinary.run(["migrate"], data: location.dataDirectory)
        let port = try FetcherTests.closedPort()
        let server = try PipedServer(data: location.dataDirectory, port: port, env: [:])
        defer { server.stop() }
        let text = try await server.waitFor("/admin/setup?token=")
        #expect(text != nil, "nothing reached the pipe while serving: \(server.output.current)")
        #expect(text?.contains("Drey serving http://127.0.0.1:\(port)/") == true)
        #expect(server.process.isRunning)
        // The printed link is the one that works.
        let link = try #require(text.flatMap(Self.setupLink(in:)))
        #expect(try await DreyServer.client.fetch(FetchRequest(url: link)).status == 200)
    }

    static func cookie(_ response: FetchResponse, _ name: String) -> String? {
        for (key, value) in response.headers where key.lowercased() == "set-cookie" && value.hasPrefix(name + "=") {
            return String(value.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return nil
    }

    static func csrf(_ response: FetchResponse) -> String? {
        let text = String(decoding: response.body, as: UTF8.self)
        guard let r = text.range(of: "name=\"_csrf\" value=\"") else { return nil }
        return String(text[r.upperBound...].prefix { $0 != "\"" })
    }

    static func post(_ url: String, _ fields: [(String, String)], cookie: String) async throws -> FetchResponse {
        var request = FetchRequest.form(url, fields)
        request.headers.append(("Cookie", cookie))
        return try await DreyServer.client.fetch(request)
    }

    @Test(
        "after drey demo, the link drey serve writes to its log lets the demo's administrator choose a password and sign in",
        arguments: TestDatabase.allCases)
    func demoAdministratorGetsIn(_ kind: TestDatabase) async throws {
        let server = try await DreyServer.start(kind) { data, env, _ in try DreyBinary.run(["demo"], data: data, env: env) }
        try await LinkbackPeerTests.stopping([server]) {
            // Output to a file: the lines are there while the server runs.
            let log = server.logText
            #expect(log.contains("The blog:  \(server.base)/"))
            #expect(log.contains("The admin: \(server.base)/admin/"))
            #expect(log.contains("bramblewick@example.org"))
            let link = try #require(Self.setupLink(in: log), "no setup link in: \(log)")
            let form = try await DreyServer.client.fetch(FetchRequest(url: link))
            #expect(form.status == 200)
            #expect(String(decoding: form.body, as: UTF8.self).contains("bramblewick@example.org"))
            let token = String(link.split(separator: "=").last!)
            let preSession = try #require(Self.cookie(form, "drey_csrf"))
            let csrf = try #require(Self.csrf(form))
            let cookie = "drey_csrf=\(preSession)"

            // Bad input: the form back with a clear message, nothing changed.
            let mismatch = try await Self.post(
                server.base + "/admin/setup", [("_csrf", csrf), ("token", token), ("password", "demo-password-1"), ("password2", "other-password")],
                cookie: cookie)
            #expect(mismatch.status == 422)
            #expect(String(decoding: mismatch.body, as: UTF8.self).contains("The two passwords are not the same."))

            let set = try await Self.post(
                server.base + "/admin/setup", [("_csrf", csrf), ("token", token), ("password", "demo-password-1"), ("password2", "demo-password-1")],
                cookie: cookie)
            #expect(set.status == 200)
            #expect(String(decoding: set.body, as: UTF8.self).contains("is set. Sign in"))

            let signIn = try await Self.post(
                server.base + "/admin/login", [("_csrf", csrf), ("email", "bramblewick@example.org"), ("password", "demo-password-1")], cookie: cookie
            )
            #expect(signIn.status == 303 || signIn.status == 302)
            let session = try #require(
                Self.cookie(signIn, "drey_session"), "no session: \(signIn.status) \(String(decoding: signIn.body, as: UTF8.self))")
            var dashboard = FetchRequest(url: server.base + "/admin/")
            dashboard.headers = [("Cookie", "drey_session=\(session)")]
            let admin = try await DreyServer.client.fetch(dashboard)
            #expect(admin.status == 200)
            #expect(String(decoding: admin.body, as: UTF8.self).contains("Dashboard"))

            // The link worked once.
            #expect(try await DreyServer.client.fetch(FetchRequest(url: link)).status == 404)
        }
    }
}
