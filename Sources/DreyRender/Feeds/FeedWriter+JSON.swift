import Foundation

extension FeedWriter {
    /// JSON Feed 1.1 (jsonfeed.org/version/1.1) from the same document RSS and Atom are written from.
    public static func json(_ doc: FeedDocument) -> String {
        let feed = JSONFeed(
            title: doc.title, homePageURL: doc.homeURL, feedURL: doc.selfURL,
            description: doc.subtitle.isEmpty ? nil : doc.subtitle, language: doc.language,
            hubs: doc.hubURL.map { [JSONFeed.Hub(type: "WebSub", url: $0)] },
            items: doc.entries.map { e in
                JSONFeed.Item(
                    id: e.id, url: e.link, title: e.title, contentHTML: e.contentHTML.isEmpty ? nil : e.contentHTML,
                    contentText: e.contentHTML.isEmpty ? e.summary : nil, summary: e.summary.isEmpty ? nil : e.summary,
                    datePublished: rfc3339(e.published), dateModified: rfc3339(e.updated),
                    authors: e.authorName.isEmpty ? nil : [JSONFeed.Author(name: e.authorName)],
                    tags: e.categories.isEmpty ? nil : e.categories)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(feed) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// The JSON Feed 1.1 document; absent values are left out rather than written as null.
struct JSONFeed: Encodable {
    var version = "https://jsonfeed.org/version/1.1"
    var title: String
    var homePageURL: String
    var feedURL: String
    var description: String?
    var language: String
    var hubs: [Hub]?
    var items: [Item]

    struct Hub: Encodable {
        var type: String
        var url: String
    }

    struct Author: Encodable {
        var name: String
    }

    struct Item: Encodable {
        var id: String
        var url: String
        var title: String
        var contentHTML: String?
        var contentText: String?
        var summary: String?
        var datePublished: String
        var dateModified: String
        var authors: [Author]?
        var tags: [String]?

        enum CodingKeys: String, CodingKey {
            case id, url, title, summary, authors, tags
            case contentHTML = "content_html"
            case contentText = "content_text"
            case datePublished = "date_published"
            case dateModified = "date_modified"
        }
    }

    enum CodingKeys: String, CodingKey {
        case version, title, description, language, hubs, items
        case homePageURL = "home_page_url"
        case feedURL = "feed_url"
    }
}
