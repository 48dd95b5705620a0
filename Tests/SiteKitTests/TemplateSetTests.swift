import Foundation
import Mustache
import Testing
@testable import SiteKit

private let siteYAML = """
    site:
      name: Acme & Co <Labs>
      legal_name: Acme Labs, Inc.
      contact_email: legal@acme.example
      base_url: https://acme.example
    pages:
      terms: /terms
    """

private func makeContext(assets: [TemplateSet.Asset] = []) throws -> TemplateContext {
    TemplateContext(config: try ConfigLoader.parse(siteYAML, file: "site.yml"), assets: assets, bundle: nil)
}

/// Loads `templates` (names without folder and extension) from memory.
private func load(_ templates: [String: String]) throws -> TemplateSet {
    var files: [String: String] = [:]
    for (name, text) in templates { files["templates/\(name).mustache"] = text }
    return try TemplateSet.load(directory: "templates", from: MemoryFileSystem(files))
}

/// What TemplateSet.check finds in `templates` against the shape of every page.
private func check(_ templates: [String: String]) throws -> [Diagnostic] {
    try load(templates).check(shape: makeContext().shape)
}

/// The diagnostics TemplateSet.load throws for `files`.
private func loadErrors(_ files: [String: String]) -> [Diagnostic] {
    do {
        let set = try TemplateSet.load(directory: "templates", from: MemoryFileSystem(files))
        Issue.record("expected load to fail, got \(set.sources.keys.sorted())")
        return []
    } catch {
        return error.diagnostics
    }
}

private func at(_ name: String, _ line: Int, _ column: Int) -> SiteKit.SourceLocation {
    SiteKit.SourceLocation(file: "templates/\(name).mustache", line: line, column: column)
}

private let cycleHint = "remove the inclusion that closes the loop"

@Suite("TemplateSet: loading, checking and rendering Mustache templates")
struct TemplateSetTests {
    // MARK: Loading

    @Test("templates are named by their path below the folder, without .mustache; other files are ignored")
    func names() throws {
        let set = try TemplateSet.load(
            directory: "templates",
            from: MemoryFileSystem([
                "templates/legal.mustache": "x", "templates/partials/header.mustache": "h", "templates/notes.txt": "{{",
            ]))
        #expect(set.sources.keys.sorted() == ["legal", "partials/header"])
        #expect(set.file(of: "partials/header") == "templates/partials/header.mustache")
        #expect(set.file(of: "missing") == "templates/missing.mustache")
        #expect(set.has("legal"))
        #expect(!set.has("layout"))
    }

    @Test(
        "an unknown partial inside the folder is to be created; one that points outside it gets how names are written",
        arguments: [
            ("partials/footer", "create templates/partials/footer.mustache"), ("x", "create templates/x.mustache"),
            ("../x", nil), ("/etc/x", nil), ("partials/../x", nil), ("./x", nil), ("partials//x", nil), ("a\\b", nil),
        ] as [(String, String?)])
    func unknownPartialHint(_ name: String, expected: String?) throws {
        let set = try load(["legal": "x", "partials/header": "h"])
        let hint = set.hintForUnknown(name)
        #expect(TemplateSet.namesFileInside(name) == (expected != nil))
        #expect(hint == expected ?? "templates are named by their path below templates/ without .mustache, for example 'partials/header'")
    }

