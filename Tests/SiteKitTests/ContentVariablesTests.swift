import Testing
@testable import SiteKit

/// A small scope in the shape TemplateContext.contentScope gives content.
private let scope: TemplateValue = .object([
    "site": .object(["name": .text("Acme & Co"), "contact_email": .text("legal@acme.example")]),
    "page": .object(["title": .text("Terms"), "updated_date": .text("")]),
])

private let contentHint = "content can use: page.title, page.updated_date, site.contact_email, site.name"
private let sectionHint = "move sections and partials into a template"

@Suite("ContentVariables: {{name}} tags in Markdown pages")
struct ContentVariablesTests {
    struct ExpandCase: CustomTestStringConvertible, Sendable {
        let name: String
        let input: String
        let output: String
        var failures: [ContentVariables.Failure] = []
        var testDescription: String { name }
    }

    static let expandCases: [ExpandCase] = [
        ExpandCase(name: "text without tags is unchanged", input: "Plain {text} here", output: "Plain {text} here"),
        ExpandCase(name: "a variable is replaced by its text", input: "Hi {{site.name}}!", output: "Hi Acme & Co!"),
        ExpandCase(name: "spaces inside the braces are allowed", input: "{{ site.name }}", output: "Acme & Co"),
        ExpandCase(
            name: "triple braces and & give the same text", input: "{{{site.name}}}/{{& site.name}}",
            output: "Acme & Co/Acme & Co"),
        ExpandCase(name: "several tags in one text", input: "{{page.title}} of {{site.name}}", output: "Terms of Acme & Co"),
        ExpandCase(name: "an empty value gives empty text", input: "[{{page.updated_date}}]", output: "[]"),
        ExpandCase(name: "a comment disappears", input: "a{{! note }}b", output: "ab"),
        ExpandCase(
            name: "an unknown name is kept as written, with a suggestion", input: "Hello {{site.nmae}}",
            output: "Hello {{site.nmae}}",
            failures: [
                .init(tag: "{{site.nmae}}", message: "unknown variable 'site.nmae' (did you mean 'site.name'?)", hint: contentHint)
            ]),
        ExpandCase(
            name: "an unknown name far from every known one has no suggestion", input: "{{weather}}", output: "{{weather}}",
            failures: [.init(tag: "{{weather}}", message: "unknown variable 'weather'", hint: contentHint)]),
        ExpandCase(
            name: "a group of values is not text", input: "{{site}}", output: "{{site}}",
            failures: [
                .init(
                    tag: "{{site}}", message: "'site' is a group of values, not text",
                    hint: "name one of: site.contact_email, site.name")
            ]),
        ExpandCase(
            name: "a section is rejected", input: "{{#site.name}}x{{/site.name}}", output: "{{#site.name}}x{{/site.name}}",
            failures: [
                .init(
                    tag: "{{#site.name}}",
                    message: "'{{#site.name}}': only variables such as {{site.name}} can be used in content", hint: sectionHint),
                .init(
                    tag: "{{/site.name}}",
                    message: "'{{/site.name}}': only variables such as {{site.name}} can be used in content", hint: sectionHint),
            ]),
        ExpandCase(
            name: "a partial is rejected", input: "{{> footer}}", output: "{{> footer}}",
            failures: [
                .init(
                    tag: "{{> footer}}", message: "'{{> footer}}': only variables such as {{site.name}} can be used in content",
                    hint: sectionHint)
            ]),
        ExpandCase(
            name: "an inverted section is rejected", input: "{{^page.title}}", output: "{{^page.title}}",
            failures: [
                .init(
                    tag: "{{^page.title}}",
                    message: "'{{^page.title}}': only variables such as {{site.name}} can be used in content", hint: sectionHint)
            ]),
        ExpandCase(
            name: "an unclosed tag is reported and left as written", input: "Hi {{site.name", output: "Hi {{site.name",
            failures: [
                .init(
                    tag: "{{site.name", message: "'{{' is never closed with '}}'",
                    hint: "close the tag, or put the text in `backticks` to show it as code")
            ]),
    ]

