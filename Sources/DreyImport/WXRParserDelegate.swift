import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Turns XMLParser's callbacks into WXR records, one author, term or item at a time, so memory
/// holds one item however large the file. Stops at the first error: libxml2 would carry on
/// after one, and nothing read past a fault can be trusted.
final class WXRParserDelegate: NSObject, XMLParserDelegate {
    /// Which vocabulary an element belongs to.
    enum Vocabulary { case rss, wp, excerpt, content, dc, other }

    struct Frame {
        let vocabulary: Vocabulary
        let name: String
        let qualifiedName: String
        let line: Int
    }

    static let supportedVersions: Set<String> = ["1.0", "1.1", "1.2"]

    private let emit: (WXREvent) -> Bool
    private(set) var error: WXRError?
    private var stack: [Frame] = []
    var text = ""
    var sawRoot = false
    var wxrNamespace: String?
    var channel = WXRChannel()
    var channelSent = false
    var author: WXRAuthor?
    var term: WXRTerm?
    var item: WXRItem?
    var assigned: Set<String> = []
    var comment: WXRComment?
    var meta: WXRMeta?
    var itemTerm: (domain: String, slug: String)?

    init(emit: @escaping (WXREvent) -> Bool) {
        self.emit = emit
    }

    static func isWXRNamespace(_ uri: String) -> Bool {
        let rest = uri.hasPrefix("https://") ? uri.dropFirst(8) : (uri.hasPrefix("http://") ? uri.dropFirst(7) : nil)
        guard let rest, rest.hasPrefix("wordpress.org/export/"), rest.hasSuffix("/") else { return false }
        let version = rest.dropFirst("wordpress.org/export/".count).dropLast()
        return !version.isEmpty && version.allSatisfy { $0.isNumber || $0 == "." }
    }

    private func vocabulary(_ uri: String?) -> Vocabulary {
        guard let uri, !uri.isEmpty else { return .rss }
        if uri == wxrNamespace { return .wp }
        if Self.isWXRNamespace(uri) {
            if wxrNamespace == nil {
                wxrNamespace = uri
                return .wp
            }
            return .other  // another export version's namespace in the same file: WordPress ignores it too
        }
        if uri.hasSuffix("/excerpt/"), Self.isWXRNamespace(String(uri.dropLast("excerpt/".count))) { return .excerpt }
        if uri == "http://purl.org/rss/1.0/modules/content/" { return .content }
        if uri == "http://purl.org/dc/elements/1.1/" { return .dc }
        return .other
    }

    // MARK: XMLParserDelegate

    func parser(_ parser: XMLParser, didStartMappingPrefix prefix: String, toURI namespaceURI: String) {
        if stack.isEmpty, prefix == "wp", wxrNamespace == nil, Self.isWXRNamespace(namespaceURI) { wxrNamespace = namespaceURI }
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes: [String: String] = [:]
    ) {
        guard error == nil else { return }
        let frame = Frame(vocabulary: vocabulary(namespaceURI), name: elementName, qualifiedName: qName ?? elementName, line: parser.lineNumber)
        text = ""
        switch stack.count {
        case 0:
            sawRoot = true
            if frame.vocabulary != .rss || frame.name != "rss" {
                fail(
                    parser,
                    WXRError(
                        .notWXR, line: frame.line, column: parser.columnNumber,
                        "not a WordPress export: the document is <\(frame.qualifiedName)>, expected <rss> with <wp:wxr_version>"))
                return
            }
        case 2 where stack[1].name == "channel":
            startChannelChild(frame, parser)
        case 3 where item != nil:
            if frame.vocabulary == .rss && frame.name == "category" {
                itemTerm = (attributes["domain"] ?? "", attributes["nicename"] ?? "")
            } else if frame.vocabulary == .wp && frame.name == "postmeta" {
                meta = WXRMeta()
            } else if frame.vocabulary == .wp && frame.name == "comment" {
                comment = WXRComment()
                comment?.line = frame.line
            }
        case 4 where comment != nil && frame.vocabulary == .wp && frame.name == "commentmeta":
            meta = WXRMeta()
        default:
            break
        }
        stack.append(frame)
    }

