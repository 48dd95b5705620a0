import Testing
@testable import SiteKit

@Suite("MustacheScanner: tags with their positions")
struct MustacheScannerTests {
    /// A tag as kind, name and `line:column`, for compact comparisons.
    struct Found: Equatable, Sendable, CustomStringConvertible {
        let kind: MustacheScanner.Tag.Kind
        let name: String
        let line: Int
        let column: Int
        init(_ kind: MustacheScanner.Tag.Kind, _ name: String, _ line: Int, _ column: Int) {
            self.kind = kind
            self.name = name
            self.line = line
            self.column = column
        }
        var description: String { "\(kind) '\(name)' at \(line):\(column)" }
    }

    struct ScanCase: CustomTestStringConvertible, Sendable {
        let name: String
        let template: String
        let tags: [Found]
        var testDescription: String { name }
    }

    static let scanCases: [ScanCase] = [
        ScanCase(name: "plain text has no tags", template: "no tags { here }", tags: []),
        ScanCase(
            name: "a variable on the first line", template: "Hi {{ site.name }}!", tags: [Found(.variable, "site.name", 1, 4)]),
        ScanCase(
            name: "columns count characters, not bytes", template: "{{a}}\n  é {{#b}}{{/b}}",
            tags: [Found(.variable, "a", 1, 1), Found(.section, "b", 2, 5), Found(.close, "b", 2, 11)]),
        ScanCase(
            name: "a comment may span lines and later lines are still counted", template: "{{! multi\nline }}{{x}}\n{{y}}",
            tags: [Found(.comment, "multi\nline", 1, 1), Found(.variable, "x", 2, 8), Found(.variable, "y", 3, 1)]),
        ScanCase(
            name: "every kind of tag is classified",
            template: "{{ upper(name) }}{{{raw}}}{{&amp}}{{>p}}{{<q}}{{$r}}{{/r}}{{/q}}{{%PRAGMA}}{{!c}}{{^i}}{{/i}}",
            tags: [
                Found(.variable, "name", 1, 1), Found(.unescaped, "raw", 1, 18), Found(.unescaped, "amp", 1, 27),
                Found(.partial, "p", 1, 35), Found(.parent, "q", 1, 41), Found(.block, "r", 1, 47), Found(.close, "r", 1, 53),
                Found(.close, "q", 1, 59), Found(.pragma, "PRAGMA", 1, 65), Found(.comment, "c", 1, 76),
                Found(.inverted, "i", 1, 82), Found(.close, "i", 1, 88),
            ]),
        ScanCase(
            name: "a transform names its argument in sections too", template: "{{#reversed(toc)}}{{/toc}}",
            tags: [Found(.section, "toc", 1, 1), Found(.close, "toc", 1, 19)]),
        ScanCase(
            name: "nested sections close in reverse order", template: "{{#a}}\n{{#b}}\n{{/b}}\n{{/a}}",
            tags: [Found(.section, "a", 1, 1), Found(.section, "b", 2, 1), Found(.close, "b", 3, 1), Found(.close, "a", 4, 1)]),
    ]

    @Test("scan(_:) finds every tag with its kind, name, 1-based line and column", arguments: scanCases)
    func scan(_ testCase: ScanCase) throws {
        let tags = try MustacheScanner.scan(testCase.template)
        #expect(tags.map { Found($0.kind, $0.name, $0.line, $0.column) } == testCase.tags)
    }

    @Test("a tag keeps its source text for messages")
    func source() throws {
        let tags = try MustacheScanner.scan("x {{# page.title }}{{{ content }}}{{/page.title}}")
        #expect(tags.map(\.source) == ["{{# page.title }}", "{{{ content }}}", "{{/page.title}}"])
    }

    struct ProblemCase: CustomTestStringConvertible, Sendable {
        let name: String
        let template: String
        let problem: MustacheScanner.Problem
        var testDescription: String { name }
    }

    static let problemCases: [ProblemCase] = [
        ProblemCase(
            name: "a tag broken by a newline", template: "ok\n  {{a\n}}",
            problem: .init(line: 2, column: 3, message: "tag '{{' is never closed", hint: "close it with }} on the same line")),
        ProblemCase(
            name: "a triple tag closed with two braces", template: "{{{a}}",
            problem: .init(line: 1, column: 1, message: "tag '{{{' is never closed", hint: "close it with }}} on the same line")),
        ProblemCase(
            name: "a close tag with no open section", template: "x {{/a}}",
            problem: .init(
                line: 1, column: 3, message: "'{{/a}}' closes a section that was never opened",
                hint: "remove it, or open the section with {{#a}}")),
        ProblemCase(
            name: "sections closed in the wrong order", template: "{{#a}}{{#b}}{{/a}}{{/b}}",
            problem: .init(
                line: 1, column: 13, message: "'{{/a}}' closes 'b', opened at line 1, column 7",
                hint: "close sections in the reverse order they were opened: {{/b}} comes first")),
        ProblemCase(
            name: "a section never closed", template: "{{#a}}\n  {{^b}}{{/b}}",
            problem: .init(line: 1, column: 1, message: "section '{{#a}}' is never closed", hint: "add {{/a}} where it ends")),
        ProblemCase(
            name: "a parent never closed", template: "\n{{<layout}}{{$main}}{{/main}}",
            problem: .init(
                line: 2, column: 1, message: "section '{{<layout}}' is never closed", hint: "add {{/layout}} where it ends")),
        ProblemCase(
            name: "a set-delimiter tag", template: "a {{=<% %>=}}",
            problem: .init(
                line: 1, column: 3, message: "set-delimiter tags are not supported", hint: "keep the default {{ }} delimiters")),
        ProblemCase(
            name: "a tag without a name", template: "x\n{{ }}",
            problem: .init(line: 2, column: 1, message: "tag '{{ }}' has no name", hint: nil)),
    ]

    @Test("scan(_:) throws a problem at the exact line and column", arguments: problemCases)
    func problem(_ testCase: ProblemCase) {
        #expect(throws: testCase.problem) {
            try MustacheScanner.scan(testCase.template)
        }
    }
}
