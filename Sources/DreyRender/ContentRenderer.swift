import DreyCore
import Foundation

/// Turns stored source into the sanitized HTML kept beside it, at save time.
public enum ContentRenderer {
    /// Post and page bodies: Markdown through cmark-gfm, HTML as WordPress shows it (blocks,
    /// shortcodes, autop); both sanitized. `media` fills `[gallery]` shortcodes.
    public static func post(_ source: String, format: SourceFormat, media: ShortcodeMedia = .unresolved) -> String {
        let html: String
        switch format {
        case .markdown: html = Markdown.html(source, options: [.unsafe])
        case .html: html = WordPressMarkup.html(source, media: media)
        }
        return HTMLSanitizer.sanitize(html, policy: .content)
    }

    /// Comment text from outsiders: paragraphs as WordPress makes them, then the comment allowlist.
    public static func comment(_ source: String) -> String {
        HTMLSanitizer.sanitize(Autop.apply(source), policy: .comment)
    }
}
