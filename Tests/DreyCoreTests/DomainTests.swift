import Foundation
import Testing

@testable import DreyCore

@Suite struct PermalinkTests {
    let post = Post(
        id: 42, siteID: 1, slug: "on-pamphlets", title: "On pamphlets", source: "", authorID: 1,
        publishedAt: Date(timeIntervalSince1970: 1_201_392_240))  // 2008-01-27 00:04 UTC

    @Test func buildsWordPressStructures() {
        let utc = TimeZone(identifier: "UTC")!
        #expect(PermalinkStructure.dayAndName.path(for: post, timeZone: utc) == "/2008/01/27/on-pamphlets/")
        #expect(PermalinkStructure.monthAndName.path(for: post, timeZone: utc) == "/2008/01/on-pamphlets/")
        #expect(PermalinkStructure.numeric.path(for: post, timeZone: utc) == "/archives/42")
        #expect(PermalinkStructure.postName.path(for: post, timeZone: utc) == "/on-pamphlets/")
        // Dates are the site's local dates, as WordPress writes them.
        #expect(PermalinkStructure.dayAndName.path(for: post, timeZone: TimeZone(identifier: "America/New_York")!) == "/2008/01/26/on-pamphlets/")
        let custom = PermalinkStructure("/%category%/%author%/%postname%.html")!
        #expect(
            custom.path(for: post, timeZone: utc, categoryPath: "ussr/lenin", authorLogin: "korakious") == "/ussr/lenin/korakious/on-pamphlets.html")
    }

    @Test func matchesPaths() {
        let m = PermalinkStructure.dayAndName.match("/2008/01/27/on-pamphlets/")
        #expect(m?.year == 2008 && m?.month == 1 && m?.day == 27 && m?.postname == "on-pamphlets")
        #expect(PermalinkStructure.dayAndName.match("/2008/01/27/on-pamphlets")?.postname == "on-pamphlets")
        #expect(PermalinkStructure.dayAndName.match("/2008/01/27/") == nil)
        #expect(PermalinkStructure.numeric.match("/archives/42")?.postID == 42)
        #expect(PermalinkStructure.numeric.match("/archives/x") == nil)
        let custom = PermalinkStructure("/%category%/%postname%.html")!
        let c = custom.match("/ussr/lenin/on-pamphlets.html")
        #expect(c?.category == "ussr/lenin" && c?.postname == "on-pamphlets")
    }

    @Test func rejectsInvalidStructures() {
        #expect(PermalinkStructure("/%year%/") == nil)  // names no post
        #expect(PermalinkStructure("/%bogus%/%postname%/") == nil)
        #expect(PermalinkStructure("archives/%post_id%") == nil)
        #expect(PermalinkStructure("/%year%%postname%/") == nil)
    }
}

@Suite struct TextRuleTests {
    @Test func slugs() {
        #expect(Slug.make(from: "On Pamphlets, Printing Presses & Long Winters!") == "on-pamphlets-printing-presses-long-winters")
        #expect(Slug.make(from: "Don't panic") == "dont-panic")
        #expect(Slug.make(from: "Ελληνικά και Café") == "ellenika-kai-cafe")
        #expect(Slug.make(from: "   ") == "")
        #expect(Slug.isValid("on-pamphlets") && !Slug.isValid("On-Pamphlets") && !Slug.isValid("-x"))
    }

    @Test func phpDateFormats() {
        let date = Date(timeIntervalSince1970: 1_201_392_240)
        let utc = TimeZone(identifier: "UTC")!
        #expect(PHPDateFormat("F j, Y", timeZone: utc).string(from: date) == "January 27, 2008")
        #expect(PHPDateFormat("g:i a", timeZone: utc).string(from: date) == "12:04 am")
        #expect(PHPDateFormat("D, d M Y H:i:s O", timeZone: utc).string(from: date) == "Sun, 27 Jan 2008 00:04:00 +0000")
        #expect(PHPDateFormat("jS \\o\\f F", timeZone: utc).string(from: date) == "27th of January")
        #expect(PHPDateFormat("Y-m-d H:i", timeZone: TimeZone(identifier: "Asia/Kolkata")!).string(from: date) == "2008-01-27 05:34")
    }

    @Test("memory freed in bulk is trimmed once the freeing has been quiet long enough, and once only")
    func quietTrim() {
        let trigger = QuietTrigger()
        #expect(!trigger.due(at: 10_000, quiet: 500), "nothing freed yet")
        trigger.freed(at: 1_000)
        trigger.freed(at: 2_000)
        #expect(!trigger.due(at: 2_400, quiet: 500), "freed 400 ago: the burst may go on")
        #expect(trigger.due(at: 2_500, quiet: 500))
        #expect(!trigger.due(at: 9_000, quiet: 500), "nothing freed since the trim")
        trigger.freed(at: 9_100)
        #expect(trigger.due(at: 9_600, quiet: 500))
    }

