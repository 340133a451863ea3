import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import _NIOFileSystem

/// Files from disk (uploads, theme assets), streamed in chunks off the request task's memory, with validators,
/// single byte ranges and `nosniff`: a file is never read whole, whatever its size.
enum FileResponse {
    static let chunk: ByteCount = .kibibytes(64)

    static func make(path: String, contentType: String, cacheControl: String, request: Request) async -> Response {
        guard let info = try? await FileSystem.shared.info(forFileAt: FilePath(path)), info.type == .regular else {
            return WebApp.plain(.notFound, "Not found.")
        }
        let size = Int64(info.size)
        let modified = info.lastDataModificationTime
        let etag = "\"\(String(size, radix: 16))-\(String(modified.seconds, radix: 16))\(String(modified.nanoseconds, radix: 16))\""
        let lastModified = PageCache.httpDate(Date(timeIntervalSince1970: TimeInterval(modified.seconds)))
        var headers: HTTPFields = [
            .contentType: contentType, .cacheControl: cacheControl, .eTag: etag, .lastModified: lastModified,
            .acceptRanges: "bytes", .init("X-Content-Type-Options")!: "nosniff",
            // Opened on its own, a file is never a page of this site that could run script.
            .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        ]
        if contentType == "application/octet-stream" { headers[.contentDisposition] = "attachment" }
        if WebApp.isNotModified(request, etag: etag, lastModified: lastModified) {
            return Response(status: .notModified, headers: headers)
        }
        var status: HTTPResponse.Status = .ok
        var range: Range<Int64> = 0..<size
        if let header = request.headers[.range], honoursRange(request, etag: etag, lastModified: lastModified) {
            switch byteRange(header, size: size) {
            case .whole: break
            case .part(let part):
                status = .partialContent
                range = part
                headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound - 1)/\(size)"
            case .unsatisfiable:
                headers[.contentRange] = "bytes */\(size)"
                headers[.contentType] = "text/plain; charset=utf-8"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
        }
        headers[.contentLength] = String(range.count)
        if request.method == .head || range.isEmpty { return Response(status: status, headers: headers, body: .init()) }
        let bytes = range
        let body = ResponseBody(contentLength: bytes.count) { writer in
            try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
                for try await chunk in handle.readChunks(in: bytes, chunkLength: chunk) { try await writer.write(chunk) }
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// `If-Range`: a range applies only to the file it was asked of.
    static func honoursRange(_ request: Request, etag: String, lastModified: String) -> Bool {
        guard let condition = request.headers[.ifRange] else { return true }
        return condition == etag || condition == lastModified
    }

    enum ByteRange: Equatable {
        case whole
        case part(Range<Int64>)
        case unsatisfiable
    }

    /// One `bytes=` range of RFC 9110; several ranges, or a unit other than bytes, get the whole file.
    static func byteRange(_ header: String, size: Int64) -> ByteRange {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes="), !text.contains(",") else { return .whole }
        let spec = text.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let suffix = Int64(last), suffix > 0 else { return .unsatisfiable }
            return size == 0 ? .unsatisfiable : .part(max(0, size - suffix)..<size)
        }
        guard let start = Int64(first), start >= 0 else { return .whole }
        guard start < size else { return .unsatisfiable }
        if last.isEmpty { return .part(start..<size) }
        guard let end = Int64(last), end >= start else { return .whole }
        return .part(start..<min(end + 1, size))
    }
}
