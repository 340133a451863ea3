import DreyCore
import DreyImages
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import DreyApp
@testable import DreyWeb

/// A multipart form as a browser sends it.
struct Multipart {
    let boundary = "----drey\(UUID().uuidString.prefix(12))"
    var body = ByteBuffer()

    mutating func field(_ name: String, _ value: String) {
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
    }

    mutating func file(_ name: String, filename: String, type: String = "application/octet-stream", _ data: Data) {
        body.writeString(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n")
        body.writeBytes(data)
        body.writeString("\r\n")
    }

    func finished() -> ByteBuffer {
        var out = body
        out.writeString("--\(boundary)--\r\n")
        return out
    }
}

extension AdminSession {
    mutating func upload(_ form: Multipart, accept: String? = nil, contentLength: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.xForwardedHost: TestBlog.host, .contentType: "multipart/form-data; boundary=\(form.boundary)"]
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        if let accept { headers[.accept] = accept }
        if let contentLength { headers[.contentLength] = contentLength }
        let response = try await client.execute(uri: "/admin/media/upload", method: .post, headers: headers, body: form.finished())
        absorb(response)
        return response
    }
}

@Suite struct MediaUploadTests {
    static func phonePhoto() throws -> Data {
        SyntheticImage.withEXIF(try SyntheticImage.make(width: 2000, height: 1500, format: .jpeg))
    }

    func signedIn(_ blog: TestBlog, _ client: any TestClientProtocol, role: Role = .author) async throws -> AdminSession {
        let (user, password) = try await blog.member(role, "uploader\(role.rawValue)")
        var session = AdminSession(client: client)
        let r = try await session.signIn(user.email, password)
        #expect(r.status == .seeOther)
        try await session.get("/admin/media")
        return session
    }

    func files(_ blog: TestBlog) -> [String] {
        let root = blog.config.uploadsDirectory(siteID: blog.site.id)
        let found = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        return found.filter { !$0.hasSuffix("/") && !FileManager.default.isDirectory(root.appendingPathComponent($0)) }.sorted()
    }

