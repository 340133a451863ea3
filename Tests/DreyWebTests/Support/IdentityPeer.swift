import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation

/// The OpenID Connect provider and IndieAuth server of `../shared/peers/identity/idp.py` (authlib), on a free
/// loopback port, started and stopped by the test like the SMTP sink.
final class IdentityPeer: @unchecked Sendable {
    let port: Int
    let process: ChildProcess
    let log: URL
    var issuer: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, process: ChildProcess, log: URL) {
        self.port = port
        self.process = process
        self.log = log
    }

    static var script: String { SharedData.directory.appendingPathComponent("peers/identity/idp.py").path }

    static func start() async throws -> IdentityPeer {
        var lastLog = ""
        // The port is free when chosen; another test may take it before the peer binds, so a failed start tries another.
        for _ in 0..<3 {
            let port = try FetcherTests.closedPort()
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("idp-\(UUID().uuidString).log")
            let process = try ChildProcess(
                "/usr/bin/env", [PythonCheck.python, script, String(port)], output: .file(log.path), error: .sameAsOutput)
            let peer = IdentityPeer(port: port, process: process, log: log)
            for _ in 0..<300 {
                if let r = try? await DreyServer.client.fetch(FetchRequest(url: peer.issuer + "/.well-known/openid-configuration")), r.status == 200 {
                    return peer
                }
                guard process.isRunning else { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            lastLog = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            peer.stop()
        }
        throw StartFailed(log: lastLog)
    }

    struct StartFailed: Error, CustomStringConvertible {
        let log: String
        var description: String { "the identity peer did not start (are authlib and flask installed? scripts/python-env.sh):\n\(log)" }
    }

    /// Makes the next ID tokens wrong in one way (`aud`, `iss`, `exp`, `sig`, `nonce`), or right again (`ok`).
    func misbehave(_ mode: String) async throws {
        let r = try await DreyServer.client.fetch(FetchRequest.form(issuer + "/_control", [("mode", mode)]))
        guard r.status == 200 else { throw StartFailed(log: "/_control answered \(r.status)") }
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: log)
    }
}
