import Foundation

/// A demo blog in the shape of the reference page, for seeding, screenshots and benchmarks.
public struct DemoBlog: Sendable, Equatable {
    public var title: String
    public var tagline: String
    public var authors: [DemoAuthor]
    /// `posts[0]` is the long reference post; the rest follow oldest first.
    public var posts: [DemoPost]

    public init(title: String, tagline: String, authors: [DemoAuthor], posts: [DemoPost]) {
        (self.title, self.tagline, self.authors, self.posts) = (title, tagline, authors, posts)
    }
}

public struct DemoAuthor: Sendable, Equatable {
    public var login: String
    public var displayName: String
    public var email: String
    /// A `Role` raw value: `administrator`, `author` or `editor`.
    public var role: String

    public init(login: String, displayName: String, email: String, role: String) {
        (self.login, self.displayName, self.email, self.role) = (login, displayName, email, role)
    }
}

public struct DemoPost: Sendable, Equatable {
    public var title: String
    public var slug: String
    public var markdown: String
    public var authorLogin: String
    /// UTC.
    public var published: Date
    /// Category names.
    public var categories: [String]
    public var tags: [String]
    public var sticky: Bool
    /// Oldest first.
    public var comments: [DemoComment]

    public init(
        title: String, slug: String, markdown: String, authorLogin: String, published: Date,
        categories: [String], tags: [String], sticky: Bool, comments: [DemoComment]
    ) {
        (self.title, self.slug, self.markdown, self.authorLogin) = (title, slug, markdown, authorLogin)
        (self.published, self.categories, self.tags) = (published, categories, tags)
        (self.sticky, self.comments) = (sticky, comments)
    }
}

public struct DemoComment: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable { case comment, pingback, spam }

    public var authorName: String
    public var email: String
    public var url: String?
    /// Comment source: plain text with at most `<blockquote>`, `<em>` and `<a href>`.
    public var text: String
    /// Index of the comment this one answers, always an earlier one of the same post.
    public var parent: Int?
    public var byPostAuthor: Bool
    public var kind: Kind
    public var minutesAfterPost: Int

    public init(
        authorName: String, email: String, url: String?, text: String, parent: Int?, byPostAuthor: Bool,
        kind: Kind, minutesAfterPost: Int
    ) {
        (self.authorName, self.email, self.url, self.text) = (authorName, email, url, text)
        (self.parent, self.byPostAuthor, self.kind) = (parent, byPostAuthor, kind)
        self.minutesAfterPost = minutesAfterPost
    }
}

/// Generates the demo blog from a fixed-seed PRNG, so every run, machine and Swift
/// version yields the same blog (the standard library's random algorithms are not
/// promised to stay the same, so none of them is used).
public enum DemoContent {
    public static func make(seed: UInt64 = 2008) -> DemoBlog {
        var w = DemoWriter(rng: SplitMix64(seed: seed))
        var posts = [w.referencePost()]
        var slugs: Set<String> = [posts[0].slug]
        var others = (0..<30).map { w.shortPost(index: $0) }.sorted { $0.published < $1.published }
        for i in others.indices {
            var slug = others[i].slug
            var n = 2
            while slugs.contains(slug) {
                slug = "\(others[i].slug)-\(n)"
                n += 1
            }
            others[i].slug = slug
            slugs.insert(slug)
        }
        posts += others
        return DemoBlog(
            title: "Notes From The Quiet Orchard", tagline: "Small gardens, slow reading and the odd kettle",
            authors: DemoWriter.authors, posts: posts)
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): tiny, fast, and fully specified.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    // Modulo bias is below 2^-50 for these ranges, and irrelevant for demo text.
    mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
    mutating func pick<T>(_ a: [T]) -> T { a[int(0...a.count - 1)] }
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
}

private func words(_ s: String) -> [String] { s.split(separator: " ").map(String.init) }

private struct DemoWriter {
    var rng: SplitMix64

