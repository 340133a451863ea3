import DreyCore
import DreyImages
import DreyTestSupport
import Foundation
import Testing

/// Uploads to a running `drey serve`, from Python's standard HTTP client: the server's own job workers make the
/// sizes, and a body larger than the limit is refused while it streams, with no Content-Length to go by.
@Suite struct MediaServerTests {
    static func upload(_ server: DreyServer, _ files: [String], _ extra: [String] = []) async throws -> [String: Any] {
        let run = try await offThread {
            try PythonCheck.run("upload_client.py", arguments: [server.base, "ed@example.org", "correct horse"] + files + extra)
        }
        let object = try? JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        return object ?? ["output": run.output]
    }

    /// Whether the server process has libvips mapped (its libraries are loaded by the first image, not at start).
    static func hasImageLibrary(_ server: DreyServer) throws -> Bool {
        // Read to the end by hand: /proc files declare no size, so a whole-file read may return nothing.
        let file = try #require(FileHandle(forReadingAtPath: "/proc/\(server.process.processIdentifier)/maps"))
        defer { try? file.close() }
        let maps = String(decoding: try file.readToEnd() ?? Data(), as: UTF8.self)
        #expect(maps.contains("/drey"), "the process's own mapping is listed")
        return maps.contains("libvips")
    }

    @Test("a running server takes an upload, processes it in its workers, and refuses an oversized chunked body", arguments: TestDatabase.allCases)
    func serve(_ kind: TestDatabase) async throws {
        let server = try await DreyServer.start(kind, environment: ["DREY_MAX_UPLOAD_MB": "2"]) { data, env, _ in
            try DreyBinary.run(
                ["user", "add", "--email", "ed@example.org", "--name", "Ed", "--role", "author", "--password", "correct horse"],
                data: data, env: env)
        }
        defer { Task { await server.stop() } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drey-media-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let photo = folder.appendingPathComponent("phone.jpg")
        try SyntheticImage.withEXIF(try SyntheticImage.make(width: 1000, height: 800, format: .jpeg)).write(to: photo)

        // Serving pages needs no image library: libvips (and its hundred libraries) is not in the process yet.
        #expect(try await server.get("/").status == 200)
        #expect(try !Self.hasImageLibrary(server))

        let ok = try await Self.upload(server, [photo.path], ["--alt", "From the phone", "--chunked"])
        #expect(ok["status"] as? Int == 303, "\(ok)")
        let line = try await server.run(["media", "list", "--json"]).out
        let entry = try JSONSerialization.jsonObject(with: Data((line.split(separator: "\n").first ?? "").utf8)) as? [String: Any]
        let file = try #require(entry?["file"] as? String)
        // The server's workers pick the job up; the file appears once it is processed.
        #expect(try await server.waitUntil(timeout: 30) { try await server.get("/wp-content/uploads/" + file).status == 200 })
        let served = try await server.get("/wp-content/uploads/" + file)
        #expect(!SyntheticImage.contains(Data(served.body), SyntheticImage.gpsLatitude))
        #expect(try ImageFacts(data: Data(served.body)).width == 800)
        #expect(try Self.hasImageLibrary(server))

        let big = try await Self.upload(server, [photo.path], ["--chunked", "--junk-mb", "8"])
        #expect(big["status"] as? Int == 413, "\(big)")
        #expect((big["text"] as? String)?.contains("larger than the 2 MB limit") == true, "\(big)")
        let after = try await server.run(["media", "list"]).out
        #expect(after.split(separator: "\n").count == 1)
        #expect(try await server.get("/").status == 200)
    }
}