    @Test("an upload by the plain form returns at once; its job makes every size, served without EXIF or GPS", arguments: TestDatabase.allCases)
    func uploadAndServe(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            var session = try await signedIn(blog, client)
            var form = Multipart()
            form.field("_csrf", session.csrf)
            form.field("alt", "A heron on the canal")
            form.file("file", filename: "IMG 2041 (Heron).JPG", type: "image/jpeg", try Self.phonePhoto())
            let response = try await session.upload(form)
            #expect(response.status == .seeOther, "\(response.text)")
            let library = try await blog.drey.media.library(siteID: blog.site.id)
            let media = try #require(library.first)
            #expect(library.count == 1)
            #expect(media.state == .processing && media.altText == "A heron on the canal")
            #expect(media.file.hasSuffix("/img-2041-heron.jpg") && media.file.split(separator: "/").count == 3)
            // Nothing is served before the job ran: the original with its GPS position never is.
            #expect(try await client.get("/wp-content/uploads/" + media.file).status == .notFound)

            #expect(await blog.drey.jobs.drain() >= 1)
            let done = try #require(try await blog.drey.store.media(id: media.id, siteID: blog.site.id))
            #expect(done.state == .ready, "\(done.stateMessage)")
            #expect(done.width == 1500 && done.height == 2000)
            #expect(Set(done.renditions.map(\.size)) == ["full", "large", "medium", "thumbnail"])
            #expect(done.renditions.count == 8)
            for rendition in done.renditions {
                let served = try await client.get("/wp-content/uploads/" + rendition.file)
                #expect(served.status == .ok, "\(rendition.file)")
                #expect(served.headers[.contentType] == rendition.mimeType)
                let data = Data(served.body.readableBytesView)
                #expect(!SyntheticImage.contains(data, SyntheticImage.gpsLatitude), "\(rendition.file) leaks the GPS position")
                #expect(!SyntheticImage.contains(data, Array("Exif".utf8)), "\(rendition.file) carries EXIF")
                let facts = try ImageFacts(data: data)
                #expect(facts.width == rendition.width && facts.height == rendition.height && !facts.hasEXIF)
                if rendition.file == done.file {
                    #expect(served.headers[.cacheControl] == "public, max-age=3600")
                } else {
                    #expect(rendition.file.contains("."), "\(rendition.file)")
                    #expect(served.headers[.cacheControl] == "public, max-age=31536000, immutable", "\(rendition.file)")
                }
                let etag = try #require(served.headers[.eTag])
                #expect(try await client.get("/wp-content/uploads/" + rendition.file, headers: [.ifNoneMatch: etag]).status == .notModified)
                let part = try await client.get("/wp-content/uploads/" + rendition.file, headers: [.range: "bytes=0-9"])
                #expect(part.status == .partialContent && part.body.readableBytes == 10)
            }
            // The waiting original is gone once processed.
            let incoming = URL(fileURLWithPath: blog.config.dataDirectory).appendingPathComponent("uploads-incoming")
            let left = (try? FileManager.default.contentsOfDirectory(atPath: incoming.appendingPathComponent(String(blog.site.id)).path)) ?? []
            #expect(left.isEmpty)
        }
    }

    @Test("bad uploads get a clear message and the form back, and leave nothing stored", arguments: TestDatabase.allCases)
    func badInput(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            var session = try await signedIn(blog, client)
            let jpeg = try SyntheticImage.make(width: 800, height: 600, format: .jpeg)
            let cases: [(String, Data, String)] = [
                ("notes.jpg", Data("just some words\n".utf8), "is not an image Drey can use"),
                ("logo.svg", Data("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".utf8), "is not an image Drey can use"),
                (
                    "bomb.jpg",
                    SyntheticImage.declaring(try SyntheticImage.make(width: 64, height: 64, format: .jpeg), width: 50_000, height: 50_000),
                    "50000 × 50000"
                ),
                ("cut.jpg", jpeg.prefix(jpeg.count / 2), "damaged or incomplete"),
                ("../../drey.sqlite.jpg", jpeg, "points into another folder"),
            ]
            for (name, data, message) in cases {
                var form = Multipart()
                form.field("_csrf", session.csrf)
                form.field("alt", "typed alt for \(name)")
                form.file("file", filename: name, data)
                let response = try await session.upload(form)
                #expect(response.status == .unprocessableContent, "\(name)")
                #expect(response.text.contains(message), "\(name): \(response.text.prefix(3000))")
                #expect(
                    response.text.contains("value=\"typed alt for \(name.replacingOccurrences(of: "'", with: "&#39;"))\""),
                    "\(name): the form comes back as typed")
            }
            #expect(try await blog.drey.media.library(siteID: blog.site.id).isEmpty)
            #expect(files(blog).isEmpty)
            // The server keeps serving.
            #expect(try await client.get("/").status == .ok)
        }
    }

    @Test("an upload over the limit is refused by its declared size or as it streams, without a stored byte", arguments: TestDatabase.allCases)
    func sizeLimit(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind, maxUploadSize: 1 << 20) { blog, client in
            var session = try await signedIn(blog, client)
            var form = Multipart()
            form.field("_csrf", session.csrf)
            form.file("file", filename: "big.jpg", Data(count: 3 << 20))
            let streamed = try await session.upload(form)
            #expect(streamed.status == .contentTooLarge)
            #expect(streamed.text.contains("larger than the 1 MB limit"))
            let declared = try await session.upload(form, contentLength: String(200 << 20))
            #expect(declared.status == .contentTooLarge)
            #expect(try await blog.drey.media.library(siteID: blog.site.id).isEmpty)
            let incoming = URL(fileURLWithPath: blog.config.dataDirectory).appendingPathComponent("uploads-incoming")
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: incoming.path)) ?? []).isEmpty)
        }
    }

    @Test("an upload without the CSRF token, or by a contributor, is refused", arguments: TestDatabase.allCases)
    func refusals(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            var session = try await signedIn(blog, client)
            var form = Multipart()
            form.field("_csrf", "forged")
            form.file("file", filename: "a.jpg", try SyntheticImage.make(width: 100, height: 100, format: .jpeg))
            #expect(try await session.upload(form).status == .forbidden)
            var contributor = try await signedIn(blog, client, role: .contributor)
            var theirs = Multipart()
            theirs.field("_csrf", contributor.csrf)
            theirs.file("file", filename: "a.jpg", try SyntheticImage.make(width: 100, height: 100, format: .jpeg))
            #expect(try await contributor.upload(theirs).status == .forbidden)
            // An author may not attach images to a post that is not theirs (the blog's administrator wrote this one).
            let others = try await blog.post("Not yours")
            try await session.get("/admin/media")
            var attach = Multipart()
            attach.field("_csrf", session.csrf)
            attach.field("post", String(others.id))
            attach.file("file", filename: "a.jpg", try SyntheticImage.make(width: 100, height: 100, format: .jpeg))
            let refused = try await session.upload(attach)
            #expect(refused.status == .unprocessableContent && refused.text.contains("not yours to edit"))
            #expect(try await blog.drey.media.library(siteID: blog.site.id).isEmpty)
        }
    }

    @Test("posts show uploads with width, height, srcset, a WebP source, and lazy loading after the first", arguments: TestDatabase.allCases)
    func responsiveInPosts(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            var session = try await signedIn(blog, client)
            var form = Multipart()
            form.field("_csrf", session.csrf)
            form.field("alt", "A heron")
            form.file("file", filename: "heron.jpg", try SyntheticImage.make(width: 1800, height: 1200, format: .jpeg))
            form.file("file", filename: "canal.png", try SyntheticImage.make(width: 640, height: 480, format: .png))
            #expect(try await session.upload(form).status == .seeOther)
            _ = await blog.drey.jobs.drain()
            let library = try await blog.drey.media.library(siteID: blog.site.id)
            let heron = try #require(library.first { $0.file.hasSuffix("heron.jpg") })
            let canal = try #require(library.first { $0.file.hasSuffix("canal.png") })
            let post = try await blog.post(
                "Birds", "\(MediaAdmin.markdown(heron))\n\nText between.\n\n![The canal](/wp-content/uploads/\(canal.file))")
            #expect(post.slug == "birds")
            let page = try await client.get("/2008/01/27/birds/")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("alt=\"A heron\""))
            #expect(html.contains("width=\"1800\" height=\"1200\""), "\(html)")
            #expect(html.contains("width=\"640\" height=\"480\""))
            let large = try #require(heron.renditions.first { $0.size == "large" && $0.mimeType == "image/jpeg" })
            #expect(html.contains("/wp-content/uploads/\(large.file) 1024w"))
            #expect(html.contains("sizes=\"(max-width: 1800px) 100vw, 1800px\""))
            #expect(html.contains("<picture><source type=\"image/webp\""))
            let first = try #require(html.range(of: "alt=\"A heron\""))
            let heronTag = html[html[..<first.lowerBound].range(of: "<img", options: .backwards)!.lowerBound...].prefix { $0 != ">" }
            #expect(!heronTag.contains("loading=\"lazy\""))
            let canalTag = html[html.range(of: "alt=\"The canal\"")!.lowerBound...].prefix { $0 != ">" }
            #expect(canalTag.contains("loading=\"lazy\""))
        }
    }
}