    @Test("expand(_:) replaces known variables and reports every other tag", arguments: expandCases)
    func expand(_ testCase: ExpandCase) {
        let (text, failures) = ContentVariables(scope: scope).expand(testCase.input)
        #expect(text == testCase.output)
        #expect(failures == testCase.failures)
    }

    @Test(
        "mayContainTags(_:) is true exactly when the text holds two opening braces in a row",
        arguments: [("", false), ("{", false), ("a{b}c", false), ("{ {", false), ("{{", true), ("text {{x}}", true)])
    func mayContainTags(_ text: String, _ expected: Bool) {
        #expect(ContentVariables.mayContainTags(text) == expected)
    }

    @Test("a flag value expands to true or to empty text")
    func flags() {
        let variables = ContentVariables(scope: .object(["on": .flag(true), "off": .flag(false)]))
        #expect(variables.expand("[{{on}}|{{off}}]").text == "[true|]")
    }
}

// MARK: - Variables in rendered Markdown

private let siteYAML = """
    site:
      name: Acme & Co <Labs>
      legal_name: Acme Labs, Inc.
      contact_email: legal@acme.example
      base_url: https://acme.example
    pages:
      terms: /terms
    """

private let file = "content/terms.md"

private let renderedHint =
    "content can use: legal.terms, page.description, page.effective_date, page.route, page.title, page.updated_date, page.url, site.address, site.base_url, site.contact_email, site.language, site.legal_name, site.name"

private func variables() throws -> ContentVariables {
    let config = try ConfigLoader.parse(siteYAML, file: "site.yml")
    let context = TemplateContext(config: config, assets: [], bundle: nil)
    let page = TemplateContext.PageInfo(title: "Terms", description: "The terms", route: "/terms")
    return ContentVariables(scope: context.contentScope(for: page))
}

private func render(_ markdown: String, firstLine: Int = 1) throws -> MarkdownRenderer.Output {
    try MarkdownRenderer().render(markdown, file: file, firstLine: firstLine, variables: variables())
}

private func renderErrors(_ markdown: String, firstLine: Int = 1) throws -> [Diagnostic] {
    let variables = try variables()
    do {
        let output = try MarkdownRenderer().render(markdown, file: file, firstLine: firstLine, variables: variables)
        Issue.record("expected an error, got \(output.html)")
        return []
    } catch {
        return error.diagnostics
    }
}

private func at(_ line: Int, _ column: Int) -> SiteKit.SourceLocation {
    SiteKit.SourceLocation(file: file, line: line, column: column)
}

@Suite("ContentVariables in rendered Markdown")
struct RenderedContentVariablesTests {
    @Test("variables are expanded in text and HTML-escaped")
    func textIsEscaped() throws {
        #expect(try render("By {{site.name}}.\n").html == "<p>By Acme &amp; Co &lt;Labs&gt;.</p>\n")
    }

