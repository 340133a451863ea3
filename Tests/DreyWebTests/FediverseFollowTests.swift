import DreyCore
import DreyFetch
import DreyTestSupport
import Foundation
import Testing

/// Follows, deliveries and reactions with fediverse-pasture's actors as the remote server: its inboxes check our
/// draft-cavage signatures (bovine), and http-message-signatures checks the RFC 9421 ones as Mastodon would.
@Suite struct FediverseFollowTests {
    @Test(
        "a follow gets a signed Accept; the next post arrives as a Create(Article) signed in both forms; likes and boosts count",
        arguments: TestDatabase.allCases)
    func followAndDeliver(_ kind: TestDatabase) async throws {
        let server = try await FediverseTests.server(kind)
        let peer = try await FediversePeer.shared(.actors)
        // Each test run follows with its own actor name in the ids, so runs sharing the peer can tell their deliveries apart.
        let run = UUID().uuidString.lowercased()
        try await LinkbackPeerTests.stopping([server]) {
            let blog = server.base + "/ap/blog"
            let frank = peer.base + "/frank"
            let follow: [String: Any] = [
                "@context": "https://www.w3.org/ns/activitystreams", "id": "\(frank)/follows/\(run)", "type": "Follow", "actor": frank,
                "object": blog,
            ]
            #expect(try await peer.send(as: "frank", to: server.base + "/ap/inbox", follow) == 202)
            let accept = try await peer.waitForDelivery(to: "/frank/inbox") {
                let object = $0.json["object"] as? [String: Any]
                return $0.json["type"] as? String == "Accept" && object?["id"] as? String == "\(frank)/follows/\(run)"
            }
            // 202: frank's inbox took it only because our signature verified (bovine, draft-cavage).
            #expect(accept?.status == 202, "\(peer.logText.suffix(3000))\n\(server.logText.suffix(3000))")
            #expect(accept?.json["actor"] as? String == blog)
            #expect(accept?.header("Signature")?.contains("keyId=\"\(blog)#main-key\"") == true)
            let page = try await server.get("/2024/05/01/notes-on-the-engine/").text
            #expect(page.contains("1 person follows this blog on the fediverse:"))

            // A new post goes out as a Create from its author's actor, to frank (and the blog's Announce of it).
            #expect(
                try await server.run(["post", "new", "--title", "Punched cards \(run)", "--file", try LinkbackPeerTests.writeFile("Cards, again.")])
                    .status == 0)
            let create = try await peer.waitForDelivery(to: "/frank/inbox") {
                ($0.json["object"] as? [String: Any])?["name"] as? String == "Punched cards \(run)" && $0.json["type"] as? String == "Create"
            }
            #expect(create?.status == 202, "\(server.logText.suffix(3000))")
            let article = create?.json["object"] as? [String: Any] ?? [:]
            #expect(article["type"] as? String == "Article")
            #expect(create?.json["actor"] as? String == article["attributedTo"] as? String)
            let articleID = article["id"] as? String ?? ""
            let announce = try await peer.waitForDelivery(to: "/frank/inbox") {
                $0.json["type"] as? String == "Announce" && $0.json["object"] as? String == articleID
            }
            #expect(announce?.status == 202)

            // frank's server signs to us with RFC 9421 from now on, so we answer it in kind.
            let keys = try await peer.keys()
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rfc9421-\(run)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try (keys["frank"]?.privatePEM ?? "").write(to: dir.appendingPathComponent("frank.pem"), atomically: true, encoding: .utf8)
            func sendRFC9421(_ activity: [String: Any]) throws -> String {
                let file = dir.appendingPathComponent("\(UUID().uuidString).json")
                try JSONSerialization.data(withJSONObject: activity).write(to: file)
                return try FediversePeer.rfc9421(
                    ["send", server.base + "/ap/inbox", frank + "#main", dir.appendingPathComponent("frank.pem").path, file.path]
                ).output.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let like: [String: Any] = ["id": "\(frank)/likes/\(run)", "type": "Like", "actor": frank, "object": articleID]
            #expect(try sendRFC9421(like) == "202")
            func counts() async throws -> (Int, Int) {
                let (_, doc, _) = try await FediverseTests.json(server, articleID)
                return ((doc["likes"] as? [String: Any])?["totalItems"] as? Int ?? -1, (doc["shares"] as? [String: Any])?["totalItems"] as? Int ?? -1)
            }
            #expect(try await server.waitUntil(timeout: 60) { try await counts() == (1, 0) })
            let boost: [String: Any] = ["id": "\(frank)/boosts/\(run)", "type": "Announce", "actor": frank, "object": articleID]
            #expect(try await peer.send(as: "frank", to: server.base + "/ap/inbox", boost) == 202)
            #expect(try await server.waitUntil(timeout: 60) { try await counts() == (1, 1) })
            // The same Like again (a replay) changes nothing.
            #expect(try sendRFC9421(like) == "202")
            try await Task.sleep(for: .seconds(1))
            #expect(try await counts() == (1, 1))
            let undo: [String: Any] = ["id": "\(frank)/undo/\(run)", "type": "Undo", "actor": frank, "object": like]
            #expect(try await peer.send(as: "frank", to: server.base + "/ap/inbox", undo) == 202)
            #expect(try await server.waitUntil(timeout: 60) { try await counts() == (0, 1) })
            let undoBoost: [String: Any] = ["id": "\(frank)/undo-boost/\(run)", "type": "Undo", "actor": frank, "object": boost]
            #expect(try sendRFC9421(undoBoost) == "202")
            #expect(try await server.waitUntil(timeout: 60) { try await counts() == (0, 0) })

            // An edit goes out as an Update, now signed with RFC 9421, which http-message-signatures verifies.
            let postID = articleID.split(separator: "/").last.map(String.init) ?? ""
            #expect(try await server.run(["post", "edit", postID, "--title", "Punched cards, revised \(run)"]).status == 0)
            let update = try await peer.waitForDelivery(to: "/frank/inbox") {
                $0.json["type"] as? String == "Update" && ($0.json["object"] as? [String: Any])?["name"] as? String == "Punched cards, revised \(run)"
            }
            let request = try #require(update, "\(server.logText.suffix(3000))")
            #expect(request.header("Signature-Input")?.contains("\"@target-uri\"") == true)
            let recorded: [String: Any] = [
                "method": "POST", "url": peer.base + request.path, "headers": request.headers.map { [$0.0, $0.1] }, "body": request.body,
            ]
            try JSONSerialization.data(withJSONObject: recorded).write(to: dir.appendingPathComponent("request.json"))
            let (_, author, _) = try await FediverseTests.json(server, article["attributedTo"] as? String ?? "")
            let pem = (author["publicKey"] as? [String: Any])?["publicKeyPem"] as? String ?? ""
            try pem.write(to: dir.appendingPathComponent("public.pem"), atomically: true, encoding: .utf8)
            let verified = try FediversePeer.rfc9421(
                ["verify", dir.appendingPathComponent("request.json").path, dir.appendingPathComponent("public.pem").path])
            #expect(verified.status == 0 && verified.output.hasPrefix("ok"), "\(verified.output)")

            // Unpublished, the post is deleted from followers' servers, as a Tombstone.
            #expect(try await server.run(["post", "edit", postID, "--status", "draft"]).status == 0)
            let delete = try await peer.waitForDelivery(to: "/frank/inbox") {
                $0.json["type"] as? String == "Delete" && ($0.json["object"] as? [String: Any])?["id"] as? String == articleID
            }
            #expect((delete?.json["object"] as? [String: Any])?["type"] as? String == "Tombstone")
            // Editing a post published long ago does not send it: only news goes to followers.
            let (_, old, _) = try await FediverseTests.json(server, "/2024/05/01/notes-on-the-engine/")
            let oldID = old["id"] as? String ?? ""
            #expect(
                try await server.run(["post", "edit", String(oldID.split(separator: "/").last ?? ""), "--title", "Notes, revised \(run)"]).status == 0
            )
            // Once its job has run (no post job left queued), nothing about it has arrived: the job sends nothing.
            #expect(
                try await server.waitUntil(timeout: 60) {
                    let waiting =
                        try await server.jsonLines(["jobs", "list", "--state", "queued", "--json"])
                        + server.jsonLines(["jobs", "list", "--state", "running", "--json"])
                    return !waiting.contains { $0["kind"] as? String == "ap.post" }
                })
            // A delivery it had queued would arrive within moments.
            try await Task.sleep(for: .seconds(3))
            #expect(try await peer.received().allSatisfy { !$0.body.contains("Notes, revised \(run)") })