extension MediaUploadTests {
    @Test("a post cached while its image was processing shows the sizes once the job is done", arguments: TestDatabase.allCases)
    func cachedPageRefreshes(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            var session = try await signedIn(blog, client)
            var form = Multipart()
            form.field("_csrf", session.csrf)
            form.file("file", filename: "late.jpg", try SyntheticImage.make(width: 1400, height: 1000, format: .jpeg))
            #expect(try await session.upload(form).status == .seeOther)
            let media = try #require(try await blog.drey.media.library(siteID: blog.site.id).first)
            try await blog.post("Late", "![Late](/wp-content/uploads/\(media.file))")
            let before = try await client.get("/2008/01/27/late/")
            #expect(before.status == .ok && !before.text.contains("srcset="))
            #expect(try await client.get("/2008/01/27/late/").headers[.init("X-Drey-Cache")!] == "HIT")
            _ = await blog.drey.jobs.drain()
            let after = try await client.get("/2008/01/27/late/")
            #expect(after.text.contains("srcset=") && after.text.contains("width=\"1400\" height=\"1000\""))
        }
    }
}

@Test("temporary files of uploads cut off mid-way are removed a day later, and only those")
func staleUploadsAreRemoved() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drey-incoming-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    for name in ["upload-old", "upload-new", "1"] { try Data("x".utf8).write(to: folder.appendingPathComponent(name)) }
    try FileManager.default.setAttributes(
        [.modificationDate: Date().addingTimeInterval(-2 * 86400)], ofItemAtPath: folder.appendingPathComponent("upload-old").path)
    try FileManager.default.setAttributes(
        [.modificationDate: Date().addingTimeInterval(-2 * 86400)], ofItemAtPath: folder.appendingPathComponent("1").path)
    #expect(MediaService.removeStaleUploads(in: folder, before: Date().addingTimeInterval(-86400)) == 1)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["1", "upload-new"])
}

extension FileManager {
    func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
