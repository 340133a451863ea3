import Foundation
import Mustache

/// A theme is a folder: `theme.json`, `templates/`, `partials/` and `assets/`.
public struct Theme: Sendable {
    public let name: String
    public let directory: URL
    let library: MustacheLibrary
    /// The same templates for Drey's own renderer; nil when one uses what only swift-mustache renders.
    let fast: ThemeTemplates?
    let fragments = FragmentMemo()

    /// Templates every theme must provide; checked at start-up so a reader never gets an empty page.
    public static let requiredTemplates = ["home", "archive", "post", "search", "404"]

    public enum LoadError: Error, CustomStringConvertible {
        case missingFolder(String)
        case missingTemplate(String, String)
        case parse(String, String)

        public var description: String {
            switch self {
            case .missingFolder(let path): return "theme folder not found: \(path)"
            case .missingTemplate(let theme, let name): return "theme '\(theme)' has no templates/\(name).mustache"
            case .parse(let file, let error): return "theme template \(file) does not parse: \(error)"
            }
        }
    }

    public init(directory: URL, required: [String] = Theme.requiredTemplates) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDir), isDir.boolValue else {
            throw LoadError.missingFolder(directory.path)
        }
        self.directory = directory
        self.name = directory.lastPathComponent
        ByteHTMLEscaping.register
        var templates: [String: MustacheTemplate] = [:]
        var sources: [String: String] = [:]
        // Partials and templates share one namespace, so `{{> comment}}` needs no folder prefix.
        for folder in ["partials", "templates"] {
            let dir = directory.appendingPathComponent(folder)
            let files = (try? fm.contentsOfDirectory(atPath: dir.path)) ?? []
            for file in files.sorted() where file.hasSuffix(".mustache") {
                let path = dir.appendingPathComponent(file).path
                let text = try String(contentsOfFile: path, encoding: .utf8)
                do {
                    // Every template and partial escapes through `ByteHTMLEscaping`: a partial starts over with the
                    // library's own HTML escaping otherwise. A theme's own pragma further down still wins.
                    let source = "{{% CONTENT_TYPE: \(ByteHTMLEscaping.name)}}\n" + text
                    templates[String(file.dropLast(".mustache".count))] = try MustacheTemplate(string: source)
                    sources[String(file.dropLast(".mustache".count))] = source
                } catch let error as MustacheTemplate.ParserError {
                    // Line numbers as the theme author sees the file: the pragma line above it is ours.
                    let c = error.context
                    throw LoadError.parse(
                        "\(folder)/\(file)", "line \(c.lineNumber - 1), column \(c.columnNumber): \(error.error) in \"\(c.line)\"")
                } catch {
                    throw LoadError.parse("\(folder)/\(file)", String(describing: error))
                }
            }
        }
        for name in required where templates[name] == nil {
            throw LoadError.missingTemplate(self.name, name)
        }
        self.library = MustacheLibrary(templates: templates)
        self.fast = try? ThemeTemplates(sources: sources)
    }

    /// Renders a template by name; nil only if the template is missing.
    public func render(_ view: Any, template: String) -> String? {
        if let fast { return fast.render(view, template: template) }
        return library.render(view, withTemplate: template)
    }

    /// Whether this theme renders with Drey's own renderer rather than swift-mustache (decision 0028).
    public var rendersItself: Bool { fast != nil }

    public func hasTemplate(_ name: String) -> Bool { library.getTemplate(named: name) != nil }

    /// The comments through the `comment` partial, each top-level one with its replies rendered once per way it is
    /// shown (`FragmentMemo`): what `{{#comments}}{{> comment}}{{/comments}}` makes, without its template work on
    /// every render. Empty when the theme has no `comment` partial.
    public func renderComments(_ comments: [CommentView]) -> String {
        remembered(comments, partial: "comment", after: "", size: \.weight)
    }

    /// The posts through the `post-summary` partial, a line each, each remembered like a comment: what
    /// `{{#posts}}{{> post-summary}}` and a line break make. Empty when the theme has no `post-summary` partial.
    public func renderSummaries(_ posts: [PostView]) -> String {
        remembered(posts, partial: "post-summary", after: "\n", size: \.weight)
    }

    /// Each view through `partial` (from the memo when shown the same way before), followed by `after`.
    private func remembered<View: Hashable & Sendable>(_ views: [View], partial: String, after: String, size: (View) -> Int) -> String {
        guard hasTemplate(partial) else { return "" }
        return views.reduce(into: "") { html, view in
            html += fragments.fragment(view, template: partial, size: size) { render($0, template: partial) ?? "" }
            html += after
        }
    }

    /// The file under `assets/` for a request path, refusing anything that leaves the folder.
    public func asset(_ relativePath: String) -> URL? {
        guard !relativePath.isEmpty, !relativePath.contains(".."), !relativePath.hasPrefix("/") else { return nil }
        let url = directory.appendingPathComponent("assets").appendingPathComponent(relativePath)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}

/// The HTML escaping of `{{value}}`, byte by byte: the same five characters as swift-mustache's own (`< > & " '`),
/// which walks the text Character by Character with a dictionary lookup each and was a tenth of every render.
/// Working on UTF-8 bytes also escapes a `<` that a combining mark would have hidden inside one Character.
struct ByteHTMLEscaping: MustacheContentType {
    static let name = "DREY_HTML"
    static let register: Void = MustacheContentTypes.register(ByteHTMLEscaping(), named: name)

    func escapeText(_ text: String) -> String {
        Self.escape(text)
    }

    static func escape(_ text: String) -> String {
        let utf8 = text.utf8
        // Over the bytes in place: a loop over the UTF-8 view moves an index per byte, and most values have nothing to
        // escape.
        let special = { (byte: UInt8) in byte == 0x3C || byte == 0x3E || byte == 0x26 || byte == 0x22 || byte == 0x27 }
        guard utf8.withContiguousStorageIfAvailable({ $0.contains(where: special) }) ?? utf8.contains(where: special) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 32)
        for byte in utf8 {
            switch byte {
            case 0x3C: out.append(contentsOf: "&lt;".utf8)
            case 0x3E: out.append(contentsOf: "&gt;".utf8)
            case 0x26: out.append(contentsOf: "&amp;".utf8)
            case 0x22: out.append(contentsOf: "&quot;".utf8)
            case 0x27: out.append(contentsOf: "&#39;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