    @Test("a missing templates folder is an error naming it")
    func missingFolder() {
        #expect(
            loadErrors(["other/x.mustache": "x"]) == [
                .error(
                    SiteKit.SourceLocation(file: "templates"), "templates folder 'templates' does not exist",
                    hint: "create it with layout.mustache and legal.mustache, or set content.templates in site.yml")
            ])
    }

    @Test("an unclosed section is an error at its opening tag")
    func unclosedSection() {
        #expect(
            loadErrors(["templates/page.mustache": "ok\n  {{#toc}}\n"]) == [
                .error(at("page", 2, 3), "section '{{#toc}}' is never closed", hint: "add {{/toc}} where it ends")
            ])
    }

    @Test("a close tag with the wrong name is an error naming where the open section started")
    func mismatchedClose() {
        #expect(
            loadErrors(["templates/page.mustache": "ok\n{{#toc}}\n{{/tco}}"]) == [
                .error(
                    at("page", 3, 1), "'{{/tco}}' closes 'toc', opened at line 2, column 1",
                    hint: "close sections in the reverse order they were opened: {{/toc}} comes first")
            ])
    }

    @Test("the errors of every template are reported together, sorted by file")
    func allLoadErrors() {
        #expect(
            loadErrors(["templates/b.mustache": "x\n{{/a}}", "templates/a.mustache": "{{#toc}}"]) == [
                .error(at("a", 1, 1), "section '{{#toc}}' is never closed", hint: "add {{/toc}} where it ends"),
                .error(
                    at("b", 2, 1), "'{{/a}}' closes a section that was never opened",
                    hint: "remove it, or open the section with {{#a}}"),
            ])
    }

    @Test("a syntax error only the Mustache parser finds is reported on its line")
    func parserError() {
        let errors = loadErrors([
            "templates/layout.mustache": "{{$main}}{{/main}}",
            "templates/page.mustache": "\n{{<layout}}{{#x}}{{/x}}{{/layout}}",
        ])
        #expect(errors.map(\.message) == ["template syntax: only {{$block}} overrides may stand inside {{<parent}}"])
        #expect(errors.map(\.location.file) == ["templates/page.mustache"])
        #expect(errors.map(\.location.line) == [2])
    }

    @Test("a file under assets/ becomes a fingerprinted asset with a variable name")
    func assets() throws {
        let set = try TemplateSet.load(
            directory: "templates",
            from: MemoryFileSystem(["templates/assets/site.css": "body{}", "templates/page.mustache": "{{assets.site_css}}"]))
        #expect(set.sources.keys.sorted() == ["page"])
        let asset = try #require(set.assets.first)
        #expect(set.assets.count == 1)
        #expect(asset.source == "templates/assets/site.css")
        #expect(asset.variable == "site_css")
        #expect(asset.key.hasPrefix("assets/site-"))
        #expect(asset.key.hasSuffix(".css"))
        #expect(asset.key.count > "assets/site-.css".count)

        let context = try makeContext(assets: set.assets)
        #expect(set.check(shape: context.shape).isEmpty)
        let value = context.value(for: .init(title: "T", description: "", route: "/terms"))
        #expect(set.render("page", context: value.mustacheObject) == "/" + asset.key)
    }

    // MARK: Checking names

    @Test("a template that uses only known names has no findings")
    func cleanTemplate() throws {
        let findings = try check([
            "page": """
            <html lang="{{site.language}}"><title>{{page.title}}</title>
            {{#has_toc}}{{#toc}}<a href="#{{id}}">{{title}}</a>{{#children}}{{id}}{{level}}{{/children}}{{/toc}}{{/has_toc}}
            {{#page.updated_date}}{{page.updated_date}}{{/page.updated_date}}{{^spa.enabled}}x{{/spa.enabled}}
            {{#spa.scripts}}{{src}}{{/spa.scripts}}{{{content}}}{{legal.terms}}{{! a comment }}
            """
        ])
        #expect(findings == [])
    }

    @Test("an unknown variable is an error at its line and column, with a suggestion")
    func unknownVariable() throws {
        let findings = try check(["page": "<h1>\n  {{page.titel}}</h1>"])
        #expect(findings.map(\.location) == [at("page", 2, 3)])
        #expect(findings.map(\.message) == ["unknown variable 'page.titel' (did you mean 'page.title'?)"])
        #expect(findings.first?.hint?.hasPrefix("templates can use: assets, content, has_toc, legal, legal.terms, page, ") == true)
    }

    @Test("an unknown section is an error with a suggestion")
    func unknownSection() throws {
        let findings = try check(["page": "{{#tocs}}{{/tocs}}"])
        #expect(findings.map(\.location) == [at("page", 1, 1)])
        #expect(findings.map(\.message) == ["unknown section 'tocs' (did you mean 'toc'?)"])
    }

    @Test("inside {{#toc}} names resolve against the shape of a toc item, and outer names still resolve")
    func tocSection() throws {
        let findings = try check([
            "page": "{{#toc}}{{titl}} {{id}}{{page.title}}{{#children}}{{level}}{{levle}}{{/children}}{{/toc}}"
        ])
        #expect(findings.map(\.location) == [at("page", 1, 9), at("page", 1, 60)])
        #expect(
            findings.map(\.message) == [
                "unknown variable 'titl' (did you mean 'title'?)", "unknown variable 'levle' (did you mean 'level'?)",
            ])
    }

    @Test("a toc item's names are unknown once the section is closed")
    func tocScopeEnds() throws {
        let findings = try check(["page": "{{#toc}}{{/toc}}{{id}}"])
        #expect(findings.map(\.location) == [at("page", 1, 17)])
        #expect(findings.map(\.message) == ["unknown variable 'id'"])
    }

    @Test("an unknown partial is an error with a suggestion and the file to create")
    func unknownPartial() throws {
        let findings = try check(["page": "x\n{{> partials/heder}}", "partials/header": "h"])
        #expect(
            findings.map(\.location) == [at("page", 2, 1)])
        #expect(findings.map(\.message) == ["unknown partial 'partials/heder' (did you mean 'partials/header'?)"])
        #expect(findings.map(\.hint) == ["create templates/partials/heder.mustache"])
    }

    @Test("an unknown parent template is an error with a suggestion")
    func unknownParent() throws {
        let findings = try check(["page": "{{<layuot}}{{/layuot}}", "layout": "x"])
        #expect(
            findings == [
                .error(
                    at("page", 1, 1), "unknown parent template 'layuot' (did you mean 'layout'?)",
                    hint: "create templates/layuot.mustache")
            ])
    }

    @Test("a partial that includes itself is an error at the inclusion")
    func selfInclusion() throws {
        let findings = try check(["page": "x", "loop": "a{{> loop}}"])
        #expect(
            findings == [
                .error(at("loop", 1, 2), "partial 'loop' includes itself; rendering would never end", hint: cycleHint)
            ])
    }

    @Test("two partials that include each other are reported at both inclusions")
    func twoCycle() throws {
        let expected: [Diagnostic] = [
            .error(at("a", 1, 1), "templates include each other in a loop (b -> a -> b); rendering would never end", hint: cycleHint),
            .error(at("b", 2, 2), "templates include each other in a loop (a -> b -> a); rendering would never end", hint: cycleHint),
        ]
        #expect(try check(["a": "{{> b}}", "b": "\n {{> a}}"]) == expected)
        // Reached from a page, the same loop gives the same two findings.
        #expect(try check(["page": "{{> a}}", "a": "{{> b}}", "b": "\n {{> a}}"]) == expected)
    }

    @Test("a mistake in a layout used by two pages is reported once, in the layout")
    func layoutMistakeOnce() throws {
        let findings = try check([
            "layout": "<title>{{site.nmae}}</title>", "page": "{{<layout}}{{/layout}}", "other": "{{<layout}}{{/layout}}",
        ])
        #expect(findings.map(\.location) == [at("layout", 1, 8)])
        #expect(findings.map(\.message) == ["unknown variable 'site.nmae' (did you mean 'site.name'?)"])
    }

    @Test("names inside a partial are checked against the scope where it is included")
    func partialScope() throws {
        #expect(try check(["page": "{{#toc}}{{> item}}{{/toc}}", "item": "{{title}}{{has_children}}"]) == [])
        let findings = try check(["page": "{{> item}}", "item": "{{has_children}}"])
        #expect(findings.map(\.location) == [at("item", 1, 1)])
        #expect(findings.map(\.message) == ["unknown variable 'has_children'"])
    }

    // MARK: Rendering

    private func render(
        _ name: String, _ templates: [String: String], page: TemplateContext.PageInfo, content: String = "", headings: [Heading] = []
    ) throws -> String {
        let set = try load(templates)
        let context = try makeContext()
        #expect(set.check(shape: context.shape) == [])
        return set.render(name, context: context.value(for: page, content: content, headings: headings).mustacheObject)
    }

    private static let terms = TemplateContext.PageInfo(
        title: "Terms & <Co>", description: "d", route: "/terms", effectiveDate: "2024-01-01", updatedDate: "")

    @Test("{{<layout}}{{$main}}...{{/main}}{{/layout}} fills the layout's block and keeps its defaults")
    func inheritance() throws {
        let templates = [
            "layout": "<main>{{$main}}default{{/main}}</main><title>{{$title}}{{site.name}}{{/title}}</title>",
            "page": "{{<layout}}{{$main}}Hello {{page.title}}{{/main}}{{/layout}}",
        ]
        #expect(
            try render("page", templates, page: Self.terms)
                == "<main>Hello Terms &amp; &lt;Co&gt;</main><title>Acme &amp; Co &lt;Labs&gt;</title>")
        #expect(
            try render("layout", templates, page: Self.terms) == "<main>default</main><title>Acme &amp; Co &lt;Labs&gt;</title>")
    }

    struct DateCase: CustomTestStringConvertible, Sendable {
        let name: String
        let updated: String?
        let output: String
        var testDescription: String { name }
    }

    static let dateCases: [DateCase] = [
        DateCase(name: "no date: the section is skipped", updated: nil, output: "[none]"),
        DateCase(name: "empty date: the section is skipped", updated: "", output: "[none]"),
        DateCase(name: "a date: the section shows it", updated: "2024-02-01", output: "[updated 2024-02-01]"),
    ]

    @Test("empty text is false in a section, so {{#page.updated_date}} shows only with a date", arguments: dateCases)
    func emptyTextIsFalse(_ testCase: DateCase) throws {
        let page = TemplateContext.PageInfo(title: "T", description: "", route: "/terms", updatedDate: testCase.updated)
        let template =
            "[{{#page.updated_date}}updated {{page.updated_date}}{{/page.updated_date}}{{^page.updated_date}}none{{/page.updated_date}}]"
        #expect(try render("page", ["page": template], page: page) == testCase.output)
    }

    @Test("{{name}} escapes < > & in values, {{{name}}} does not")
    func escaping() throws {
        let output = try render("page", ["page": "{{page.title}}|{{{content}}}|{{content}}"], page: Self.terms, content: "<p>a & b</p>")
        #expect(output == "Terms &amp; &lt;Co&gt;|<p>a & b</p>|&lt;p&gt;a &amp; b&lt;/p&gt;")
    }

    @Test("the table of contents lists level-2 headings with their deeper headings as children")
    func tableOfContents() throws {
        let headings = [
            Heading(level: 1, title: "Title", id: "title", line: 1),
            Heading(level: 2, title: "A", id: "a", line: 3), Heading(level: 3, title: "B", id: "b", line: 5),
            Heading(level: 4, title: "Too deep", id: "deep", line: 7), Heading(level: 2, title: "C", id: "c", line: 9),
        ]
        let template =
            "{{#has_toc}}{{#toc}}[{{id}}:{{title}}:{{level}}{{#has_children}}({{#children}}{{id}}{{/children}}){{/has_children}}]{{/toc}}{{/has_toc}}{{^has_toc}}no toc{{/has_toc}}"
        #expect(try render("page", ["page": template], page: Self.terms, headings: headings) == "[a:A:2(b)][c:C:2]")
        #expect(try render("page", ["page": template], page: Self.terms) == "no toc")
    }
}

