import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation

/// A fediverse server from fediverse-pasture on a loopback port (`Tests/python/fediverse_peer.py`), in the AP virtual
/// environment `scripts/fediverse-env.sh` makes. Each kind starts once per test process and is shared by the tests;
/// it exits when the test process does.
final class FediversePeer: @unchecked Sendable {
    enum Kind: String { case verify, actors }

    let base: String
    let folder: URL
    let process: ChildProcess

    private init(base: String, folder: URL, process: ChildProcess) {
        self.base = base
        self.folder = folder
        self.process = process
    }

    /// The folder of the two environments: `DREY_FEDI_ENV` (scripts/test.sh sets it), else the package's `.venv-fedi`.
    static var environments: String {
        let given = ProcessInfo.processInfo.environment["DREY_FEDI_ENV"] ?? ""
        return given.isEmpty ? SharedData.packageRoot.appendingPathComponent(".venv-fedi").path : given
    }

    static func python(_ venv: String) throws -> String {
        let path = environments + "/\(venv)/bin/python"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Missing(description: "\(path) is missing: run `bash scripts/fediverse-env.sh` (scripts/test.sh does)")
        }
        return path
    }

    struct Missing: Error, CustomStringConvertible { let description: String }

    private static let verifyPeer = Task { try await start(.verify) }
    private static let actorsPeer = Task { try await start(.actors) }

    static func shared(_ kind: Kind) async throws -> FediversePeer {
        try await (kind == .verify ? verifyPeer : actorsPeer).value
    }

    /// A peer of its own; given the folder and port of a stopped one, that peer comes back.
    static func start(_ kind: Kind, folder: URL? = nil, port: Int? = nil) async throws -> FediversePeer {
        let dir = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("fedi-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let portFile = dir.appendingPathComponent("port").path
        try? FileManager.default.removeItem(atPath: portFile)
        let log = dir.appendingPathComponent("peer.log")
        let process = try ChildProcess(
            try python("AP"),
            [
                SharedData.packageRoot.appendingPathComponent("Tests/python/fediverse_peer.py").path, kind.rawValue,
                dir.appendingPathComponent("work").path, portFile,
            ]
                + (port.map { [String($0)] } ?? []),
            output: .file(log.path), error: .sameAsOutput)
        // Making seven RSA keys and importing the pasture takes a while on a busy machine.
        for _ in 0..<2400 {
            if let port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap({ Int($0) }) {
                return FediversePeer(base: "http://127.0.0.1:\(port)", folder: dir, process: process)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw Missing(description: "the fediverse peer (\(kind)) did not start:\n" + ((try? String(contentsOf: log, encoding: .utf8)) ?? ""))
    }

    var port: Int { Int(base.split(separator: ":").last ?? "") ?? 0 }

    /// Stops the server at once (SIGKILL), as a crash or a network cut would.
    func crash() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var logText: String { (try? String(contentsOf: folder.appendingPathComponent("peer.log"), encoding: .utf8)) ?? "" }

    func getJSON(_ path: String, accept: String = "application/json") async throws -> [String: Any] {
        let response = try await DreyServer.client.fetch(FetchRequest(url: base + path, headers: [("Accept", accept)]))
        return (try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }

    /// Makes one of the pasture's actors send `activity` to `inbox`, signed (draft-cavage); returns the status.
    func send(as actor: String, to inbox: String, _ activity: [String: Any]) async throws -> Int {
        let body = try JSONSerialization.data(withJSONObject: ["actor": actor, "inbox": inbox, "activity": activity])
        let response = try await DreyServer.client.fetch(
            FetchRequest(url: base + "/_send", method: "POST", headers: [("Content-Type", "application/json")], body: Array(body)))
        let answer = (try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
        return answer["status"] as? Int ?? -1
    }

    struct Received {
        let path: String
        let status: Int
        let headers: [(String, String)]
        let body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:] }
        func header(_ name: String) -> String? { headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1 }
    }

    /// Every POST the actors' inboxes got, with the status they answered (202 only when the signature verified where
    /// the actor requires one).
    func received() async throws -> [Received] {
        let list = try await getJSON("/_received")["received"] as? [[String: Any]] ?? []
        return list.map { item in
            Received(
                path: item["path"] as? String ?? "", status: item["status"] as? Int ?? 0,
                headers: (item["headers"] as? [[String]] ?? []).map { ($0[0], $0.count > 1 ? $0[1] : "") }, body: item["body"] as? String ?? "")
        }
    }

    /// Waits for a delivery to `path` that `matches`.
    func waitForDelivery(to path: String, timeout: Double = 120, _ matches: (Received) -> Bool) async throws -> Received? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let hit = try await received().first(where: { $0.path == path && matches($0) }) { return hit }
            try await Task.sleep(for: .milliseconds(250))
        }
        return nil
    }

    /// The pasture actors' key pairs (PEM), by actor name.
    func keys() async throws -> [String: (privatePEM: String, publicPEM: String)] {
        var out: [String: (String, String)] = [:]
        for (name, value) in try await getJSON("/_keys") {
            guard let pair = value as? [String: String] else { continue }
            out[name] = (pair["private"] ?? "", pair["public"] ?? "")
        }
        return out
    }

    /// Runs `Tests/python/rfc9421.py` in the SIG environment (http-message-signatures).
    static func rfc9421(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(
            try python("SIG"), [SharedData.packageRoot.appendingPathComponent("Tests/python/rfc9421.py").path] + arguments, error: .sameAsOutput)
        let result = child.collect()
        return (result.status, String(decoding: result.output, as: UTF8.self))
    }
}