            // Unfollowing takes frank off the count.
            let unfollow: [String: Any] = ["id": "\(frank)/unfollow/\(run)", "type": "Undo", "actor": frank, "object": follow]
            #expect(try await peer.send(as: "frank", to: server.base + "/ap/inbox", unfollow) == 202)
            #expect(
                try await server.waitUntil(timeout: 60) {
                    try await server.get("/2024/05/01/notes-on-the-engine/").text.contains("0 people follow this blog on the fediverse:")
                })
        }
        await server.stop()
    }

    @Test(
        "a reply from the fediverse is held like any comment, shown threaded once approved, sanitized, and a reply to it nests",
        arguments: TestDatabase.allCases)
    func replies(_ kind: TestDatabase) async throws {
        let server = try await FediverseTests.server(kind)
        let peer = try await FediversePeer.shared(.actors)
        let run = UUID().uuidString.lowercased()
        try await LinkbackPeerTests.stopping([server]) {
            #expect(try await server.run(["site", "set", "comment_moderation", "1"]).status == 0)
            let (_, article, _) = try await FediverseTests.json(server, "/2024/05/01/notes-on-the-engine/")
            let articleID = article["id"] as? String ?? ""
            let bob = peer.base + "/bob"
            let noteID = "\(bob)/notes/\(run)"
            let hostile = #"<p>Lovely <a href="javascript:alert(1)">engine</a>!<script>alert(2)</script><img src="x" onerror="alert(3)"></p>"#
            let note: [String: Any] = [
                "id": noteID, "type": "Note", "attributedTo": bob, "inReplyTo": articleID, "content": hostile,
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
            ]
            let create: [String: Any] = ["id": noteID + "/activity", "type": "Create", "actor": bob, "object": note]
            #expect(try await peer.send(as: "bob", to: server.base + "/ap/inbox", create) == 202)
            var pending: [[String: Any]] = []
            #expect(
                try await server.waitUntil(timeout: 60) {
                    pending = try await server.jsonLines(["comment", "list", "--status", "pending", "--json"])
                    return pending.count == 1
                }, "\(server.logText.suffix(3000))")
            let commentID = pending.first?["id"] as? Int ?? 0
            #expect(pending.first?["url"] as? String == bob)
            #expect(!(try await server.get("/2024/05/01/notes-on-the-engine/").text.contains("Lovely")))
            #expect(try await server.run(["comment", "approve", String(commentID)]).status == 0)
            let page = try await server.get("/2024/05/01/notes-on-the-engine/").text
            #expect(page.contains("Lovely") && page.contains("id=\"comment-\(commentID)\""))
            #expect(!page.contains("alert(") && !page.contains("<script") && !page.contains("onerror"))
            // The post's replies list it.
            let (_, replies, _) = try await FediverseTests.json(server, articleID + "/replies")
            #expect((replies["orderedItems"] as? [String]) == [noteID])

            // claire answers bob's note: her reply nests under his comment.
            let claire = peer.base + "/claire"
            let answer: [String: Any] = [
                "id": "\(claire)/notes/\(run)", "type": "Note", "attributedTo": claire, "inReplyTo": noteID, "content": "<p>Agreed.</p>",
            ]
            #expect(
                try await peer.send(
                    as: "claire", to: server.base + "/ap/inbox",
                    ["id": "\(claire)/create/\(run)", "type": "Create", "actor": claire, "object": answer])
                    == 202)
            var nested: [[String: Any]] = []
            #expect(
                try await server.waitUntil(timeout: 60) {
                    nested = try await server.jsonLines(["comment", "list", "--status", "pending", "--json"])
                    return nested.count == 1
                })
            #expect(nested.first?["parent"] as? Int == commentID)
            // bob edits his reply, then deletes it.
            var edited = note
            edited["content"] = "<p>Lovely engine, truly.</p>"
            #expect(
                try await peer.send(
                    as: "bob", to: server.base + "/ap/inbox", ["id": noteID + "/edit", "type": "Update", "actor": bob, "object": edited]) == 202)
            #expect(
                try await server.waitUntil(timeout: 60) {
                    try await server.get("/2024/05/01/notes-on-the-engine/").text.contains("Lovely engine, truly.")
                })
            #expect(
                try await peer.send(
                    as: "bob", to: server.base + "/ap/inbox", ["id": noteID + "/delete", "type": "Delete", "actor": bob, "object": noteID]) == 202)
            #expect(
                try await server.waitUntil(timeout: 60) { !(try await server.get("/2024/05/01/notes-on-the-engine/").text.contains("Lovely engine")) }
            )
        }
        await server.stop()
    }

    @Test("a delivery to a server that is down is retried and arrives once it is back", arguments: TestDatabase.allCases)
    func retriedDelivery(_ kind: TestDatabase) async throws {
        let server = try await FediverseTests.server(kind)
        let peer = try await FediversePeer.start(.actors)
        let run = UUID().uuidString.lowercased()
        try await LinkbackPeerTests.stopping([server]) {
            let frank = peer.base + "/frank"
            let follow: [String: Any] = ["id": "\(frank)/follows/\(run)", "type": "Follow", "actor": frank, "object": server.base + "/ap/blog"]
            #expect(try await peer.send(as: "frank", to: server.base + "/ap/inbox", follow) == 202)
            #expect(try await peer.waitForDelivery(to: "/frank/inbox") { $0.json["type"] as? String == "Accept" }?.status == 202)
            peer.crash()
            #expect(
                try await server.run(["post", "new", "--title", "While you were out \(run)", "--file", try LinkbackPeerTests.writeFile("News.")])
                    .status == 0)
            // The first attempts meet a closed port.
            #expect(
                try await server.waitUntil(timeout: 60) {
                    try await server.jsonLines(["jobs", "list", "--json"]).contains {
                        $0["kind"] as? String == "ap.deliver" && ($0["last_error"] as? String ?? $0["error"] as? String ?? "").contains("attempt")
                    }
                }, "no failed attempt was recorded")
            let back = try await FediversePeer.start(.actors, folder: peer.folder, port: peer.port)
            defer { back.crash() }
            let create = try await back.waitForDelivery(to: "/frank/inbox") {
                $0.json["type"] as? String == "Create" && ($0.json["object"] as? [String: Any])?["name"] as? String == "While you were out \(run)"
            }
            #expect(create?.status == 202, "\(server.logText.suffix(3000))")
        }
        await server.stop()
    }

    @Test(
        "fediverse-pasture-inputs' replies and HTML reach the page sanitized, in every inReplyTo shape that names the post",
        arguments: TestDatabase.allCases)
    func pastureInputs(_ kind: TestDatabase) async throws {
        let server = try await FediverseTests.server(kind)
        let peer = try await FediversePeer.shared(.actors)
        let run = UUID().uuidString.lowercased()
        try await LinkbackPeerTests.stopping([server]) {
            // Many replies from one actor in a minute: the flood limits are for this test only.
            for (key, value) in [("comment_flood_seconds", "0"), ("comment_rate_ip_per_hour", "1000"), ("comment_rate_email_per_hour", "1000")] {
                #expect(try await server.run(["site", "set", key, value]).status == 0)
            }
            let (_, article, _) = try await FediverseTests.json(server, "/2024/05/01/notes-on-the-engine/")
            let articleID = article["id"] as? String ?? ""
            let emily = peer.base + "/emily"
            var sent = 0
            func send(_ example: [String: Any], _ n: Int) async throws {
                var note: [String: Any] = [
                    "id": "\(emily)/inputs/\(run)/\(n)", "type": "Note", "attributedTo": emily, "inReplyTo": articleID,
                    "to": ["https://www.w3.org/ns/activitystreams#Public"],
                ]
                for (key, value) in example { note[key] = value }
                let create: [String: Any] = ["id": "\(emily)/inputs/\(run)/\(n)/create", "type": "Create", "actor": emily, "object": note]
                #expect(try await peer.send(as: "emily", to: server.base + "/ap/inbox", create) == 202)
                sent += 1
            }
            var n = 0
            for name in ["html_tags", "html_tags_bad", "html_anchor"] {
                let examples = try await peer.getJSON("/_inputs/\(name)")["examples"] as? [[String: Any]] ?? []
                #expect(!examples.isEmpty, "\(name)")
                for example in examples {
                    n += 1
                    try await send(example, n)
                }
            }
            // The inReplyTo shapes: a URI, a list, a Link, two elements, an embedded note name the post (with the
            // pasture's note swapped for it); an unknown URI and a collection do not.
            let shapes = try await peer.getJSON("/_inputs/in_reply_to")["examples"] as? [[String: Any]] ?? []
            #expect(shapes.count == 7)
            let note1 = peer.base + "/assets/note1.jsonap"
            for shape in shapes {
                n += 1
                let text = String(decoding: try JSONSerialization.data(withJSONObject: shape), as: UTF8.self)
                    .replacingOccurrences(
                        of: note1.replacingOccurrences(of: "/", with: "\\/"), with: articleID.replacingOccurrences(of: "/", with: "\\/")
                    )
                    .replacingOccurrences(of: note1, with: articleID)
                var example = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
                example["content"] = "shape: \(example["content"] as? String ?? "")"
                try await send(example, n)
            }
            func comments() async throws -> [[String: Any]] {
                try await server.jsonLines([
                    "comment", "list", "--status", "pending", "--status", "approved", "--status", "spam", "--limit", "500", "--json",
                ])
            }
            // Refused as any comment would be: the two shapes that do not name the post; `<script>…</script>` and the
            // lone `<img>`, empty once sanitized; and html_anchor's first example, word for word html_tags' last link
            // (a duplicate).
            let expected = sent - 5
            var all: [[String: Any]] = []
            #expect(
                try await server.waitUntil(timeout: 120) {
                    all = try await comments()
                    return all.count >= expected
                }, "\(all.count) of \(expected)")
            try await Task.sleep(for: .seconds(2))
            all = try await comments()
            #expect(all.count == expected)
            let shapesKept = Set(
                all.compactMap { ($0["text"] as? String).flatMap { $0.contains("shape: ") ? $0 : nil } }.map { text in
                    ["valid uri", "invalid uri", "list", "Link in inReplyTo", "two elements in inReplyTo", "collection", "embedded note"].first {
                        text.contains($0)
                    } ?? text
                })
            #expect(shapesKept == ["valid uri", "list", "Link in inReplyTo", "two elements in inReplyTo", "embedded note"])
            for comment in all where comment["status"] as? String != "approved" {
                #expect(try await server.run(["comment", "approve", String(comment["id"] as? Int ?? 0)]).status == 0)
            }
            let page = try await server.get("/2024/05/01/notes-on-the-engine/").text
            // The thread alone: the comment form below it has inputs and buttons of its own.
            let start = page.range(of: "<ol class=\"comment-list\">")?.lowerBound ?? page.endIndex
            let end = page.range(of: "id=\"respond\"")?.lowerBound ?? page.endIndex
            let discussion = start < end ? String(page[start..<end]) : ""
            #expect(discussion.contains("shape: valid uri"))
            for hostile in [
                "<script", "<form", "<input", "<button", "<select", "<meta", "<head", "<body", "<title", "javascript:", "onerror", "onclick",
            ] {
                #expect(!discussion.lowercased().contains(hostile), "\(hostile) reached the page")
            }
        }
        await server.stop()
    }
}