@Suite("TemplateSet: positions and suggestions")
struct TemplateSetPositionTests {
    @Test("a syntax error swift-mustache finds is reported at its 1-based column")
    func parserErrorColumn() {
        #expect(loadErrors(["templates/page.mustache": "ab\ncd {{page title}}"]).map(\.location) == [at("page", 2, 11)])
    }

    @Test("inside a section, suggestions prefer the item's own fields")
    func innermostSuggestion() throws {
        let messages = try check(["templates/page.mustache": "{{#toc}}{{titel}}{{/toc}}"]).map(\.message)
        #expect(messages == ["unknown variable 'titel' (did you mean 'title'?)"])
    }
}

@Suite("TemplateContext")
struct TemplateContextTests {
    /// A value swift-mustache renders, written out with sorted keys so two can be compared.
    static func describe(_ value: Any) -> String {
        switch value {
        case let fields as [String: Any]:
            "{" + fields.sorted { $0.key < $1.key }.map { "\($0.key): \(describe($0.value))" }.joined(separator: ", ") + "}"
        case let object as PageContextObject: describe(object.fields)
        case let object as PageObject: describe(object.fields)
        case let items as [Any]: "[" + items.map(describe).joined(separator: ", ") + "]"
        case let text as MustacheText: "'\(text.value)'"
        case let flag as Bool: "\(flag)"
        default: "?\(value)"
        }
    }

