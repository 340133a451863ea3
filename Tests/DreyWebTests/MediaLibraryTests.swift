import DreyCore
import DreyImages
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

/// The media library screen and the featured image, through the admin's forms.
@Suite struct MediaLibraryTests {
    func uploaded(_ blog: TestBlog, _ session: inout AdminSession, _ name: String, alt: String, width: Int = 900, height: Int = 600) async throws
        -> Media
    {
        try await session.get("/admin/media")
        var form = Multipart()
        form.field("_csrf", session.csrf)
        form.field("alt", alt)
        form.file("file", filename: name, try SyntheticImage.make(width: width, height: height, format: .jpeg))
        #expect(try await session.upload(form).status == .seeOther)
        _ = await blog.drey.jobs.drain()
        return try #require(try await blog.drey.media.library(siteID: blog.site.id).first { $0.file.hasSuffix(name.lowercased()) })
    }

    @Test("the library lists, searches, describes and deletes, warning of the posts that use an image", arguments: TestDatabase.allCases)
    func library(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (user, password) = try await blog.member(.editor, "edna")
            var session = AdminSession(client: client)
            _ = try await session.signIn(user.email, password)
            let heron = try await uploaded(blog, &session, "heron.jpg", alt: "A grey heron")
            let gull = try await uploaded(blog, &session, "gull.jpg", alt: "A gull")
            let grid = try await session.get("/admin/media")
            #expect(grid.status == .ok)
            #expect(grid.text.contains("class=\"media-grid\"") && grid.text.contains("alt=\"A grey heron\"") && grid.text.contains("alt=\"A gull\""))
            let found = try await session.get("/admin/media?view=list&s=heron")
            #expect(found.text.contains("heron.jpg") && !found.text.contains("gull.jpg"))
            #expect(found.text.contains("![A grey heron](/wp-content/uploads/\(heron.file))"))
            let folder = String(heron.file.prefix(7))
            let byMonth = try await session.get("/admin/media?view=list&month=\(folder)&type=image/jpeg")
            #expect(byMonth.text.contains("heron.jpg") && byMonth.text.contains("gull.jpg"))
            #expect(byMonth.text.contains("<option value=\"\(folder)\" selected>"))
            let none = try await session.get("/admin/media?view=list&month=1999/01")
            #expect(!none.text.contains("heron.jpg"))
            let png = try await session.get("/admin/media?view=list&type=image/png")
            #expect(!png.text.contains("heron.jpg"))

            let saved = try await session.post(
                "/admin/media/\(gull.id)", [("action", "update"), ("alt", "A herring gull [adult]"), ("title", "Gull"), ("caption", "On the pier")])
            #expect(saved.status == .seeOther)
            let edited = try #require(try await blog.drey.store.media(id: gull.id, siteID: blog.site.id))
            #expect(edited.altText == "A herring gull [adult]" && edited.title == "Gull" && edited.caption == "On the pier")
            #expect(MediaAdmin.markdown(edited) == "![A herring gull \\[adult\\]](/wp-content/uploads/\(gull.file))")

            let post = try await blog.post("Herons", "![A grey heron](/wp-content/uploads/\(heron.file))")
            let page = try await session.get("/admin/media/\(heron.id)")
            #expect(page.text.contains("is used by “Herons”"), "\(page.text)")
            #expect(page.text.contains("/admin/posts/\(post.id)"))
            #expect(page.text.contains("&lt;img src=&quot;/wp-content/uploads/\(heron.file)&quot; alt=&quot;A grey heron&quot;&gt;"), "\(page.text)")
            let unused = try await session.get("/admin/media/\(gull.id)")
            #expect(unused.text.contains("Delete “Gull” and every size made of it?"))

            // 900 × 600: full, medium and thumbnail, each as JPEG and WebP; no large.
            let files = Set(heron.renditions.map(\.file))
            let root = blog.config.uploadsDirectory(siteID: blog.site.id)
            #expect(
                files.count == 6 && files.contains(heron.file)
                    && files.allSatisfy { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) })
            #expect(try await session.post("/admin/media/\(heron.id)", [("action", "delete")]).status == .seeOther)
            #expect(try await blog.drey.store.media(id: heron.id, siteID: blog.site.id) == nil)
            #expect(files.allSatisfy { !FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) })
            #expect(try await client.get("/wp-content/uploads/" + heron.file).status == .notFound)
            // Without the token nothing changes.
            #expect(try await session.post("/admin/media/\(gull.id)", [("_csrf", "forged"), ("action", "delete")], csrf: false).status == .forbidden)
            #expect(try await blog.drey.store.media(id: gull.id, siteID: blog.site.id) != nil)
        }
    }

    @Test("an upload has its own page with its sizes, caption and post; none while processing or for a draft's", arguments: TestDatabase.allCases)
    func attachmentPage(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (user, password) = try await blog.member(.editor, "ed")
            var session = AdminSession(client: client)
            _ = try await session.signIn(user.email, password)
            let post = try await blog.post("Harbour walk")
            let draft = try await blog.post("Unfinished", status: .draft)
            try await session.get("/admin/media")
            var form = Multipart()
            form.field("_csrf", session.csrf)
            form.field("alt", "Boats at low tide")
            form.field("caption", "Taken from the <old> pier")
            form.field("post", String(post.id))
            form.file("file", filename: "boats.jpg", try SyntheticImage.make(width: 1500, height: 1000, format: .jpeg))
            #expect(try await session.upload(form).status == .seeOther)
            let media = try #require(try await blog.drey.media.library(siteID: blog.site.id).first)
            #expect(try await client.get("/media/\(media.id)/").status == .notFound)
            _ = await blog.drey.jobs.drain()
            let page = try await client.get("/media/\(media.id)/")
            #expect(page.status == .ok)
            #expect(page.text.contains("<h1 class=\"entry-title\">boats</h1>"))
            #expect(page.text.contains("alt=\"Boats at low tide\"") && page.text.contains("srcset="))
            #expect(page.text.contains("<figcaption>Taken from the &lt;old&gt; pier</figcaption>"))
            #expect(page.text.contains(">Harbour walk</a>"))
            #expect(try await client.get("/media/999999/").status == .notFound)

            var second = Multipart()
            second.field("_csrf", session.csrf)
            second.field("post", String(draft.id))
            second.file("file", filename: "secret.jpg", try SyntheticImage.make(width: 200, height: 200, format: .jpeg))
            #expect(try await session.upload(second).status == .seeOther)
            _ = await blog.drey.jobs.drain()
            let hidden = try #require(try await blog.drey.media.library(siteID: blog.site.id).first { $0.file.hasSuffix("secret.jpg") })
            #expect(try await client.get("/media/\(hidden.id)/").status == .notFound)
        }
    }

    @Test("a featured image chosen in the editor shows atop the post and in its OpenGraph tags", arguments: TestDatabase.allCases)
    func featured(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let (user, password) = try await blog.member(.author, "ada")
            var session = AdminSession(client: client)
            _ = try await session.signIn(user.email, password)
            let cover = try await uploaded(blog, &session, "cover.jpg", alt: "Morning over the estuary", width: 1600, height: 1000)
            let editor = try await session.get("/admin/posts/new")
            #expect(editor.text.contains("<option value=\"\(cover.id)\">"))
            #expect(editor.text.contains("id=\"editor-upload\""))
            let fields: [(String, String)] = [
                ("type", "post"), ("title", "Estuary"), ("source", "Mist, then sun."), ("format", "markdown"), ("status", "publish"),
                ("comment_status", "open"), ("featured_media", String(cover.id)),
            ]
            let saved = try await session.post("/admin/posts/new", fields)
            #expect(saved.status == .seeOther, "\(saved.text)")
            let bad = try await session.post("/admin/posts/new", fields.map { $0.0 == "featured_media" ? ($0.0, "99999") : $0 })
            #expect(bad.status == .unprocessableContent && bad.text.contains("The featured image chosen no longer exists"))
            let post = try #require(try await blog.drey.store.postsUsing(cover).first)
            let stored = try #require(try await blog.drey.store.post(id: post.id, siteID: blog.site.id))
            let url = try await PostURLs(store: blog.drey.store).canonical(
                stored, site: blog.siteNow, links: SiteLinks(base: "", settings: blog.siteNow.settings))
            let html = try await client.get(url).text
            #expect(html.contains("<figure class=\"featured-image\"><picture>"), "\(html)")
            #expect(html.contains("alt=\"Morning over the estuary\" class=\"u-featured\""))
            let large = try #require(cover.renditions.first { $0.size == "large" && $0.mimeType == "image/jpeg" })
            #expect(html.contains("<meta property=\"og:image\" content=\"") && html.contains("/wp-content/uploads/\(large.file)\">"), "\(html)")
            #expect(html.contains("<meta property=\"og:image:alt\" content=\"Morning over the estuary\">"))
            let feed = try await client.get("/feed/").text
            #expect(feed.contains("/wp-content/uploads/\(large.file)"), "\(feed)")
        }
    }
}
