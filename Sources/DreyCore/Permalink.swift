import Foundation

/// A WordPress permalink structure such as `/%year%/%monthnum%/%day%/%postname%/`.
public struct PermalinkStructure: Sendable, Equatable, Hashable {
    public enum Tag: String, Sendable, CaseIterable {
        case year, monthnum, day, hour, minute, second, postname
        case postID = "post_id"
        case category, author
    }

    enum Token: Sendable, Equatable, Hashable {
        case literal(String)
        case tag(Tag)
    }

    public let pattern: String
    let tokens: [Token]

    public static let dayAndName = PermalinkStructure("/%year%/%monthnum%/%day%/%postname%/")!
    public static let monthAndName = PermalinkStructure("/%year%/%monthnum%/%postname%/")!
    public static let numeric = PermalinkStructure("/archives/%post_id%")!
    public static let postName = PermalinkStructure("/%postname%/")!

    /// Parses a structure; nil when it uses an unknown tag or cannot identify a post.
    /// `init?(_:)`, remembered: every link on a page asks the site's structure, and parsing it showed in profiles.
    public static func parsed(_ pattern: String) -> PermalinkStructure? {
        if let known = parsedCache.withLock({ $0[pattern] }) { return known }
        let structure = PermalinkStructure(pattern)
        parsedCache.withLock { cache in
            if cache.count >= 1024 { cache.removeAll() }
            cache[pattern] = structure
        }
        return structure
    }

    private static let parsedCache = Locked<[String: PermalinkStructure?]>([:])

    public init?(_ pattern: String) {
        let pattern = pattern.trimmingCharacters(in: .whitespaces)
        guard pattern.hasPrefix("/"), pattern.count <= 200 else { return nil }
        var tokens: [Token] = []
        var rest = Substring(pattern)
        while !rest.isEmpty {
            if rest.first == "%" {
                let afterPercent = rest.dropFirst()
                guard let end = afterPercent.firstIndex(of: "%"),
                    let tag = Tag(rawValue: String(afterPercent[..<end]))
                else { return nil }
                if case .tag = tokens.last { return nil }  // two tags without a separator cannot be split again
                tokens.append(.tag(tag))
                rest = afterPercent[afterPercent.index(after: end)...]
            } else {
                let end = rest.firstIndex(of: "%") ?? rest.endIndex
                let text = String(rest[..<end])
                guard text.allSatisfy({ $0.isLetter || $0.isNumber || "/-_.".contains($0) }) else { return nil }
                tokens.append(.literal(text))
                rest = rest[end...]
            }
        }
        guard tokens.contains(.tag(.postname)) || tokens.contains(.tag(.postID)) else { return nil }
        self.pattern = pattern
        self.tokens = tokens
    }

    public static func == (a: Self, b: Self) -> Bool { a.pattern == b.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }

    /// The path of `post` under this structure; dates are in the site's time zone, as WordPress does.
    public func path(
        for post: Post, timeZone: TimeZone, categoryPath: String = "uncategorized", authorLogin: String = "author"
    ) -> String {
        let calendar = TimeZones.calendar(timeZone)
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: post.publishedAt)
        var out = ""
        for token in tokens {
            switch token {
            case .literal(let text): out += text
            case .tag(let tag):
                switch tag {
                case .year: out += Digits.padded(c.year ?? 0, width: 4)
                case .monthnum: out += Digits.padded(c.month ?? 0, width: 2)
                case .day: out += Digits.padded(c.day ?? 0, width: 2)
                case .hour: out += Digits.padded(c.hour ?? 0, width: 2)
                case .minute: out += Digits.padded(c.minute ?? 0, width: 2)
                case .second: out += Digits.padded(c.second ?? 0, width: 2)
                case .postname: out += post.slug
                case .postID: out += String(post.id)
                case .category: out += categoryPath
                case .author: out += authorLogin
                }
            }
        }
        return out
    }

    /// The parts of `path` this structure names, or nil when the path does not have its shape.
    /// A trailing slash is optional on both sides, as WordPress redirects between the two.
    public func match(_ path: String) -> PermalinkMatch? {
        var tokens = self.tokens
        var path = Substring(path)
        if case .literal(let last) = tokens.last, last.hasSuffix("/"), last.count > 1 {
            tokens[tokens.count - 1] = .literal(String(last.dropLast()))
        } else if case .literal("/") = tokens.last {
            tokens.removeLast()
        }
        if path.hasSuffix("/") && path.count > 1 { path = path.dropLast() }
        var result = PermalinkMatch()
        return Self.match(tokens[...], path, &result) ? result : nil
    }

    private static func match(_ tokens: ArraySlice<Token>, _ path: Substring, _ result: inout PermalinkMatch) -> Bool {
        guard let token = tokens.first else { return path.isEmpty }
        let rest = tokens.dropFirst()
        switch token {
        case .literal(let text):
            guard path.hasPrefix(text) else { return false }
            return match(rest, path.dropFirst(text.count), &result)
        case .tag(let tag):
            // Try the longest candidate first; a following literal bounds it.
            let limit = tag.allowsSlash ? path.endIndex : (path.firstIndex(of: "/") ?? path.endIndex)
            var end = limit
            while end > path.startIndex {
                let value = path[path.startIndex..<end]
                if tag.accepts(value) {
                    var attempt = result
                    attempt.set(tag, String(value))
                    if match(rest, path[end...], &attempt) {
                        result = attempt
                        return true
                    }
                }
                end = path.index(before: end)
            }
            return false
        }
    }
}

extension PermalinkStructure.Tag {
    var allowsSlash: Bool { self == .category }

    func accepts(_ value: Substring) -> Bool {
        switch self {
        case .year: return value.count == 4 && value.allSatisfy(\.isASCIIDigit)
        case .monthnum, .day, .hour, .minute, .second:
            return (1...2).contains(value.count) && value.allSatisfy(\.isASCIIDigit)
        case .postID: return value.count <= 18 && value.allSatisfy(\.isASCIIDigit)
        case .postname, .author, .category: return !value.isEmpty && !value.hasPrefix("/") && !value.hasSuffix("/")
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// What a permalink names.
public struct PermalinkMatch: Sendable, Equatable {
    public var year: Int?
    public var month: Int?
    public var day: Int?
    public var postname: String?
    public var postID: Int64?
    public var category: String?
    public var author: String?

    public init() {}

    mutating func set(_ tag: PermalinkStructure.Tag, _ value: String) {
        switch tag {
        case .year: year = Int(value)
        case .monthnum: month = Int(value)
        case .day: day = Int(value)
        case .postname: postname = value
        case .postID: postID = Int64(value)
        case .category: category = value
        case .author: author = value
        case .hour, .minute, .second: break
        }
    }
}