    @Test("the context made with its constant parts once is the context of value(for:)", arguments: [false, true])
    func sameContext(withHeadings: Bool) throws {
        let context = try makeContext(assets: [
            TemplateSet.Asset(source: "templates/assets/style.css", key: "assets/style.0123abcd.css", variable: "style_css", data: Data())
        ])
        let page = TemplateContext.PageInfo(title: "Terms", description: "d", route: "/terms", effectiveDate: "2026-01-01")
        let headings =
            withHeadings ? [Heading(level: 2, title: "A", id: "a", line: 3), Heading(level: 3, title: "B", id: "b", line: 5)] : []
        let made = Self.describe(context.mustacheObject(for: page, content: "<p>x</p>", headings: headings))
        #expect(made == Self.describe(context.value(for: page, content: "<p>x</p>", headings: headings).mustacheObject))
        #expect(made.contains("legal_name: 'Acme Labs, Inc.'"))
        #expect(made.contains("style_css: '/assets/style.0123abcd.css'"))
    }
}

@Suite("TemplateSet: rendering gives what swift-mustache gives")
struct TemplateRenderingTests {
    /// Built anew for each use: `Any` is not `Sendable`.
    static var values: [String: Any] {
        [
            "plain": "Terms of Service", "markup": "<a href=\"/x?a=1&b=2\">it's</a>", "accents": "Café — naïve",
            "list": [["name": "one"], ["name": "<two>"]], "flag": true, "html": "<p>kept</p>",
        ]
    }