    static let nouns = words(
        "garden lantern river notebook kettle orchard window pebble meadow ladder compass teacup harbour sparrow willow pencil candle bridge hedge cellar attic blanket ribbon button basket bicycle puddle thistle clover acorn chimney valley island staircase letter postcard map cloud spoon biscuit shelf margin chapter typeface page envelope cottage fence gate path lamp clock wagon barrel quilt feather seedling trowel greenhouse almanac"
    )
    static let adjectives = words(
        "quiet small patient tidy crooked golden bright narrow gentle faded sturdy curious humble slow early late warm cool silver green amber hollow careful simple rustic spare modest steady plain soft round"
    )
    static let verbs = words(
        "gathers follows keeps outlines lifts settles borrows carries folds paints mends sorts measures polishes arranges trims visits counts sketches waters notices remembers collects warms shelters frames"
    )
    static let adverbs = words("slowly rarely gently often quietly carefully eventually mostly")
    static let preps = words("beside under near behind across along above past beyond around within toward")
    /// Sentence openers by length in words, so a sentence can be built to an exact length.
    static let openers = [
        ["Later,", "Still,", "Meanwhile,"], ["Of course,", "Even so,", "After lunch,"],
        ["In the morning,", "By late afternoon,", "Every so often,", "On most days,", "Now and then,"],
    ]
    static let categories = ["Gardens", "Notebooks", "Slow Reading", "Kitchen", "Walks", "Tinkering"]
    static let tags = words("winter spring tea maps seeds bread bicycles letters typefaces rain")
    static let authors = [
        DemoAuthor(
            login: "bramblewick", displayName: "bramblewick", email: "bramblewick@example.org", role: "administrator"),
        DemoAuthor(login: "tessaly", displayName: "Tessaly Moor", email: "tessaly@example.org", role: "author"),
        DemoAuthor(login: "inkwarden", displayName: "Ink Warden", email: "inkwarden@example.org", role: "editor"),
    ]
    /// Invented commenters; the second field is a website, when they have one.
    static let guests: [(String, String?)] = [
        ("Quill Marrowby", "http://quillmarrowby.example.net/"), ("Tansy", nil),
        ("Odo Brackenfield", "http://brackenfield.example.com/blog/"), ("fennalark", nil),
        ("Corvin A.", "http://corvin.example.net/"), ("Maple T.", nil),
        ("Ilse Thornbury", "http://thornbury.example.org/"), ("rookfeather", "http://rookfeather.example.com/"),
        ("Sable", nil), ("Juniper Castell", nil),
    ]

    /// A sentence of exactly `length` words (8...20): eight core words, then optional
    /// adjectives, adverb, opener (1–3 words) and a six-word clause make up the rest.
    mutating func sentence(length: Int) -> [String] {
        var extra = length - 8
        let clause = extra > 6 || (extra == 6 && rng.chance(50))
        if clause { extra -= 6 }
        let opener = rng.int(max(0, extra - 3)...min(3, extra))
        var slots = [false, false, false]  // first adjective, adverb, second adjective
        for _ in 0..<(extra - opener) {
            let free = slots.indices.filter { !slots[$0] }
            slots[rng.pick(free)] = true
        }
        var s = opener > 0 ? words(rng.pick(Self.openers[opener - 1])) : []
        s.append(rng.pick(["the", "a", "every", "my", "our", "this"]))
        if slots[0] { s.append(rng.pick(Self.adjectives)) }
        s.append(rng.pick(Self.nouns))
        if slots[1] { s.append(rng.pick(Self.adverbs)) }
        s += [rng.pick(Self.verbs), rng.pick(["the", "a", "my", "our", "each", "that"])]
        if slots[2] { s.append(rng.pick(Self.adjectives)) }
        s += [rng.pick(Self.nouns), rng.pick(Self.preps), "the", rng.pick(Self.nouns)]
        if clause {
            s[s.count - 1] += ","
            s += ["and", "the", rng.pick(Self.nouns), rng.pick(Self.verbs), "it", rng.pick(Self.adverbs)]
        }
        for i in s.indices.dropLast() where s[i] == "a" && "aeiou".contains(s[i + 1].first!) { s[i] = "an" }
        s[0] = s[0].prefix(1).uppercased() + s[0].dropFirst()
        s[s.count - 1] += rng.chance(10) ? "?" : "."
        return s
    }

