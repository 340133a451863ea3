import DreyCore
import DreyTestSupport
import Foundation
import Testing

@testable import DreyRender

/// Runs the shared XSS corpus through both policies and has an outside parser judge the result:
/// `Tests/python/check_sanitizer.py` reads every output with html5lib, as a browser would, and
/// checks each element, attribute and URL against its own copy of the allowlists.
@Suite struct SanitizerVectorTests {
    private struct Vector: Decodable {
        let payload: String
    }

    private struct Record: Encodable {
        let policy: String
        let payload: String
        let output: String
    }

    static let expectedVectorCount = 492

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // DreyRenderTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static var sharedDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["DREY_SHARED_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent("../shared").standardizedFileURL
    }

    @Test func everyCorpusVectorPassesTheBrowserSideChecker() throws {
        let corpus = Self.sharedDirectory.appendingPathComponent("data/xss/all-vectors.jsonl")
        guard FileManager.default.fileExists(atPath: corpus.path) else {
            let hint = "set DREY_SHARED_DIR to the folder that holds data/xss"
            Issue.record("XSS corpus missing at \(corpus.path): \(hint)")
            return
        }
        let vectors = try String(contentsOf: corpus, encoding: .utf8)
            .split(separator: "\n")
            .filter { !$0.allSatisfy(\.isWhitespace) }
            .map { try JSONDecoder().decode(Vector.self, from: Data($0.utf8)) }
        #expect(vectors.count == Self.expectedVectorCount)

        let policies: [(String, SanitizerPolicy)] = [("comment", .comment), ("content", .content)]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines = Data()
        for vector in vectors {
            for (name, policy) in policies {
                let output = HTMLSanitizer.sanitize(vector.payload, policy: policy)
                lines.append(
                    try encoder.encode(
                        Record(policy: name, payload: vector.payload, output: output)))
                lines.append(UInt8(ascii: "\n"))
            }
        }
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("drey-sanitizer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outputs = folder.appendingPathComponent("outputs.jsonl")
        try lines.write(to: outputs)

        let (status, report) = try Self.runChecker(on: outputs)
        #expect(status == 0, "check_sanitizer.py exited with \(status):\n\(report)")
        let total = vectors.count * policies.count
        #expect(
            report.contains("\(Self.expectedVectorCount) vectors x 2 policies: \(total) checked"),
            "the checker did not check every vector:\n\(report)"
        )
    }

    private static func runChecker(on file: URL) throws -> (Int32, String) {
        let check = try ChildProcess(
            "/usr/bin/env", [PythonCheck.python, "Tests/python/check_sanitizer.py", file.path], directory: packageRoot.path, error: .sameAsOutput
        ).collect()
        return (check.status, String(decoding: check.output, as: UTF8.self))
    }
}
