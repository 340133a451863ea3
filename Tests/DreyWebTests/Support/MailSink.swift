import DreyCore
import DreyTestSupport
import Foundation

/// A real SMTP server (aiosmtpd, `Tests/python/mail_sink.py`) on a free loopback port, writing each
/// message it accepts to a folder.
final class MailSink: @unchecked Sendable {
    let folder: URL
    let port: Int
    let process: ChildProcess
    var url: String { "smtp://127.0.0.1:\(port)" }

    private init(folder: URL, port: Int, process: ChildProcess) {
        self.folder = folder
        self.port = port
        self.process = process
    }

    /// `deferring` first messages get 451 (try later); mail to `rejecting` addresses gets 550.
    /// `stalling` accepts connections (the kernel's backlog does) and never says a word.
    static func start(deferring: Int = 0, rejecting: [String] = [], stalling: Bool = false, delay: Double = 0) async throws -> MailSink {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mail-sink-\(UUID().uuidString)")
        let out = dir.appendingPathComponent("messages")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let portFile = dir.appendingPathComponent("port").path
        let arguments =
            [
                PythonCheck.python, SharedData.packageRoot.appendingPathComponent("Tests/python/mail_sink.py").path, out.path, portFile, "--defer",
                String(deferring),
            ]
            + rejecting.flatMap { ["--reject", $0] } + (stalling ? ["--stall"] : []) + (delay > 0 ? ["--delay", String(delay)] : [])
        let log = dir.appendingPathComponent("sink.log")
        let process = try ChildProcess("/usr/bin/env", arguments, output: .file(log.path), error: .sameAsOutput)
        for _ in 0..<400 {
            if let port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap({ Int($0) }) {
                return MailSink(folder: out, port: port, process: process)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        process.terminate()
        throw StartFailed(log: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    struct StartFailed: Error, CustomStringConvertible {
        let log: String
        var description: String { "the SMTP sink did not start (is aiosmtpd installed? `pip install aiosmtpd`):\n\(log)" }
    }

    /// Every message received so far, oldest first, as the relay got it.
    var messages: [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return names.compactMap { try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
    }

    /// Waits until at least `count` messages arrived (or `timeout` seconds passed) and returns them all.
    func waitFor(_ count: Int, timeout: Double = 90) async throws -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        while messages.count < count, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        return messages
    }

    /// The token of the password link in a message.
    static func token(in message: String) -> String? {
        guard let r = message.range(of: "/admin/reset?token=") else { return nil }
        return String(message[r.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    func stop() {
        if process.isRunning {
            // SIGKILL: the runner may have left SIGTERM ignored in the processes it starts.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder.deletingLastPathComponent())
    }
}

/// A browser's cookies and form token against a `drey serve` on loopback, speaking real HTTP.
struct LoopbackBrowser {
    let server: DreyServer
    var cookies: [String: String] = [:]
    var csrf = ""
    /// Sent with every request, e.g. `X-Forwarded-For` as a proxy on this machine would add it.
    var headers: [(String, String)] = []

    init(_ server: DreyServer, headers: [(String, String)] = []) {
        self.server = server
        self.headers = headers
    }

    struct Page {
        let status: Int
        let text: String
        let location: String?
    }

    private mutating func send(_ path: String, method: String, body: [UInt8]?) async throws -> Page {
        var h = headers
        if !cookies.isEmpty { h.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "))) }
        if body != nil { h.append(("Content-Type", "application/x-www-form-urlencoded")) }
        let response = try await DreyServer.client.fetch(
            FetchRequest(url: server.base + path, method: method, headers: h, body: body, followRedirects: false))
        for (name, value) in response.headers where name.lowercased() == "set-cookie" {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            if value.contains("Max-Age=0") || pair.count < 2 { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
        }
        let text = String(decoding: response.body, as: UTF8.self)
        if let r = text.range(of: "name=\"_csrf\" value=\"") { csrf = String(text[r.upperBound...].prefix { $0 != "\"" }) }
        let location = response.headers.first { $0.0.lowercased() == "location" }?.1
        return Page(status: response.status, text: text, location: location)
    }

    @discardableResult
    mutating func get(_ path: String) async throws -> Page { try await send(path, method: "GET", body: nil) }

    /// POSTs a form with the token of the last page, as a browser submits it.
    @discardableResult
    mutating func post(_ path: String, _ fields: [(String, String)]) async throws -> Page {
        let all = [("_csrf", csrf)] + fields
        let body = all.map { "\(AdminSession.encode($0.0))=\(AdminSession.encode($0.1))" }.joined(separator: "&")
        return try await send(path, method: "POST", body: Array(body.utf8))
    }

    @discardableResult
    mutating func signIn(_ email: String, _ password: String) async throws -> Page {
        try await get("/admin/login")
        return try await post("/admin/login", [("email", email), ("password", password)])
    }

    /// Asks for a password link through the form, with the cookie the form page set.
    @discardableResult
    mutating func forgot(_ email: String) async throws -> Page {
        try await get("/admin/forgot")
        return try await post("/admin/forgot", [("email", email)])
    }
}