    @Test("a remembered date is written again only for the same format, zone, language and second")
    func phpDateFormatsRemembered() {
        let date = Date(timeIntervalSince1970: 1_201_392_240.4)
        let utc = TimeZone(identifier: "UTC")!
        let athens = TimeZone(identifier: "Europe/Athens")!
        for _ in 0..<2 {
            #expect(PHPDateFormat("F j, Y g:i:s a", timeZone: utc).string(from: date) == "January 27, 2008 12:04:00 am")
            #expect(PHPDateFormat("F j, Y g:i:s a", timeZone: athens).string(from: date) == "January 27, 2008 2:04:00 am")
            #expect(PHPDateFormat("F j, Y", timeZone: utc, language: .german).string(from: date) == "Januar 27, 2008")
            #expect(PHPDateFormat("F j, Y g:i:s a", timeZone: utc).string(from: date + 1) == "January 27, 2008 12:04:01 am")
            #expect(PHPDateFormat("j F", timeZone: utc).string(from: date) == "27 January")
            #expect(PHPDateFormat("F j, Y", timeZone: utc).string(from: Date(timeIntervalSince1970: -0.5)) == "December 31, 1969")
            // Before 1970, two times in one second by the calendar are two seconds to `U`.
            #expect(PHPDateFormat("U", timeZone: utc).string(from: Date(timeIntervalSince1970: -1.0)) == "-1")
            #expect(PHPDateFormat("U", timeZone: utc).string(from: Date(timeIntervalSince1970: -0.5)) == "0")
        }
    }

    @Test func plainText() {
        #expect(PlainText.fromHTML("<p>Fish &amp; chips</p><script>x()</script><p>end</p>") == "Fish & chips end")
        #expect(PlainText.truncate("one two three four", words: 2) == "one two…")
        #expect(PlainText.fromHTML("<p>one <em>two</em></p><p>three four</p>", maxWords: 3) == "one two three…")
        #expect(PlainText.fromHTML("<p>one two</p>", maxWords: 2) == "one two")
        #expect(PlainText.fromHTML("<P>A</P><SCRIPT>hidden()</SCRIPT>b &lt;c&gt;") == "A b <c>")
    }
}

@Suite struct RoleTests {
    @Test func wordPressCapabilities() {
        #expect(!Role.contributor.can(.publishPosts) && Role.contributor.can(.editPosts))
        #expect(Role.author.can(.publishPosts) && !Role.author.can(.editOthersPosts))
        #expect(Role.editor.can(.editOthersPosts) && Role.editor.can(.moderateComments) && !Role.editor.can(.manageOptions))
        #expect(Role.administrator.can(.manageOptions) && Role.administrator.can(.promoteUsers))
        #expect(Role.subscriber.capabilities == [.read])
        let theirs = Post(id: 1, siteID: 1, status: .publish, slug: "x", title: "x", source: "", authorID: 2, publishedAt: Date())
        #expect(!Authorization.canEdit(theirs, as: 3, role: .author))
        #expect(Authorization.canEdit(theirs, as: 2, role: .author))
        #expect(!Authorization.canEdit(theirs, as: 2, role: .contributor))  // published: no longer theirs to edit
        #expect(Authorization.canEdit(theirs, as: 3, role: .editor))
        #expect(!Authorization.canPublish(type: .post, role: .contributor))
    }
}

@Suite struct CommentPolicyTests {
    func policy(_ values: [SettingKey: String]) -> CommentPolicy {
        CommentPolicy(settings: SiteSettings(values: Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) })))
    }
    let known = CommentPolicy.Candidate(
        authorName: "Phil", email: "p@x.org", url: "", ip: "192.0.2.1", userAgent: "UA", text: "Hello", hasPreviouslyApproved: true)

    @Test func rules() {
        #expect(policy([:]).decide(known).status == .approved)
        var stranger = known
        stranger.hasPreviouslyApproved = false
        #expect(policy([:]).decide(stranger).status == .pending)
        #expect(policy([.commentPreviouslyApproved: "0"]).decide(stranger).status == .approved)
        #expect(policy([.commentModeration: "1"]).decide(known).status == .pending)
        var links = known
        links.text = "http://a.example https://b.example"
        #expect(policy([:]).decide(links).reasons == ["held: 2 links"])
        #expect(policy([.commentMaxLinks: "0"]).decide(links).status == .approved)
        #expect(policy([.moderationKeys: "hello"]).decide(known).status == .pending)
        #expect(policy([.disallowedKeys: "192.0.2."]).decide(known).status == .trash)
        var staff = stranger
        staff.byModerator = true
        #expect(policy([.commentModeration: "1"]).decide(staff).status == .approved)
    }
}

@Suite struct SettingTests {
    @Test func validation() throws {
        #expect(try SettingKey.timezone.validate("Europe/Athens") == "Europe/Athens")
        #expect(throws: SettingError.self) { try SettingKey.timezone.validate("Nowhere/Land") }
        #expect(try SettingKey.postsPerPage.validate(" 12 ") == "12")
        #expect(throws: SettingError.self) { try SettingKey.postsPerPage.validate("0") }
        #expect(try SettingKey.pageCache.validate("off") == "0")
        #expect(try SettingKey.permalinkStructure.validate("/%postname%/") == "/%postname%/")
        #expect(throws: SettingError.self) { try SettingKey.fontFamily.validate("comic") }
        #expect(try SettingKey.lineHeight.validate("1.5") == "1.5")
        let t = Typography(fontFamily: .mono, fontSize: 20, lineHeight: 1.5, contentWidth: 70)
        #expect(Typography(storageString: t.storageString) == t)
        #expect(Typography(storageString: "size=999;font=nope").isEmpty)
    }
}

@Suite struct PercentEncodingTests {
    @Test("query values are encoded as Foundation's alphanumerics encoding encodes them, every ASCII byte and Unicode alike")
    func matchesFoundation() {
        let ascii = String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self)
        let samples = [
            ascii, "", "/2008/01/27/a-post/#respond", "/?s=two words&x=1", "ἀρχή/é", "🌷 tulip", "a%2Fb", "/tag/c++/",
        ]
        for text in samples {
            #expect(text.percentEncodedAlphanumerics == text.addingPercentEncoding(withAllowedCharacters: .alphanumerics), "\(text)")
        }
        #expect("/a b".percentEncodedAlphanumerics == "%2Fa%20b")
    }
}
