import Mustache

/// A reader's page (sign-in, the email code, `/account`): the site's chrome around HTML the controller escaped.
public struct ReaderPage: Sendable, MustacheParent {
    public var chrome: Chrome
    public var heading: String
    /// Already escaped HTML.
    public var body: String

    public init(chrome: Chrome, heading: String, body: String) {
        self.chrome = chrome
        self.heading = heading
        self.body = body
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "chrome": return chrome
        case "heading": return heading
        case "body": return body
        default: return nil
        }
    }

    /// A page for themes without a `reader` template: the same content, plainly.
    public var plainHTML: String {
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(HTMLEscape.text(chrome.documentTitle))</title>"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\"></head>"
            + "<body><main><h1>\(HTMLEscape.text(heading))</h1>\(body)</main></body></html>"
    }
}
