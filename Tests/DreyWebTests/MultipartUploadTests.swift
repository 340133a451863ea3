import Foundation
import NIOCore
import Testing

@testable import DreyApp
@testable import DreyWeb

/// The streaming multipart reader, fed as a network would: in pieces cut anywhere, delimiters split included.
@Suite struct MultipartUploadTests {
    struct Pieces: AsyncSequence {
        typealias Element = ByteBuffer
        let chunks: [ByteBuffer]
        struct AsyncIterator: AsyncIteratorProtocol {
            var rest: [ByteBuffer]
            mutating func next() async -> ByteBuffer? { rest.isEmpty ? nil : rest.removeFirst() }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: chunks) }
    }

    static func body(boundary: String, file: [UInt8]) -> [UInt8] {
        var b = Array("preamble to ignore\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nt0ken\r\n".utf8)
        b += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\nA \"quoted\" héron\r\n".utf8)
        b += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"we\\\"ird name.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8
        )
        b += file
        b += Array("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\r\n\r\n--\(boundary)--\r\n".utf8)
        return b
    }

    @Test("fields and files come out whole whatever the chunk size, a file holding boundary-like bytes included", arguments: [1, 2, 7, 64, 4096])
    func pieces(_ size: Int) async throws {
        let boundary = "----b0undary"
        // Bytes that nearly make a delimiter, to catch a reader that trusts a partial match.
        let file = Array("\r\n--\(boundary.dropLast())x\r\n--".utf8) + (0..<3000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let all = Self.body(boundary: boundary, file: file)
        let chunks = stride(from: 0, to: all.count, by: size).map { ByteBuffer(bytes: all[$0..<min($0 + size, all.count)]) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("multipart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let parts = try await MultipartUpload.read(Pieces(chunks: chunks), boundary: boundary, limit: 1 << 20, directory: dir)
        #expect(parts.fields["_csrf"] == "t0ken")
        #expect(parts.fields["alt"] == "A \"quoted\" héron")
        #expect(parts.files.count == 1)
        let part = try #require(parts.files.first)
        #expect(part.filename == "we\"ird name.jpg" && part.contentType == "image/jpeg" && part.size == file.count)
        #expect(try [UInt8](Data(contentsOf: part.file)) == file)
        parts.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("a body past the limit, or cut short, fails and leaves no file behind")
    func failures() async throws {
        let boundary = "xyz"
        let all = Self.body(boundary: boundary, file: [UInt8](repeating: 1, count: 10_000))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("multipart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let chunks = stride(from: 0, to: all.count, by: 1000).map { ByteBuffer(bytes: all[$0..<min($0 + 1000, all.count)]) }
        await #expect(throws: MultipartUpload.Failure.tooLarge(limit: 5000)) {
            try await MultipartUpload.read(Pieces(chunks: chunks), boundary: boundary, limit: 5000, directory: dir)
        }
        await #expect(throws: MultipartUpload.Failure.self) {
            try await MultipartUpload.read(Pieces(chunks: Array(chunks.prefix(5))), boundary: boundary, limit: 1 << 20, directory: dir)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        #expect(MultipartUpload.boundary(contentType: "multipart/form-data; boundary=\"a b\"") == "a b")
        #expect(MultipartUpload.boundary(contentType: "application/x-www-form-urlencoded") == nil)
    }
}