    @Test("variables are expanded in link destinations, link titles and image sources")
    func linkDestinations() throws {
        let output = try render(
            "[x](mailto:{{site.contact_email}}) [t](/x \"{{site.name}}\") ![logo]({{site.base_url}}/logo.png)\n")
        #expect(
            output.html
                == "<p><a href=\"mailto:legal@acme.example\">x</a> <a href=\"/x\" title=\"Acme &amp; Co &lt;Labs&gt;\">t</a> <img src=\"https://acme.example/logo.png\" alt=\"logo\" /></p>\n"
        )
    }

    @Test("variables are expanded in reference definitions and autolinks")
    func referencesAndAutolinks() throws {
        let output = try render("See [terms][t] or <mailto:{{site.contact_email}}>.\n\n[t]: {{legal.terms}}\n")
        #expect(
            output.html
                == "<p>See <a href=\"/terms\">terms</a> or <a href=\"mailto:legal@acme.example\">mailto:legal@acme.example</a>.</p>\n"
        )
    }

    @Test("variables are never expanded in code spans, fenced or indented code")
    func notInCode() throws {
        let output = try render("`{{site.name}}`\n\n```\n{{site.name}}\n```\n\n    {{site.name}}\n")
        #expect(
            output.html
                == "<p><code>{{site.name}}</code></p>\n<pre><code>{{site.name}}\n</code></pre>\n<pre><code>{{site.name}}\n</code></pre>\n"
        )
    }

    @Test("without variables, tags are left as written")
    func withoutVariables() throws {
        let output = try MarkdownRenderer().render("{{site.name}}\n", file: file)
        #expect(output.html == "<p>{{site.name}}</p>\n")
    }

    @Test("a heading's id and title come from its expanded text")
    func headingWithVariable() throws {
        let output = try render("## About {{site.name}}\n")
        #expect(output.html == "<h2 id=\"about-acme--co-labs\">About Acme &amp; Co &lt;Labs&gt;</h2>\n")
        #expect(output.headings == [Heading(level: 2, title: "About Acme & Co <Labs>", id: "about-acme--co-labs", line: 1)])
    }

    @Test("an unknown variable is an error at file:line:column of its tag, with a suggestion")
    func unknownVariable() throws {
        let errors = try renderErrors("para\n\nHello {{site.nmae}} there\n", firstLine: 4)
        #expect(errors == [.error(at(6, 7), "unknown variable 'site.nmae' (did you mean 'site.name'?)", hint: renderedHint)])
        #expect(errors.map { DiagnosticRenderer.position($0.location) } == ["content/terms.md:6:7"])
    }

    @Test("an unknown variable in a link destination is located in the link")
    func unknownVariableInLink() throws {
        let errors = try renderErrors("A [bad](mailto:{{site.contct}}) link\n", firstLine: 10)
        #expect(errors == [.error(at(10, 16), "unknown variable 'site.contct'", hint: renderedHint)])
    }

    @Test("an unknown variable on a later line of a paragraph is located on that line")
    func unknownVariableOnLaterLine() throws {
        let errors = try renderErrors("First line\n  and {{page.titel}}\n")
        #expect(errors == [.error(at(2, 7), "unknown variable 'page.titel' (did you mean 'page.title'?)", hint: renderedHint)])
    }

    @Test("an unknown variable in a table cell is located in the cell")
    func unknownVariableInTable() throws {
        let errors = try renderErrors("|a|\n|-|\n|{{site.nmae}}|\n")
        #expect(errors == [.error(at(3, 2), "unknown variable 'site.nmae' (did you mean 'site.name'?)", hint: renderedHint)])
    }

    @Test("sections and partials in content are errors at each tag")
    func sectionsAndPartials() throws {
        let errors = try renderErrors("{{#site.name}}x{{/site.name}} {{> foo}}\n")
        #expect(
            errors == [
                .error(at(1, 1), "'{{#site.name}}': only variables such as {{site.name}} can be used in content", hint: sectionHint),
                .error(at(1, 16), "'{{/site.name}}': only variables such as {{site.name}} can be used in content", hint: sectionHint),
                .error(at(1, 31), "'{{> foo}}': only variables such as {{site.name}} can be used in content", hint: sectionHint),
            ])
    }

    @Test("a group of values in content is an error naming its members")
    func groupValue() throws {
        let errors = try renderErrors("see {{site}}\n")
        #expect(
            errors == [
                .error(
                    at(1, 5), "'site' is a group of values, not text",
                    hint: "name one of: site.address, site.base_url, site.contact_email, site.language, site.legal_name, site.name")
            ])
    }

    @Test("an unclosed tag in content is an error at its opening braces")
    func unclosedTag() throws {
        let errors = try renderErrors("open {{site.name\n")
        #expect(
            errors == [
                .error(
                    at(1, 6), "'{{' is never closed with '}}'",
                    hint: "close the tag, or put the text in `backticks` to show it as code")
            ])
    }
}

@Suite("ContentVariables: where unknown names are reported")
struct ContentVariableLocationTests {
    @Test("an unknown variable is located at the tag outside a code span, not at a copy inside one")
    func skipsCodeSpans() throws {
        let errors = try renderErrors("Use `{{site.nmae}}` or {{site.nmae}}\n")
        #expect(errors.map(\.location) == [at(1, 24)])
    }

    @Test("an unknown variable in a reference definition is reported once, where the definition is")
    func referenceDefinitions() throws {
        let errors = try renderErrors("[ref]: mailto:{{site.contct}}\n\nSee [x][ref] and [y][ref].\n")
        #expect(errors.map(\.location) == [at(1, 15)])
    }
}