    private func startChannelChild(_ frame: Frame, _ parser: XMLParser) {
        let starts: Bool
        switch (frame.vocabulary, frame.name) {
        case (.rss, "item"):
            starts = true
            item = WXRItem()
            item?.line = frame.line
            assigned = []
        case (.wp, "author"), (.wp, "wp_author"):
            starts = true
            author = WXRAuthor()
            author?.line = frame.line
        case (.wp, "category"), (.wp, "tag"), (.wp, "term"):
            starts = true
            term = WXRTerm()
            term?.element = frame.name
            term?.taxonomy = frame.name == "category" ? "category" : (frame.name == "tag" ? "post_tag" : "")
            term?.line = frame.line
        default:
            starts = false
        }
        if starts && !channelSent { sendChannel(parser, before: frame) }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard error == nil, let frame = stack.popLast() else { return }
        let value = text
        text = ""
        switch stack.count {
        case 2 where stack[1].name == "channel":
            endChannelChild(frame, value, parser)
        case 3 where author != nil:
            if frame.vocabulary == .wp { setAuthorField(frame.name, value) }
        case 3 where term != nil:
            if frame.vocabulary == .wp { setTermField(frame.name, value) }
        case 3 where item != nil:
            endItemChild(frame, value)
        case 4 where meta != nil && comment == nil:
            setMetaField(frame, value)
        case 4 where comment != nil:
            if frame.vocabulary == .wp { setCommentField(frame.name, value) }
        case 5 where meta != nil && comment != nil:
            setMetaField(frame, value)
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if error == nil { text += string }
    }

    func parser(_ parser: XMLParser, foundCDATA block: Data) {
        if error == nil { text += String(decoding: block, as: UTF8.self) }
    }

    /// libxml2 codes that are warnings (a namespace URI that is not absolute, an unknown XML
    /// version…): WordPress's reader accepts such files, and so does this one.
    static let warningCodes: Set<Int> = [27, 93, 97, 98, 99, 100, 102, 106, 107]

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        let code = (parseError as NSError).code
        guard error == nil, !Self.warningCodes.contains(code) else { return }
        let open = stack.map { OpenElement(qualifiedName: $0.qualifiedName, line: $0.line) }
        fail(parser, WXRError.fromParser(code: code, line: parser.lineNumber, column: parser.columnNumber, open: open, sawRoot: sawRoot))
    }

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        refuseDoctype(parser)
    }

    func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
        refuseDoctype(parser)
    }

    /// WordPress refuses documents with a DOCTYPE; entity declarations are how XML bombs and
    /// file-reading tricks start, and no exporter writes them.
    private func refuseDoctype(_ parser: XMLParser) {
        fail(
            parser,
            WXRError(
                .notWXR, line: parser.lineNumber, column: parser.columnNumber,
                "entity declarations are not allowed in a WordPress export; expected no DOCTYPE"))
    }

    /// The error that stopped reading, or the one the end of the file reveals.
    func finish(_ parser: XMLParser) -> WXRError? {
        if let error { return error }
        if !sawRoot { return WXRError(.empty, "the file is empty; expected a WordPress export (WXR)") }
        if !stack.isEmpty {
            let open = stack.map { OpenElement(qualifiedName: $0.qualifiedName, line: $0.line) }
            return WXRError.fromParser(code: 5, line: parser.lineNumber, column: parser.columnNumber, open: open, sawRoot: true)
        }
        if !channelSent {
            sendChannel(parser, before: nil)
            return error
        }
        return nil
    }

    private func fail(_ parser: XMLParser, _ e: WXRError) {
        guard error == nil else { return }
        error = e
        parser.abortParsing()
    }

    /// Sends the header once it is complete, after checking the file says it is WXR of a known version.
    private func sendChannel(_ parser: XMLParser, before frame: Frame?) {
        channelSent = true
        let where_ = frame.map { " before <\($0.qualifiedName)> at line \($0.line)" } ?? ""
        guard !channel.version.isEmpty else {
            let message =
                wxrNamespace == nil
                ? "not a WordPress export: no <wp:wxr_version> and no WordPress export namespace (http://wordpress.org/export/1.2/)"
                : "not a WordPress export: missing <wp:wxr_version>\(where_)"
            fail(parser, WXRError(.notWXR, line: frame?.line ?? parser.lineNumber, column: 1, message))
            return
        }
        guard Self.supportedVersions.contains(channel.version) else {
            fail(
                parser,
                WXRError(
                    .unsupportedVersion, line: frame?.line ?? parser.lineNumber, column: 1,
                    "unknown WXR version “\(channel.version.prefix(20))”; expected 1.0, 1.1 or 1.2"))
            return
        }
        if !emit(.channel(channel)) { fail(parser, WXRError(.unreadable, "import cancelled")) }
    }

    private func send(_ event: WXREvent, _ parser: XMLParser) {
        if !emit(event) { fail(parser, WXRError(.unreadable, "import cancelled")) }
    }

    private func endChannelChild(_ frame: Frame, _ value: String, _ parser: XMLParser) {
        let trimmed = Self.trimmed(value)
        switch (frame.vocabulary, frame.name) {
        case (.rss, "title"): channel.title = trimmed
        case (.rss, "link"): channel.link = trimmed
        case (.rss, "description"): channel.description = trimmed
        case (.rss, "language"): channel.language = trimmed
        case (.wp, "wxr_version"): channel.version = trimmed
        case (.wp, "base_site_url"): channel.baseSiteURL = trimmed
        case (.wp, "base_blog_url"): channel.baseBlogURL = trimmed
        case (.rss, "item"):
            if let item { send(.item(item), parser) }
            item = nil
        case (.wp, "author"), (.wp, "wp_author"):
            if let author { send(.author(author), parser) }
            author = nil
        case (.wp, "category"), (.wp, "tag"), (.wp, "term"):
            if let term { send(.term(term), parser) }
            term = nil
        default:
            break
        }
    }

}
