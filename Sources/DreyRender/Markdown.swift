import CCmarkGFM
import Foundation

/// Markdown to HTML through cmark-gfm, the reference C implementation, with GitHub's extensions.
public enum Markdown {
    public struct Options: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// Keep raw HTML and all link schemes; the caller must sanitize the result.
        public static let unsafe = Options(rawValue: CMARK_OPT_UNSAFE)
        public static let smartPunctuation = Options(rawValue: CMARK_OPT_SMART)
        public static let hardBreaks = Options(rawValue: CMARK_OPT_HARDBREAKS)
    }

    /// The extensions every Drey page uses; GitHub's set, minus tag filtering (our sanitizer does that).
    public static let extensionNames = ["table", "strikethrough", "autolink", "tasklist"]

    private static let registered: Bool = {
        cmark_gfm_core_extensions_ensure_registered()
        return true
    }()

    /// Renders `source`; with `extensions: false` it is plain CommonMark (for the spec tests).
    public static func html(_ source: String, options: Options = [], extensions: Bool = true) -> String {
        _ = registered
        let opts = CMARK_OPT_DEFAULT | options.rawValue
        guard let parser = cmark_parser_new(opts) else { return "" }
        defer { cmark_parser_free(parser) }
        if extensions {
            for name in extensionNames {
                if let ext = cmark_find_syntax_extension(name) { cmark_parser_attach_syntax_extension(parser, ext) }
            }
        }
        source.withCString { cmark_parser_feed(parser, $0, strlen($0)) }
        guard let document = cmark_parser_finish(parser) else { return "" }
        defer { cmark_node_free(document) }
        guard let rendered = cmark_render_html(document, opts, cmark_parser_get_syntax_extensions(parser)) else {
            return ""
        }
        defer { free(rendered) }
        return String(cString: rendered)
    }
}
