import DreyApp
import Foundation
import NIOCore

/// A `multipart/form-data` body read as it arrives: fields kept in memory (a few kilobytes at most), files
/// written to temporary files, and the whole refused the moment it passes the limit, without reading on.
struct MultipartUpload {
    struct FilePart {
        var field: String
        /// What the browser called the file, as sent: checking it is the caller's business.
        var filename: String
        var contentType: String
        var file: URL
        var size: Int
    }

    enum Failure: Error, Equatable {
        case tooLarge(limit: Int)
        case malformed(String)
    }

    var fields: [String: String] = [:]
    var files: [FilePart] = []

    /// The boundary named by a `multipart/form-data` content type.
    static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            var value = String(part.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return (1...70).contains(value.count) ? value : nil
        }
        return nil
    }

    /// Removes the temporary files.
    func discard() {
        for part in files { try? FileManager.default.removeItem(at: part.file) }
    }

    static let maxFieldBytes = 64 << 10
    static let maxHeaderBytes = 8 << 10

    /// Reads `body` to its end or to the first problem; on a throw no temporary file is left behind.
    static func read<Body: AsyncSequence>(
        _ body: Body, boundary: String, limit: Int, directory: URL
    ) async throws -> MultipartUpload where Body.Element == ByteBuffer {
        var parser = Parser(boundary: boundary, directory: directory)
        var total = 0
        do {
            for try await chunk in body {
                total += chunk.readableBytes
                if total > limit { throw Failure.tooLarge(limit: limit) }
                try parser.feed(Array(chunk.readableBytesView))
                if parser.finished { break }
            }
            guard parser.finished else { throw Failure.malformed("the form ended before its last part") }
            return parser.result
        } catch {
            parser.abandon()
            throw error
        }
    }

    /// The state machine: preamble, then for each part its headers and its body up to the next delimiter.
    struct Parser {
        enum State { case preamble, headers, body, finished }

        let delimiter: [UInt8]
        let directory: URL
        var state = State.preamble
        var pending: [UInt8] = []
        var result = MultipartUpload()
        var fieldBytes = 0
        // The part being read.
        var name = ""
        var filename: String? = nil
        var contentType = ""
        var value: [UInt8] = []
        var handle: FileHandle? = nil
        var fileURL: URL? = nil
        var fileSize = 0

        init(boundary: String, directory: URL) {
            delimiter = Array("\r\n--\(boundary)".utf8)
            self.directory = directory
            // The first delimiter may open the body without a line break before it.
            pending = Array("\r\n".utf8)
        }

        var finished: Bool { state == .finished }

        mutating func feed(_ bytes: [UInt8]) throws {
            pending += bytes
            while true {
                switch state {
                case .finished:
                    return
                case .preamble:
                    guard let at = Self.find(delimiter, in: pending) else {
                        pending = Array(pending.suffix(delimiter.count))
                        return
                    }
                    guard pending.count >= at + delimiter.count + 2 else { return }
                    if try !afterDelimiter(at) { return }
                case .headers:
                    guard let end = Self.find(Array("\r\n\r\n".utf8), in: pending) else {
                        if pending.count > MultipartUpload.maxHeaderBytes { throw Failure.malformed("a part's headers are too long") }
                        return
                    }
                    try startPart(headers: Array(pending[..<end]))
                    pending.removeFirst(end + 4)
                    state = .body
                case .body:
                    if let at = Self.find(delimiter, in: pending) {
                        guard pending.count >= at + delimiter.count + 2 else { return }
                        try take(Array(pending[..<at]))
                        try endPart()
                        if try !afterDelimiter(at) { return }
                    } else {
                        // Everything but what could be the start of a delimiter is part of this part.
                        let keep = delimiter.count - 1
                        guard pending.count > keep else { return }
                        try take(Array(pending[..<(pending.count - keep)]))
                        pending.removeFirst(pending.count - keep)
                        return
                    }
                }
            }
        }

        /// After a delimiter: `--` ends the body, a line break starts another part.
        private mutating func afterDelimiter(_ at: Int) throws -> Bool {
            let next = at + delimiter.count
            if pending[next] == UInt8(ascii: "-"), pending[next + 1] == UInt8(ascii: "-") {
                state = .finished
                pending = []
                return false
            }
            guard pending[next] == UInt8(ascii: "\r"), pending[next + 1] == UInt8(ascii: "\n") else {
                throw Failure.malformed("a part boundary is not followed by a line break")
            }
            pending.removeFirst(next + 2)
            state = .headers
            return true
        }

        private mutating func startPart(headers: [UInt8]) throws {
            name = ""
            filename = nil
            contentType = ""
            value = []
            fileSize = 0
            for line in String(decoding: headers, as: UTF8.self).components(separatedBy: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                let rest = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                if key == "content-disposition" {
                    name = Self.parameter("name", in: rest) ?? ""
                    filename = Self.parameter("filename", in: rest)
                } else if key == "content-type" {
                    contentType = rest
                }
            }
            guard !name.isEmpty else { throw Failure.malformed("a part has no field name") }
            if let filename, !filename.isEmpty {
                let url = directory.appendingPathComponent("upload-\(UUID().uuidString)")
                guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                    throw Failure.malformed("the upload could not be stored")
                }
                handle = try FileHandle(forWritingTo: url)
                fileURL = url
            }
        }

        private mutating func take(_ bytes: [UInt8]) throws {
            guard !bytes.isEmpty else { return }
            if let handle {
                try handle.write(contentsOf: bytes)
                fileSize += bytes.count
            } else if filename == nil {
                fieldBytes += bytes.count
                if fieldBytes > MultipartUpload.maxFieldBytes { throw Failure.malformed("the form's text fields are too long") }
                value += bytes
            }
        }

        private mutating func endPart() throws {
            if let handle, let fileURL {
                try handle.close()
                self.handle = nil
                self.fileURL = nil
                result.files.append(FilePart(field: name, filename: filename ?? "", contentType: contentType, file: fileURL, size: fileSize))
            } else if filename == nil {
                guard let text = String(validating: value, as: UTF8.self) else { throw Failure.malformed("a field is not UTF-8") }
                // The first occurrence wins, as in URL-encoded forms.
                if result.fields[name] == nil { result.fields[name] = text }
            }
        }

        /// Closes and removes every file written so far.
        mutating func abandon() {
            try? handle?.close()
            handle = nil
            if let fileURL { try? FileManager.default.removeItem(at: fileURL) }
            result.discard()
        }

        /// `name="value"` from a header's parameters; quotes and backslash escapes as browsers send them.
        static func parameter(_ key: String, in header: String) -> String? {
            var rest = Substring(header)
            while let semicolon = rest.firstIndex(of: ";") {
                rest = rest[rest.index(after: semicolon)...].drop { $0 == " " || $0 == "\t" }
                guard let equals = rest.firstIndex(of: "=") else { return nil }
                let k = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
                var v = rest[rest.index(after: equals)...]
                var value = ""
                if v.first == "\"" {
                    v = v.dropFirst()
                    var escaped = false
                    var end = v.endIndex
                    for i in v.indices {
                        let c = v[i]
                        if escaped {
                            value.append(c)
                            escaped = false
                        } else if c == "\\" {
                            escaped = true
                        } else if c == "\"" {
                            end = i
                            break
                        } else {
                            value.append(c)
                        }
                    }
                    rest = end < v.endIndex ? v[v.index(after: end)...] : v[v.endIndex...]
                } else {
                    let end = v.firstIndex(of: ";") ?? v.endIndex
                    value = v[..<end].trimmingCharacters(in: .whitespaces)
                    rest = v[end...]
                }
                if k == key { return value }
            }
            return nil
        }

        static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
            guard !needle.isEmpty, hay.count >= needle.count else { return nil }
            let first = needle[0]
            var i = 0
            let last = hay.count - needle.count
            return hay.withUnsafeBufferPointer { h in
                needle.withUnsafeBufferPointer { n in
                    while i <= last {
                        if h[i] == first, memcmp(h.baseAddress! + i, n.baseAddress!, n.count) == 0 { return i }
                        i += 1
                    }
                    return nil
                }
            }
        }
    }
}