    /// Exactly `count` (at least 8) words of whole sentences, so the reference post's
    /// length holds for any seed.
    mutating func prose(words count: Int, emphasis: Bool = false) -> String {
        var out: [String] = []
        while count - out.count > 20 { out += sentence(length: rng.int(8...min(20, count - out.count - 8))) }
        out += sentence(length: count - out.count)
        if emphasis {
            let i = rng.int(1...count - 2)
            if out[i].allSatisfy(\.isLetter) { out[i] = "*\(out[i])*" }
        }
        return out.joined(separator: " ")
    }

    mutating func sentences(_ n: ClosedRange<Int>) -> String {
        (0..<rng.int(n)).map { _ in sentence(length: rng.int(8...20)).joined(separator: " ") }.joined(separator: " ")
    }

    mutating func referencePost() -> DemoPost {
        var blocks = (0..<12).map { i in prose(words: rng.int(140...150), emphasis: i % 3 == 1) }
        let quote = "> " + prose(words: 40) + "\n>\n> — from *The Almanac of Small Gardens*"
        blocks.insert(quote, at: 4)
        blocks.append("PS: How do you like the font size?")
        var post = DemoPost(
            title: "A Winter Notebook for Small Gardens", slug: "a-winter-notebook-for-small-gardens",
            markdown: blocks.joined(separator: "\n\n"), authorLogin: "bramblewick",
            published: Date(timeIntervalSince1970: 1_201_392_240),  // 2008-01-27 00:04 UTC
            categories: ["Gardens", "Notebooks", "Slow Reading"], tags: ["winter"], sticky: false, comments: [])
        post.comments = referenceThread()
        return post
    }

    private enum Turn {
        case plain, emphasis
        case quote(Int)
        case video, crossPost, fontSize, fontThanks, follows
    }

    /// The reference page's thread: 20 comments by 12 people (10 guests, the author and
    /// the co-author), then a pingback and, last, the spam that should have been caught.
    mutating func referenceThread() -> [DemoComment] {
        let author = -1
        let coAuthor = -2
        let script: [(who: Int, parent: Int?, turn: Turn)] = [
            (0, nil, .plain), (1, nil, .emphasis), (author, 0, .plain), (2, nil, .plain), (0, 2, .plain),
            (3, 3, .quote(3)), (4, nil, .emphasis), (author, 5, .plain), (coAuthor, nil, .crossPost),
            (5, 8, .plain), (6, nil, .video), (1, 10, .plain), (7, nil, .fontSize), (author, 12, .fontThanks),
            (8, nil, .plain), (2, 14, .emphasis), (9, nil, .follows), (author, 16, .plain), (3, nil, .plain),
            (4, 18, .plain),
        ]
        var comments: [DemoComment] = []
        var minutes = 0
        for (who, parent, turn) in script {
            minutes += rng.int(4...240)
            let person: (name: String, email: String, url: String?) =
                switch who {
                case author, coAuthor:
                    (Self.authors[-1 - who].displayName, Self.authors[-1 - who].email, nil)
                default:
                    (Self.guests[who].0, Self.email(Self.guests[who].0), Self.guests[who].1)
                }
            var text: String
            switch turn {
            case .plain: text = sentences(1...3)
            case .emphasis:
                text =
                    rng.pick([
                        "I <em>really</em> liked this one.", "My garden looks <em>exactly</em> like this in January.",
                        "This made my <em>whole</em> morning.",
                    ]) + " " + sentences(1...2)
            case .quote(let k):
                let first = comments[k].text.prefix { $0 != "." && $0 != "?" }
                text = "<blockquote>\(first).</blockquote>\n" + sentences(1...2)
            case .video:
                text =
                    "There was a short film about this, <a href=\"http://video.example.net/watch?v=winter-garden\">"
                    + "a walk through a winter garden</a>. " + sentences(1...1)
            case .crossPost:
                text =
                    "I will start cross-posting my own notes here, with a link back to the originals, "
                    + "so readers can follow both from one feed. Tell me if the duplicates get in the way."
            case .fontSize: text = "About the PS: the bigger font size is much easier to read. " + sentences(1...1)
            case .fontThanks:
                text = "Thanks! I changed it by hand in the post's HTML; I hope the next version has a setting for it."
            case .follows:
                text =
                    "I follow this blog closely in my feed reader. Keep the full posts in the feed, "
                    + "or it may drop off my list."
            }
            if let parent, who >= 0, rng.chance(50), case .plain = turn {
                text =
                    "Hi \(comments[parent].authorName.split(separator: " ")[0]), " + text.prefix(1).lowercased()
                    + text.dropFirst()
            }
            comments.append(
                DemoComment(
                    authorName: person.name, email: person.email, url: person.url, text: text, parent: parent,
                    byPostAuthor: who == author, kind: .comment, minutesAfterPost: minutes))
        }
        minutes += 1_500
        comments.append(
            DemoComment(
                authorName: "The Lantern Desk » Reading Slowly in Winter", email: "",
                url: "http://lanterndesk.example.org/2008/01/29/reading-slowly-in-winter/",
                text: "[…] " + prose(words: 24) + " […]", parent: nil, byPostAuthor: false, kind: .pingback,
                minutesAfterPost: minutes))
        comments.append(
            DemoComment(
                authorName: "vidz4u_x9k2q", email: "x9k2q@spam.example.com", url: "http://spam.example.com/free",
                text: "Any tube videos from this", parent: nil, byPostAuthor: false, kind: .spam,
                minutesAfterPost: minutes + 2_880))
        return comments
    }

