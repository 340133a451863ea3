import Foundation
import Mustache
import Testing

@testable import DreyRender

/// Drey's own template renderer (decision 0028) must write what swift-mustache writes for the same templates and
/// values, byte for byte: each case here is rendered by both and compared, and the real themes are rendered by both
/// with views of every kind.
@Suite struct ThemeTemplatesTests {
    struct Person: MustacheParent {
        var name: String
        var site: String
        var friends: [Person] = []
        func child(named: String) -> Any? {
            switch named {
            case "name": return name
            case "site": return OptionalText(text: site)
            case "friends": return friends
            case "hasFriends": return !friends.isEmpty
            case "age": return 42
            case "nothing": return nil
            default: return nil
            }
        }
    }

    /// A view without `MustacheParent`: looked up by reflection, an optional that is nil counting as absent.
    struct Plain {
        var title: String
        var note: String?
        var count: Int
        var flags: [Bool]
        var tags: [String]
        var inner: Person?
    }

    static let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Themes")

    static let people = Person(
        name: "Ann <&> 'B'", site: "https://ann.example",
        friends: [
            Person(name: "Bo", site: "", friends: [Person(name: "Cy \"q\"", site: "x")]), Person(name: "Di", site: "https://di.example"),
        ])

    static let plain = Plain(title: "T & t", note: nil, count: 3, flags: [true, false], tags: ["a", "<b>"], inner: people)

    /// Templates, partials included, as a theme's files would hold them (the pragma Theme puts in front added).
    static var cases: [(String, [String: String], Any)] {
        [
            ("variables", ["t": "{{name}} {{{name}}} {{&name}} {{ name }} {{site}} {{age}} {{nothing}} {{missing}}|"], people),
            (
                "sections", ["t": "{{#hasFriends}}yes{{/hasFriends}}{{^hasFriends}}no{{/hasFriends}}{{#friends}}<{{name}}:{{site}}>{{/friends}}"],
                people
            ),
            ("stack lookup", ["t": "{{#friends}}{{#friends}}{{name}} of {{site}}; {{/friends}}{{/friends}}"], people),
            ("dotted and innermost", ["t": "{{#friends}}[{{.name}}|{{friends.0}}]{{/friends}}{{site.text}}"], people),
            ("optional text section", ["t": "{{#site}}<a href=\"{{site}}\">{{text}}</a>{{/site}}{{^site}}none{{/site}}"], people),
            (
                "standalone lines",
                [
                    "t":
                        "<ul>\n  {{#friends}}\n  <li>{{name}}</li>\n  {{/friends}}\n</ul>\n{{! a comment }}\n  {{^friends}}\nnone\n{{/friends}}\nend\n"
                ], people
            ),
            ("not standalone", ["t": "a {{#hasFriends}} b {{/hasFriends}} c\n {{! x }} d\n{{#hasFriends}}e{{/hasFriends}}  \n"], people),
            ("partials", ["t": "<div>\n  {{> item}}\n  <p>{{> item}}</p>\n</div>\n", "item": "one\n{{name}}\ntwo\n"], people),
            (
                "recursive partial",
                ["t": "{{> tree}}", "tree": "<li>{{name}}{{#hasFriends}}<ul>{{#friends}}{{> tree}}{{/friends}}</ul>{{/hasFriends}}</li>\n"], people
            ),
            ("nested indentation", ["t": "  {{> a}}\n", "a": "A\n    {{> b}}\nA2\n", "b": "B1\nB2 {{name}}\n"], people),
            ("set delimiters", ["t": "{{=<% %>=}}\n<% name %> {{name}}\n<%={{ }}=%>{{name}}\n"], people),
            ("content type", ["t": "{{% CONTENT_TYPE: TEXT}}{{name}}\n{{#friends}}{{name}}{{/friends}}\n{{> p}}", "p": "{{name}}"], people),
            (
                "reflection",
                [
                    "t":
                        "{{title}} {{note}} {{count}} {{#note}}n{{/note}}{{^note}}no note{{/note}} {{#tags}}[{{.}}]{{/tags}} {{#flags}}f{{/flags}} {{inner.name}}"
                ], plain
            ),
            (
                "dictionary", ["t": "{{a}} {{#list}}{{x}}{{/list}} {{^empty}}empty{{/empty}} {{#yes}}y{{/yes}}"],
                ["a": "<1>", "list": [["x": 1], ["x": 2]], "empty": [String](), "yes": true] as [String: Any]
            ),
            ("crlf", ["t": "a\r\n{{#hasFriends}}\r\nb\r\n{{/hasFriends}}\r\nc"], people),
            ("braces in text", ["t": "{ {x} }} {{name}}{ x"], people),
            (
                "null stands for nothing",
                ["t": "[{{n}}]{{#n}}yes{{/n}}{{^n}}no{{/n}}{{#n}}{{a}}{{/n}}|{{n.x}}|{{#list}}<{{.}}>{{/list}}"],
                ["n": NSNull(), "a": "outer", "list": ["a", NSNull(), "b"]] as [String: Any]
            ),
            (
                "other line breaks end a standalone line",
                ["t": "{{#hasFriends}}\rB{{/hasFriends}}\r\n  {{! c }}\u{0C}x\n{{^hasFriends}}\u{2028}y{{/hasFriends}}z"], people
            ),
        ]
    }

    static func render(_ templates: [String: String], _ view: Any) throws -> (mine: String?, theirs: String?) {
        let sources = templates.mapValues { "{{% CONTENT_TYPE: \(ByteHTMLEscaping.name)}}\n" + $0 }
        _ = ByteHTMLEscaping.register
        let mine = try ThemeTemplates(sources: sources)
        let library = MustacheLibrary(templates: try sources.mapValues { try MustacheTemplate(string: $0) })
        return (mine.render(view, template: "t"), library.render(view, withTemplate: "t"))
    }

    @Test("each case renders as swift-mustache renders it", arguments: cases.indices)
    func sameAsSwiftMustache(_ index: Int) throws {
        let (name, templates, view) = Self.cases[index]
        let (mine, theirs) = try Self.render(templates, view)
        #expect(mine != nil && mine == theirs, "\(name): \(mine ?? "nil") != \(theirs ?? "nil")")
    }

    @Test("what only swift-mustache renders makes the theme keep it, and still renders")
    func fallsBack() throws {
        for source in ["{{uppercased(name)}}", "{{<parent}}{{$b}}x{{/b}}{{/parent}}", "{{>*dynamic}}", "{{% CONTENT_TYPE: JSON}}"] {
            #expect(throws: ThemeTemplates.Unsupported.self) { try ThemeTemplates(sources: ["t": source]) }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drey-theme-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("templates"), withIntermediateDirectories: true)
        try "<p>{{uppercased(name)}}</p>".write(to: dir.appendingPathComponent("templates/page.mustache"), atomically: true, encoding: .utf8)
        let theme = try Theme(directory: dir, required: ["page"])
        #expect(!theme.rendersItself)
        #expect(theme.render(["name": "ann"], template: "page") == "<p>ANN</p>")
    }

    @Test("Drey's own themes render themselves")
    func ownThemes() throws {
        for name in ["default", "admin"] {
            let theme = try Theme(directory: Self.themes.appendingPathComponent(name), required: [])
            #expect(theme.rendersItself, "\(name)")
        }
    }
}
