import DreyCore
import DreyImages
import DreyTestSupport
import Foundation
import Testing

/// `drey media add` as an operator runs it: the binary, a data folder, real image files.
@Suite struct MediaCLITests {
    @Test("drey media add stores, resizes and lists images; bad files are named with the reason", arguments: TestDatabase.allCases)
    func add(_ kind: TestDatabase) async throws {
        let location = try await kind.makeLocation()
        defer { Task { await location.cleanup() } }
        let data = location.dataDirectory
        let env = location.databaseURL.map { ["DATABASE_URL": $0] } ?? [:]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drey-media-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let photo = folder.appendingPathComponent("Harbour at dusk.jpg")
        try SyntheticImage.withEXIF(try SyntheticImage.make(width: 1200, height: 900, format: .jpeg)).write(to: photo)
        let text = folder.appendingPathComponent("notes.png")
        try Data("not a picture".utf8).write(to: text)

        #expect(try await offThread { try DreyBinary.run(["migrate"], data: data, env: env) }.status == 0)
        #expect(try await offThread { try DreyBinary.run(["demo"], data: data, env: env) }.status == 0)
        let added = try await offThread {
            try DreyBinary.run(["media", "add", photo.path, text.path, "--alt", "The harbour", "--post", "1"], data: data, env: env)
        }
        #expect(added.status != 0)
        #expect(added.err.contains("notes.png: this file is not an image Drey can use"), "\(added.err)")
        let line = try #require(added.out.split(separator: "\n").first.map(String.init), "\(added.out) \(added.err)")
        #expect(line.contains("/harbour-at-dusk.jpg\t900x1200\tready"), "\(line)")

        let listed = try await offThread { try DreyBinary.run(["media", "list", "--json"], data: data, env: env) }
        #expect(listed.status == 0)
        let json = try #require(listed.out.split(separator: "\n").first)
        let entry = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(entry?["alt"] as? String == "The harbour")
        let sizes = try #require(entry?["sizes"] as? [String])
        #expect(sizes.count == 8)
        let uploads = URL(fileURLWithPath: data).appendingPathComponent("uploads/1")
        for file in sizes {
            let bytes = try Data(contentsOf: uploads.appendingPathComponent(file))
            #expect(!SyntheticImage.contains(bytes, SyntheticImage.gpsLatitude), "\(file)")
            #expect(try ImageFacts(data: bytes).hasEXIF == false)
        }
        // The upload travels with the WXR export as an attachment at its address, and a new blog imports it with the file.
        let export = try await offThread { try DreyBinary.run(["export", "wordpress"], data: data, env: env) }
        #expect(export.status == 0, "\(export.err)")
        let file = try #require(entry?["file"] as? String)
        #expect(
            export.out.contains("<wp:post_type><![CDATA[attachment]]></wp:post_type>")
                || export.out.contains("<wp:post_type>attachment</wp:post_type>"))
        #expect(export.out.contains("/wp-content/uploads/\(file)"))
        let wxr = folder.appendingPathComponent("export.xml")
        try Data(export.out.utf8).write(to: wxr)
        let other = FileManager.default.temporaryDirectory.appendingPathComponent("drey-media-import-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: other) }
        let imported = try await offThread {
            try DreyBinary.run(["import", "wordpress", wxr.path, "--media-dir", uploads.path], data: other, env: [:])
        }
        #expect(imported.status == 0, "\(imported.err)")
        #expect(FileManager.default.fileExists(atPath: URL(fileURLWithPath: other).appendingPathComponent("uploads/1/\(file)").path))
        let importedList = try await offThread { try DreyBinary.run(["media", "list"], data: other, env: [:]) }
        #expect(importedList.out.contains(file), "\(importedList.out)")

        let id = try #require(entry?["id"] as? Int)
        let set = try await offThread { try DreyBinary.run(["media", "set", String(id), "--alt", "The harbour at dusk"], data: data, env: env) }
        #expect(set.status == 0, "\(set.err)")
        #expect(
            try await offThread { try DreyBinary.run(["media", "list", "--json"], data: data, env: env) }.out.contains(
                "\"alt\":\"The harbour at dusk\""))
        let postFile = folder.appendingPathComponent("post.md")
        try "![The harbour](/wp-content/uploads/\(file))".write(to: postFile, atomically: true, encoding: .utf8)
        #expect(
            try await offThread { try DreyBinary.run(["post", "new", "--title", "Harbour", "--file", postFile.path], data: data, env: env) }.status
                == 0)
        let refused = try await offThread { try DreyBinary.run(["media", "delete", String(id)], data: data, env: env) }
        #expect(refused.status != 0 && refused.err.contains("is used by post") && refused.err.contains("“Harbour”"), "\(refused.err)")
        let deleted = try await offThread { try DreyBinary.run(["media", "delete", String(id), "--force"], data: data, env: env) }
        #expect(deleted.status == 0, "\(deleted.err)")
        #expect(!FileManager.default.fileExists(atPath: uploads.appendingPathComponent(file).path))

        let missing = try await offThread { try DreyBinary.run(["media", "add", "/nonexistent/x.jpg"], data: data, env: env) }
        #expect(missing.status != 0 && missing.err.contains("cannot read /nonexistent/x.jpg"))
    }
}