    @Test(
        "templates render as swift-mustache renders them on its own, first lines and standalone tags included",
        arguments: [
            "{{plain}}", "{{! a comment on the first line }}\n<p>{{markup}}</p>\n", "{{#flag}}\n{{accents}}\n{{/flag}}\n",
            "  {{plain}}\n", "{{#list}}<li>{{name}}</li>{{/list}}", "{{{html}}} {{&html}} {{html}}", "\n\n{{markup}}",
            "{{^missing}}\n'none' & \"quoted\"\n{{/missing}}",
        ])
    func sameAsLibrary(_ text: String) throws {
        let expected = try MustacheTemplate(string: text).render(Self.values)
        #expect(try load(["page": text]).render("page", context: Self.values) == expected)
    }

    @Test("partials and parents render as they do in a library of the same templates")
    func partials() throws {
        let templates = [
            "page": "{{<layout}}\n{{$main}}\n<p>{{markup}}</p>\n{{/main}}\n{{/layout}}\n",
            "layout": "{{! the layout }}\n<main>\n{{$main}}default{{/main}}\n{{>footer}}\n</main>\n",
            "footer": "  <footer>{{plain}} {{accents}}</footer>\n",
        ]
        let library = MustacheLibrary(templates: try templates.mapValues { try MustacheTemplate(string: $0) })
        let expected = library.render(Self.values, withTemplate: "page")
        #expect(expected?.contains("&lt;a href=") == true)
        #expect(try load(templates).render("page", context: Self.values) == expected)
    }

