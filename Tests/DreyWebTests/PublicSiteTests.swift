import DreyCore
import DreyRender
import DreyTestSupport
import Foundation
import HummingbirdTesting
import Testing

@testable import DreyApp
@testable import DreyWeb

@Suite struct PublicSiteTests {
    @Test("home lists sticky posts first, then newest, paginated at /page/N/", arguments: TestDatabase.allCases)
    func home(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.set(.postsPerPage, "2")
            try await blog.post("Oldest sticky", date: "2007-01-01T00:00:00Z", sticky: true)
            try await blog.post("Middle", date: "2008-01-01T00:00:00Z")
            try await blog.post("Newest", date: "2008-02-01T00:00:00Z")
            try await blog.post("A draft", date: "2008-03-01T00:00:00Z", status: .draft)
            let home = try await client.get("/")
            #expect(home.status == .ok)
            let order = ["Oldest sticky", "Newest", "Middle"].compactMap { home.text.range(of: $0)?.lowerBound }
            #expect(order.count == 2 && order[0] < order[1])
            #expect(!home.text.contains("A draft"))
            #expect(home.text.contains("href=\"http://blog.test/page/2/\""))
            let two = try await client.get("/page/2/")
            #expect(two.status == .ok)
            #expect(two.text.contains("Middle"))
            #expect(!two.text.contains("Newest"))
            #expect(try await client.get("/page/3/").status == .notFound)
            #expect(try await client.get("/page/99999999999/").status == .notFound)
            #expect(try await client.get("/page/0/").status == .notFound)
        }
    }

    @Test("the post page is the reference page, done right", arguments: TestDatabase.allCases)
    func postPage(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.set(.timezone, "Europe/Athens")
            let post = try await blog.post(
                "On pamphlets", "Twelve paragraphs.\n\n> A quotation\n\n*emphasis*", date: "2008-01-26T22:04:00Z",
                categories: ["Lenin", "Trotskyists", "USSR"])
            let charlie = try await blog.comment(post, "First!", by: "Charlie", email: "charlie@example.org", url: "http://charlie.example.org/")
            try await blog.comment(post, "In response to Charlie", by: "Phil", parent: charlie.id)
            try await blog.comment(post, "Thanks both", by: "korakious", email: "korakious@blog.test", parent: charlie.id)
            try await blog.comment(
                post, "[…] they wrote about it […]", by: "Other Blog » Long winters", email: "", url: "http://other.example.org/winters/",
                type: .pingback)
            try await blog.comment(post, "Any youtube videos from", by: "xq7bot", status: .spam)
            try await blog.comment(post, "Not yet approved", by: "Held", status: .pending)
            let page = try await client.get("/2008/01/27/on-pamphlets/")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("<h1 class=\"entry-title p-name\">On pamphlets</h1>"))
            #expect(html.contains(">korakious</a>"))
            #expect(html.contains("January 27, 2008, 12:04 am"))  // site time zone and WordPress's formats
            #expect(html.contains("Filed under: <a class=\"p-category\" href=\"http://blog.test/category/lenin/\" rel=\"category tag\">Lenin</a>, "))
            #expect(!html.contains("Tags:"))
            #expect(html.contains("<blockquote>"))
            #expect(html.contains("4 Comments"))  // three approved comments and a pingback
            #expect(html.contains("id=\"comment-\(charlie.id)\""))
            #expect(html.contains("<a class=\"url u-url\" href=\"http://charlie.example.org/\" rel=\"external nofollow ugc\">Charlie</a>"))
            // Faces are the blog's own by default: nothing on the page sends its readers to Gravatar.
            #expect(html.contains("src=\"http://blog.test/avatar/"))
            #expect(!html.contains("gravatar.com"))
            #expect(html.contains("bypostauthor"))
            #expect(html.contains("?replytocom=\(charlie.id)#respond"))
            #expect(html.contains("<ol class=\"children\">"))
            #expect(
                html.contains(
                    "Pingback by <a class=\"u-url p-name\" href=\"http://other.example.org/winters/\" rel=\"external nofollow ugc\">Other Blog » Long winters</a>"
                ))
            #expect(html.contains("[…] they wrote about it […]"))
            #expect(!html.contains("Any youtube videos"))
            #expect(!html.contains("Not yet approved"))
            #expect(html.contains("id=\"commentform\""))
            #expect(html.contains("name=\"hp_website\""))
            // Linkbacks are listed apart, after the conversation.
            let conversation = try #require(html.range(of: "comment-list"))
            let mentions = try #require(html.range(of: "linkback-list"))
            #expect(conversation.lowerBound < mentions.lowerBound)
        }
    }

    @Test("thread depth is a setting; deeper replies stay at the deepest level", arguments: [TestDatabase.sqlite])
    func threadDepth(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.set(.threadDepth, "2")
            let post = try await blog.post("Deep")
            let a = try await blog.comment(post, "level one", by: "A")
            let b = try await blog.comment(post, "level two", by: "B", parent: a.id)
            let c = try await blog.comment(post, "level three", by: "C", parent: b.id)
            let html = try await client.get("/2008/01/27/deep/").text
            #expect(html.components(separatedBy: "<ol class=\"children\">").count == 2)  // only one nested list
            #expect(html.contains("depth-2") && !html.contains("depth-3"))
            #expect(html.contains("id=\"comment-\(c.id)\""))
            #expect(!html.contains("?replytocom=\(b.id)#respond"))  // no reply link at the deepest level
        }
    }

    @Test("a new permalink structure redirects old links", arguments: TestDatabase.allCases)
    func permalinkChange(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let post = try await blog.post("Moving day")
            try await blog.set(.permalinkStructure, "/archives/%post_id%")
            let old = try await client.get("/2008/01/27/moving-day/")
            #expect(old.status == .movedPermanently)
            #expect(old.location == "http://blog.test/archives/\(post.id)")
            #expect(try await client.get("/archives/\(post.id)").status == .ok)
            let legacy = try await client.get("/?p=\(post.id)")
            #expect(legacy.status == .movedPermanently)
            #expect(legacy.location == "http://blog.test/archives/\(post.id)")
            // Wrong date parts name no post.
            try await blog.set(.permalinkStructure, "/%year%/%monthnum%/%day%/%postname%/")
            #expect(try await client.get("/2009/01/27/moving-day/").status == .notFound)
            #expect(try await client.get("/2008/01/27/moving-day").status == .movedPermanently)
        }
    }

    @Test("pages at /slug/ and /parent/child/", arguments: TestDatabase.allCases)
    func pages(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let about = try await blog.post("About", "Who we are.", type: .page)
            try await blog.post("Team", "The people.", type: .page, parent: about.id)
            let page = try await client.get("/about/")
            #expect(page.status == .ok)
            #expect(page.text.contains("Who we are."))
            #expect(try await client.get("/about/team/").text.contains("The people."))
            #expect(try await client.get("/team/").status == .movedPermanently)
        }
    }

    @Test("faces are made by the blog unless the owner chooses Gravatar; the same person has the same face", arguments: TestDatabase.allCases)
    func localFaces(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let post = try await blog.post("Faces")
            try await blog.comment(post, "One", by: "Ann", email: "ann@example.org")
            try await blog.comment(post, "Two", by: "Ann again", email: " ANN@example.org ")
            try await blog.comment(post, "Three", by: "Bo", email: "bo@example.org")
            let html = try await client.get("/2008/01/27/faces/").text
            let faces = html.components(separatedBy: "src=\"http://blog.test/avatar/").dropFirst().compactMap {
                $0.split(separator: "\"").first.map(String.init)
            }
            #expect(faces.count == 3)
            #expect(faces[0] == faces[1] && faces[0] != faces[2], "\(faces)")
            let gravatarHash = String(Avatar.url(email: "ann@example.org").split(separator: "/").last!.prefix(32))
            #expect(!html.contains("ann@example.org") && !html.contains(gravatarHash))
            let svg = try await client.get("/avatar/" + faces[0])
            #expect(svg.status == .ok)
            #expect(svg.headers[.contentType] == "image/svg+xml")
            #expect(svg.headers[.cacheControl]?.contains("immutable") == true)
            #expect(svg.headers[.init("Content-Security-Policy")!]?.contains("default-src 'none'") == true)
            #expect(svg.text.hasPrefix("<svg ") && svg.text.contains("<rect"))
            #expect(try await client.get("/avatar/" + faces[0]).text == svg.text)
            #expect(try await client.get("/avatar/" + faces[2]).text != svg.text)
            #expect(try await client.get("/avatar/not-a-face.svg").status == .notFound)
            #expect(try await client.get("/avatar/%3Cscript%3E.svg").status == .notFound)
            try await blog.set(.avatars, "gravatar")
            let chosen = try await client.get("/2008/01/27/faces/").text
            #expect(chosen.contains("https://www.gravatar.com/avatar/") && !chosen.contains("/avatar/" + faces[0]))
            await #expect(throws: SettingError.self) { try await blog.set(.avatars, "somewhere") }
        }
    }

    @Test("lists link a child page at its canonical address, under its parent, with no redirect in between", arguments: TestDatabase.allCases)
    func childPageLinks(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let about = try await blog.post("About", "Who we are.", type: .page)
            let team = try await blog.post("Team", "The people of the spring.", type: .page, parent: about.id)
            try await blog.post("Staff", "More people of the spring.", type: .page, parent: team.id)
            let results = try await client.get("/?s=people")
            #expect(results.status == .ok)
            #expect(results.text.contains("href=\"http://blog.test/about/team/\""))
            #expect(results.text.contains("href=\"http://blog.test/about/team/staff/\""))
            #expect(!results.text.contains("href=\"http://blog.test/team/\""))
            #expect(try await client.get("/about/team/staff/").status == .ok)
        }
    }

    @Test("category (with children), tag, author and date archives", arguments: TestDatabase.allCases)
    func archives(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let ussr = try await blog.drey.posts.term(named: "USSR", taxonomy: .category, siteID: blog.site.id)
            _ = try await blog.drey.posts.term(named: "Lenin", taxonomy: .category, siteID: blog.site.id, parentID: ussr.id)
            try await blog.post("In the child", date: "2008-01-27T10:00:00Z", categories: ["Lenin"], tags: ["Winter"])
            try await blog.post("In the parent", date: "2008-02-03T10:00:00Z", categories: ["USSR"])
            try await blog.post("Elsewhere", date: "2007-05-03T10:00:00Z", categories: ["Other"])
            let parent = try await client.get("/category/ussr/")
            #expect(parent.status == .ok)
            #expect(parent.text.contains("In the child") && parent.text.contains("In the parent") && !parent.text.contains("Elsewhere"))
            let child = try await client.get("/category/ussr/lenin/")
            #expect(child.text.contains("In the child") && !child.text.contains("In the parent"))
            #expect(try await client.get("/tag/winter/").text.contains("In the child"))
            #expect(try await client.get("/author/korakious/").text.contains("Elsewhere"))
            let year = try await client.get("/2008/")
            #expect(year.text.contains("In the child") && year.text.contains("In the parent") && !year.text.contains("Elsewhere"))
            let month = try await client.get("/2008/02/")
            #expect(month.text.contains("In the parent") && !month.text.contains("In the child"))
            #expect(try await client.get("/2008/01/27/").text.contains("In the child"))
            #expect(try await client.get("/2008/02/31/").status == .notFound)
            #expect(try await client.get("/category/nope/").status == .notFound)
            #expect(try await client.get("/author/nobody/").status == .notFound)
        }
    }

    @Test("search is ranked and escapes what it echoes", arguments: TestDatabase.allCases)
    func search(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            try await blog.post("Printing presses", "About winter.")
            try await blog.post("Winter", "Printing, printing and more printing.", date: "2008-02-01T00:00:00Z")
            let results = try await client.get("/?s=printing")
            #expect(results.status == .ok)
            let first = try #require(results.text.range(of: "Printing presses"))
            let second = try #require(results.text.range(of: ">Winter<"))
            #expect(first.lowerBound < second.lowerBound)
            let xss = try await client.get("/?s=%3Cscript%3Ealert(1)%3C/script%3E")
            #expect(!xss.text.contains("<script>alert(1)"))
            #expect(xss.text.contains("&lt;script&gt;"))
        }
    }

    @Test("unknown addresses get the themed 404", arguments: TestDatabase.allCases)
    func notFound(_ kind: TestDatabase) async throws {
        try await TestBlog.with(kind) { blog, client in
            let response = try await client.get("/no/such/thing/")
            #expect(response.status == .notFound)
            #expect(response.text.contains("Nothing here"))
            #expect(response.text.contains("class=\"site-header\""))
        }
    }
}
