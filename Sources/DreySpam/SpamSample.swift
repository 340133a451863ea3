import Foundation

/// One comment (or linkback) as the classifier sees it: the text and what the commenter typed about themself.
public struct SpamSample: Sendable, Hashable, Codable {
    /// The comment body, plain text or HTML source as submitted.
    public var text: String
    /// The name the commenter gave, if any.
    public var author: String?
    /// The email the commenter gave, if any.
    public var email: String?
    /// The website the commenter gave, if any.
    public var url: String?

    /// Creates a sample; only the text is required.
    public init(text: String, author: String? = nil, email: String? = nil, url: String? = nil) {
        self.text = text
        self.author = author
        self.email = email
        self.url = url
    }
}
