import DreyCore
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// Uploaded files as browsers and download managers fetch them: streamed, with ranges, validators and `nosniff`.
@Suite struct UploadServingTests {
    @Test("uploads are streamed with byte ranges, validators, nosniff, and anything scriptable as a download")
    func serving() async throws {
        try await TestBlog.with(.sqlite) { blog, client in
            let folder = blog.config.uploadsDirectory(siteID: blog.site.id).appendingPathComponent("2008/01")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            // Larger than any single read chunk, with a pattern that shows where each byte came from.
            let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
            try Data(bytes).write(to: folder.appendingPathComponent("scan.jpg"))
            try Data("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".utf8)
                .write(to: folder.appendingPathComponent("logo.svg"))
            let path = "/wp-content/uploads/2008/01/scan.jpg"

            let whole = try await client.get(path)
            #expect(whole.status == .ok)
            #expect(Array(whole.body.readableBytesView) == bytes)
            #expect(whole.headers[.contentType] == "image/jpeg")
            #expect(whole.headers[.init("X-Content-Type-Options")!] == "nosniff")
            #expect(whole.headers[.acceptRanges] == "bytes")
            #expect(whole.headers[.contentLength] == String(bytes.count))
            let etag = try #require(whole.headers[.eTag])

            let part = try await client.get(path, headers: [.range: "bytes=1000-1999"])
            #expect(part.status == .partialContent)
            #expect(Array(part.body.readableBytesView) == Array(bytes[1000...1999]))
            #expect(part.headers[.contentRange] == "bytes 1000-1999/\(bytes.count)")
            let tail = try await client.get(path, headers: [.range: "bytes=-10"])
            #expect(Array(tail.body.readableBytesView) == Array(bytes.suffix(10)))
            let open = try await client.get(path, headers: [.range: "bytes=\(bytes.count - 5)-"])
            #expect(Array(open.body.readableBytesView) == Array(bytes.suffix(5)))
            let beyond = try await client.get(path, headers: [.range: "bytes=\(bytes.count)-"])
            #expect(beyond.status == .rangeNotSatisfiable)
            #expect(beyond.headers[.contentRange] == "bytes */\(bytes.count)")
            // A range of an older version of the file gets the whole new one.
            let stale = try await client.get(path, headers: [.range: "bytes=0-9", .ifRange: "\"old\""])
            #expect(stale.status == .ok && stale.body.readableBytes == bytes.count)

            #expect(try await client.get(path, headers: [.ifNoneMatch: etag]).status == .notModified)
            let head = try await client.get(path, method: .head)
            #expect(head.status == .ok && head.body.readableBytes == 0 && head.headers[.contentLength] == String(bytes.count))

            let svg = try await client.get("/wp-content/uploads/2008/01/logo.svg")
            #expect(svg.headers[.contentType] == "application/octet-stream")
            #expect(svg.headers[.contentDisposition] == "attachment")
            #expect(svg.headers[.contentSecurityPolicy]?.contains("sandbox") == true)
            #expect(try await client.get("/wp-content/uploads/2008/01/missing.jpg").status == .notFound)
            #expect(try await client.get("/wp-content/uploads/2008/../../drey.sqlite").status == .notFound)
        }
    }

    @Test("byte ranges are read as RFC 9110 has them")
    func ranges() {
        #expect(FileResponse.byteRange("bytes=0-0", size: 10) == .part(0..<1))
        #expect(FileResponse.byteRange("bytes=5-100", size: 10) == .part(5..<10))
        #expect(FileResponse.byteRange("bytes=-3", size: 10) == .part(7..<10))
        #expect(FileResponse.byteRange("bytes=-30", size: 10) == .part(0..<10))
        #expect(FileResponse.byteRange("bytes=10-", size: 10) == .unsatisfiable)
        #expect(FileResponse.byteRange("bytes=-0", size: 10) == .unsatisfiable)
        #expect(FileResponse.byteRange("bytes=0-1,4-5", size: 10) == .whole)
        #expect(FileResponse.byteRange("items=0-1", size: 10) == .whole)
        #expect(FileResponse.byteRange("bytes=7-3", size: 10) == .whole)
    }
}