    @Test(
        "{{name}} escapes &, <, >, \" and ' byte by byte, as entities",
        arguments: [
            ("", ""), ("plain", "plain"), ("a & b", "a &amp; b"), ("<b>", "&lt;b&gt;"), ("\"q\" 'a'", "&quot;q&quot; &#39;a&#39;"),
            ("é<\u{301}", "é&lt;\u{301}"), ("日本 > 中国", "日本 &gt; 中国"),
        ])
    func escapes(_ value: String, _ expected: String) throws {
        #expect(try load(["page": "{{v}}"]).render("page", context: ["v": value]) == expected)
    }

    @Test("a syntax error on the first line is still reported on line 1, and later ones on their own lines")
    func errorLines() {
        let first = loadErrors(["templates/page.mustache": "{{#a}}{{/b}}"])
        #expect(first.map(\.location.line) == [1])
        let third = loadErrors(["templates/page.mustache": "x\ny\n{{#a}}{{/b}}"])
        #expect(third.map(\.location.line) == [3])
    }
}

@Suite("TemplateContext: a page's context renders as its dictionary does")
struct PageContextObjectTests {
    static let headings = [
        Heading(level: 1, title: "Title", id: "title", line: 1), Heading(level: 2, title: "Scope & <terms>", id: "scope", line: 3),
        Heading(level: 3, title: "Detail", id: "detail", line: 5), Heading(level: 2, title: "Contact", id: "contact", line: 7),
        Heading(level: 4, title: "Deep", id: "deep", line: 9),
    ]

    @Test(
        "every name, section and transform gives the same text from the page object and from the dictionary",
        arguments: [
            "{{page.title}} {{page.description}} {{page.route}} {{page.url}} {{page.effective_date}}|{{page.updated_date}}",
            "{{site.name}} {{legal.terms}} {{spa.mount_id}} {{{content}}} {{content}}",
            "{{#has_toc}}<ol>{{#toc}}<li id=\"{{id}}\">{{title}} {{level}}{{#has_children}}<ol>{{#children}}<li>{{title}} {{page.title}}</li>{{/children}}</ol>{{/has_children}}</li>{{/toc}}</ol>{{/has_toc}}",
            "{{^has_toc}}no toc{{/has_toc}}{{#page}}{{title}}/{{route}}{{/page}}{{#page.updated_date}}updated {{.}}{{/page.updated_date}}",
            "{{#site}}{{name}} {{page.title}}{{/site}} {{^page.effective_date}}no date{{/page.effective_date}}",
        ])
    func sameAsDictionary(_ text: String) throws {
        let context = try makeContext()
        let set = try load(["page": text])
        for (headings, info) in [
            (
                Self.headings,
                TemplateContext.PageInfo(title: "Terms", description: "The <rules>", route: "/terms", updatedDate: "2026-11-01")
            ),
            ([], TemplateContext.PageInfo(title: "Home", description: "", route: "/", effectiveDate: "2026-01-15")),
        ] {
            let dictionary = context.value(for: info, content: "<p>Body & more</p>", headings: headings).mustacheObject
            let expected = try MustacheTemplate(string: text).render(dictionary)
            #expect(
                set.render("page", context: context.mustacheObject(for: info, content: "<p>Body & more</p>", headings: headings))
                    == expected)
        }
    }

    @Test("transforms on the page and on the whole context see their dictionaries")
    func transforms() throws {
        let context = try makeContext()
        let info = TemplateContext.PageInfo(title: "Terms", description: "", route: "/terms")
        let object = context.mustacheObject(for: info, content: "", headings: Self.headings)
        let dictionary = context.value(for: info, content: "", headings: Self.headings).mustacheObject
        for text in ["{{count(page)}}", "{{count(.)}}", "{{#empty(page)}}empty{{/empty(page)}}", "{{count(toc)}}"] {
            let template = try MustacheTemplate(string: text)
            #expect(template.render(object) == template.render(dictionary), "\(text)")
        }
    }
}
