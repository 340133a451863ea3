import Foundation
import Testing

@testable import DreyCore

@Suite struct DemoContentTests {
    let blog = DemoContent.make()
    var reference: DemoPost { blog.posts[0] }

    static func wordCount(_ text: String) -> Int {
        text.split(whereSeparator: \.isWhitespace).filter { $0.contains(where: \.isLetter) }.count
    }

    @Test func isDeterministic() {
        #expect(DemoContent.make() == DemoContent.make())
        #expect(DemoContent.make(seed: 7) == DemoContent.make(seed: 7))
        #expect(DemoContent.make(seed: 7) != blog)
    }

    /// The shape must not depend on the seed's luck.
    @Test(arguments: [0, 1, 7, 42, 2008, 99_999, UInt64.max])
    func everySeedKeepsTheShape(seed: UInt64) {
        let blog = DemoContent.make(seed: seed)
        let reference = blog.posts[0]
        #expect(blog.posts.count == 31)
        #expect((1_700...1_900).contains(Self.wordCount(reference.markdown)))
        #expect(reference.comments.count == 22)
        #expect(Set(reference.comments.filter { $0.kind == .comment }.map(\.authorName)).count == 12)
        #expect(Set(blog.posts.map(\.slug)).count == 31)
        for post in blog.posts {
            for (i, c) in post.comments.enumerated() { #expect(c.parent.map { $0 < i } ?? true) }
        }
    }

    @Test func splitMix64MatchesReferenceOutputs() {
        // First outputs for seed 0 of the published reference implementation (Vigna, splitmix64.c).
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func hasTheBlogAndItsThreeAuthors() {
        #expect(!blog.title.isEmpty && !blog.tagline.isEmpty)
        #expect(blog.authors.map(\.role) == ["administrator", "author", "editor"])
        #expect(Set(blog.authors.map(\.login)).count == 3)
        #expect(blog.posts.count == 31)
    }

    @Test func referencePostHasTheReferenceShape() throws {
        #expect(reference.published == Date(timeIntervalSince1970: 1_201_392_240))
        #expect(reference.authorLogin == blog.authors[0].login)
        #expect(reference.categories.count == 3)
        #expect(reference.tags.count == 1)
        #expect(!reference.sticky)
        let blocks = reference.markdown.components(separatedBy: "\n\n")
        #expect(blocks.count == 14, "12 paragraphs, a quotation and the PS")
        #expect(blocks.filter { $0.hasPrefix("> ") }.count == 1)
        #expect(blocks.last == "PS: How do you like the font size?")
        #expect(reference.markdown.contains("*"))
        let words = Self.wordCount(reference.markdown)
        #expect((1_700...1_900).contains(words), "\(words) words")
    }

    @Test func referenceThreadHasTwentyCommentsByTwelvePeoplePlusPingbackAndSpam() {
        let all = reference.comments
        #expect(all.count == 22)
        let comments = all.filter { $0.kind == .comment }
        #expect(comments.count == 20)
        #expect(Set(comments.map(\.authorName)).count == 12)
        #expect(all.filter { $0.kind == .pingback }.count == 1)
        #expect(all.last?.kind == .spam)
        #expect(all.filter { $0.kind == .spam }.count == 1)

        let pingback = all.first { $0.kind == .pingback }
        #expect(pingback?.authorName.contains(" » ") == true)
        #expect(pingback?.url?.hasPrefix("http://") == true && pingback?.url?.contains("example.org") == true)
        #expect(pingback?.text.hasPrefix("[…] ") == true && pingback?.text.hasSuffix(" […]") == true)
        #expect(all.last?.text.contains("\n") == false)

        let author = blog.authors[0]
        let coAuthor = blog.authors[1]
        let byAuthor = all.filter(\.byPostAuthor)
        #expect(byAuthor.count >= 3)
        #expect(byAuthor.allSatisfy { $0.authorName == author.displayName && $0.parent != nil })
        #expect(all.filter { $0.authorName == author.displayName }.allSatisfy { $0.byPostAuthor })
        #expect(all.contains { $0.authorName == coAuthor.displayName && $0.text.contains("cross-post") })
        #expect(comments.contains { $0.url != nil } && comments.contains { $0.url == nil })
        #expect(all.filter { $0.parent != nil }.count >= 8)
    }

    @Test func quotingCommentQuotesAnEarlierOne() throws {
        let all = reference.comments
        let i = try #require(all.firstIndex { $0.text.hasPrefix("<blockquote>") })
        let inner = try #require(
            all[i].text.dropFirst("<blockquote>".count).components(separatedBy: "</blockquote>").first)
        let source = String(inner.dropLast())  // the quote ends with the sentence's own full stop
        #expect(source.count > 10)
        #expect(all[..<i].contains { $0.text.contains(source) })
    }

    @Test func parentsPointToEarlierCommentsAndTimesIncrease() {
        for post in blog.posts {
            for (i, c) in post.comments.enumerated() {
                if let p = c.parent { #expect((0..<i).contains(p), "\(post.slug) #\(i) -> \(p)") }
                if i > 0 { #expect(c.minutesAfterPost > post.comments[i - 1].minutesAfterPost) }
                #expect(c.minutesAfterPost > 0)
                let allowed = c.text.replacingOccurrences(
                    of: #"</?(blockquote|em)>|<a href="[^"]+">|</a>"#, with: "", options: .regularExpression)
                #expect(!allowed.contains("<"), "\(c.text)")
            }
        }
    }

    @Test func shorterPostsSpanTwoYearsWithOneSticky() {
        let others = blog.posts.dropFirst()
        #expect(others.count == 30)
        #expect(blog.posts.filter { $0.sticky }.count == 1)
        let start = Date(timeIntervalSince1970: 1_167_609_600)
        let end = Date(timeIntervalSince1970: 1_230_768_000)
        var categories = Set<String>()
        for post in others {
            let paragraphs = post.markdown.components(separatedBy: "\n\n").count
            #expect((2...6).contains(paragraphs))
            #expect((0...4).contains(post.comments.count))
            #expect(post.comments.allSatisfy { $0.kind == .comment })
            #expect(post.published >= start && post.published < end)
            #expect(!post.categories.isEmpty)
            #expect(blog.authors.contains { $0.login == post.authorLogin })
            categories.formUnion(post.categories)
        }
        #expect((5...6).contains(categories.count))
        #expect(others.contains { !$0.tags.isEmpty })
        #expect(zip(others, others.dropFirst()).allSatisfy { $0.published <= $1.published })
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(secondsFromGMT: 0)!
        #expect(Set(others.map { utc.component(.year, from: $0.published) }) == [2007, 2008])
    }

    @Test func slugsAreUniqueLowercaseAndHyphenated() {
        let slugs = blog.posts.map(\.slug)
        #expect(Set(slugs).count == slugs.count)
        for slug in slugs {
            #expect(slug.range(of: #"^[a-z0-9]+(-[a-z0-9]+)*$"#, options: .regularExpression) != nil, "\(slug)")
        }
    }
}