    mutating func shortPost(index: Int) -> DemoPost {
        let n = rng.pick(Self.nouns).capitalized
        let m = rng.pick(Self.nouns).capitalized
        let a = rng.pick(Self.adjectives).capitalized
        let title =
            index == 0
            ? "About This Blog"
            : rng.pick([
                "The \(a) \(n)", "On the \(n) and the \(m)", "Notes on the \(a) \(n)", "The \(n) by the \(m)",
                "\(n) Week",
            ])
        let author = Self.authors[rng.int(0...9) < 6 ? 0 : rng.int(0...9) < 8 ? 1 : 2]
        let first = Self.categories[rng.int(0...5)]
        let second = Self.categories[rng.int(0...5)]
        var tags = Set<String>()
        for _ in 0..<rng.int(0...3) { tags.insert(rng.pick(Self.tags)) }
        let paragraphs = (0..<rng.int(2...6)).map { _ in prose(words: rng.int(40...110), emphasis: rng.chance(30)) }
        // Whole minutes from 2007-01-01 to 2008-12-31, the span of the reference blog.
        let minute = rng.int(0...(731 * 24 * 60 - 1))
        var comments: [DemoComment] = []
        for _ in 0..<rng.int(0...4) {
            let isAuthor = !comments.isEmpty && rng.chance(30)
            let guest = rng.pick(Self.guests)
            let parent = !comments.isEmpty && rng.chance(40) ? rng.int(0...comments.count - 1) : nil
            comments.append(
                DemoComment(
                    authorName: isAuthor ? author.displayName : guest.0,
                    email: isAuthor ? author.email : Self.email(guest.0), url: isAuthor ? nil : guest.1,
                    text: sentences(1...3), parent: parent, byPostAuthor: isAuthor, kind: .comment,
                    minutesAfterPost: (comments.last?.minutesAfterPost ?? 0) + rng.int(10...2_000)))
        }
        return DemoPost(
            title: title, slug: Self.slug(title), markdown: paragraphs.joined(separator: "\n\n"),
            authorLogin: author.login, published: Date(timeIntervalSince1970: 1_167_609_600 + Double(minute * 60)),
            categories: first == second ? [first] : [first, second], tags: tags.sorted(), sticky: index == 0,
            comments: comments)
    }

    static func slug(_ title: String) -> String {
        title.lowercased().split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }.joined(separator: "-")
    }

    static func email(_ name: String) -> String { slug(name).replacingOccurrences(of: "-", with: ".") + "@example.com" }
}
