import DreyCore
import DreyTestSupport
import Foundation

/// bovine-herd on a loopback port over https (`Tests/python/bovine_peer.py`), in the AP environment: a fediverse
/// server in secure mode (unsigned GETs of its actors answer 401) with one user, alice, driven through her
/// client-to-server outbox. Started once per test process and shared; it exits when the test process does.
final class BovinePeer: @unchecked Sendable {
    let base: String
    let folder: URL
    let process: ChildProcess

    private init(base: String, folder: URL, process: ChildProcess) {
        self.base = base
        self.folder = folder
        self.process = process
    }

    /// The peer's self-signed certificate: the test gives it to `drey serve` as `DREY_FETCH_CA_FILE`.
    var certificate: String { folder.appendingPathComponent("work/cert.pem").path }

    private static let sharedPeer = Task { try await start() }
    static func shared() async throws -> BovinePeer { try await sharedPeer.value }

    static func start() async throws -> BovinePeer {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bovine-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let portFile = dir.appendingPathComponent("port").path
        let log = dir.appendingPathComponent("peer.log")
        let process = try ChildProcess(
            try FediversePeer.python("AP"), [script, "serve", dir.appendingPathComponent("work").path, portFile],
            output: .file(log.path), error: .sameAsOutput)
        // A certificate, an Ed25519 key and bovine's imports take a while on a busy machine.
        for _ in 0..<2400 {
            if let port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap({ Int($0) }) {
                return BovinePeer(base: "https://127.0.0.1:\(port)", folder: dir, process: process)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw FediversePeer.Missing(description: "bovine-herd did not start:\n" + ((try? String(contentsOf: log, encoding: .utf8)) ?? ""))
    }

    static var script: String { SharedData.packageRoot.appendingPathComponent("Tests/python/bovine_peer.py").path }

    var logText: String { (try? String(contentsOf: folder.appendingPathComponent("peer.log"), encoding: .utf8)) ?? "" }

    /// Runs one of the script's client commands (`follow`, `inbox`, `get`) and parses the JSON it prints.
    func command(_ arguments: [String]) async throws -> [String: Any] {
        let args = [Self.script] + [arguments[0], folder.appendingPathComponent("work").path] + arguments.dropFirst()
        let python = try FediversePeer.python("AP")
        // The child is waited for on a GCD thread: Swift concurrency's few threads must keep serving meanwhile.
        let result = try await offThread { try ChildProcess(python, args).collect() }
        let text = String(decoding: result.output, as: UTF8.self)
        guard result.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            let errors = String(decoding: result.error, as: UTF8.self)
            throw FediversePeer.Missing(
                description: "bovine_peer.py \(arguments.joined(separator: " ")) failed (\(result.status)): \(text)\n\(errors.suffix(3000))")
        }
        return object
    }

    /// alice's inbox, newest first.
    func inbox() async throws -> [[String: Any]] { try await command(["inbox"])["items"] as? [[String: Any]] ?? [] }

    /// Waits for an activity in alice's inbox that `matches`.
    func waitForInbox(timeout: Double = 120, _ matches: ([String: Any]) -> Bool) async throws -> [String: Any]? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let hit = try await inbox().first(where: matches) { return hit }
            try await Task.sleep(for: .seconds(1))
        }
        return nil
    }
}
