import Foundation
import Testing
@testable import SiteKit

private let file = "content/terms.md"

private func render(
    _ markdown: String, firstLine: Int = 1, allowRawHTML: Bool = false
) throws(DiagnosticError) -> MarkdownRenderer.Output {
    try MarkdownRenderer(allowRawHTML: allowRawHTML).render(markdown, file: file, firstLine: firstLine)
}

/// The diagnostics a page that must not render produces.
private func renderErrors(_ markdown: String, firstLine: Int = 1) -> [Diagnostic] {
    do {
        let output = try render(markdown, firstLine: firstLine)
        Issue.record("expected an error, got \(output.html)")
        return []
    } catch {
        return error.diagnostics
    }
}

private func at(_ line: Int, _ column: Int) -> SiteKit.SourceLocation {
    SiteKit.SourceLocation(file: file, line: line, column: column)
}

@Suite("MarkdownRenderer: GitHub-flavoured Markdown to HTML")
struct MarkdownRendererTests {
    // MARK: GFM extensions

    @Test("table alignment becomes class=\"align-...\" and no align= attribute is left")
    func tableAlignment() throws {
        let output = try render("| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n")
        #expect(
            output.html == """
                <table>
                <thead>
                <tr>
                <th class="align-left">a</th>
                <th class="align-center">b</th>
                <th class="align-right">c</th>
                <th>d</th>
                </tr>
                </thead>
                <tbody>
                <tr>
                <td class="align-left">1</td>
                <td class="align-center">2</td>
                <td class="align-right">3</td>
                <td>4</td>
                </tr>
                </tbody>
                </table>

                """)
        #expect(!output.html.contains("align="))
    }

    @Test("a footnote reference links to a footnotes section with a back link")
    func footnotes() throws {
        let output = try render("Text[^1].\n\n[^1]: Note.\n")
        #expect(
            output.html == """
                <p>Text<sup class="footnote-ref"><a href="#fn-1" id="fnref-1" data-footnote-ref>1</a></sup>.</p>
                <section class="footnotes" data-footnotes>
                <ol>
                <li id="fn-1">
                <p>Note. <a href="#fnref-1" class="footnote-backref" data-footnote-backref aria-label="Back to content">↩</a></p>
                </li>
                </ol>
                </section>

                """)
    }

    @Test("~~text~~ becomes <del>")
    func strikethrough() throws {
        #expect(try render("~~gone~~ stays\n").html == "<p><del>gone</del> stays</p>\n")
    }

    @Test("task list items become disabled checkboxes with a name, checked for [x]")
    func taskLists() throws {
        let output = try render("- [ ] todo\n- [x] done\n")
        #expect(
            output.html == """
                <ul>
                <li><input type="checkbox" disabled="" aria-label="Not done" /> todo</li>
                <li><input type="checkbox" checked="" disabled="" aria-label="Done" /> done</li>
                </ul>

                """)
    }

    @Test("bare www. and https:// addresses become links")
    func autolinks() throws {
        let output = try render("Visit www.example.com or https://x.example/a.\n")
        #expect(
            output.html
                == "<p>Visit <a href=\"http://www.example.com\">www.example.com</a> or <a href=\"https://x.example/a\">https://x.example/a</a>.</p>\n"
        )
    }

    // MARK: Raw HTML

    @Test("raw HTML is dropped with one warning per line, counted from firstLine")
    func rawHTMLDropped() throws {
        let output = try render("<div>hi</div>\n\npara <b>x</b>\n", firstLine: 5)
        #expect(output.html == "<!-- raw HTML omitted -->\n<p>para <!-- raw HTML omitted -->x<!-- raw HTML omitted --></p>\n")
        let hint = "write it in Markdown, or set content.allow_raw_html: true in site.yml"
        #expect(
            output.warnings == [
                .warning(at(5, 0), "raw HTML dropped from the page", hint: hint),
                .warning(at(7, 0), "raw HTML dropped from the page", hint: hint),
            ])
    }

    @Test("with allowRawHTML, raw HTML is kept and nothing is reported")
    func rawHTMLAllowed() throws {
        let output = try render("<div>hi</div>\n\npara <b>x</b>\n", allowRawHTML: true)
        #expect(output.html == "<div>hi</div>\n<p>para <b>x</b></p>\n")
        #expect(output.warnings.isEmpty)
    }

    @Test("HTML comments are left out without a warning, block or inline, whether raw HTML is allowed or not")
    func commentsDropped() throws {
        let markdown = "<!-- internal: check with counsel -->\n\npara <!-- note --> x\n"
        for allowed in [false, true] {
            let output = try render(markdown, allowRawHTML: allowed)
            #expect(output.html == "<p>para  x</p>\n")
            #expect(output.warnings.isEmpty)
        }
    }

    @Test("with allowRawHTML, active content is removed and each removal is a warning at its line, counted from firstLine")
    func rawHTMLSanitized() throws {
        let markdown = """
            Text <img src=x onerror=alert(1)> and <span onclick="x()">*in*</span>.

            <div class="note" style="color:red">

            Some **Markdown**.

            </div>

            <p>
            <a href="&#106;avascript:alert(1)">link</a>
            </p>

            """
        let output = try render(markdown, firstLine: 4, allowRawHTML: true)
        #expect(
            output.html == """
                <p>Text <img src="x"> and <span><em>in</em></span>.</p>
                <div class="note">
                <p>Some <strong>Markdown</strong>.</p>
                </div>
                <p>
                <a>link</a>
                </p>

                """)
        #expect(
            output.warnings == [
                .warning(at(4, 6), "removed the onerror attribute of <img>: event handlers run script"),
                .warning(at(4, 39), "removed the onclick attribute of <span>: event handlers run script"),
                .warning(
                    at(6, 1),
                    "removed the style attribute of <div>: inline styles are blocked by the site's Content-Security-Policy, and can load URLs"
                ),
                .warning(at(13, 0), "removed the href attribute of <a>: a javascript: URL would run code or read local files"),
            ])
    }

    @Test("Markdown between the start and end tags of a removed element goes with it; open elements are closed")
    func rawHTMLAcrossNodes() throws {
        let markdown =
            "<iframe src=\"https://x.example\">\n\n## Hidden\n\ntext\n\n</iframe>\n\nvisible <script>alert(1)</script> <b>open\n\n> <div>\n> quoted\n"
        let output = try render(markdown, allowRawHTML: true)
        #expect(
            output.html == """
                <p>visible  <b>open</b></p>
                <blockquote>
                <div>
                quoted
                </div>
                </blockquote>

                """)
        #expect(output.headings.isEmpty)
        #expect(
            output.warnings == [
                .warning(at(1, 1), "removed <iframe> and its content: it shows another page inside this one"),
                .warning(at(9, 9), "removed <script> and its content: scripts run code"),
            ])
    }

    @Test("Markdown without raw HTML gives no warnings")
    func noWarnings() throws {
        #expect(try render("# Title\n\nText with `<b>` in code.\n").warnings.isEmpty)
    }

    // MARK: Source positions

    struct Document: CustomTestStringConvertible, Sendable {
        let name: String
        let markdown: String
        var testDescription: String { name }
    }

    static let documents: [Document] = [
        Document(name: "headings of every level", markdown: "# One\n\n## Two\n\n### Three\n\n#### Four\n\n##### Five\n\n###### Six\n"),
        Document(name: "setext headings", markdown: "Title\n=====\n\nSub\n---\n"),
        Document(name: "lists and task lists", markdown: "- a\n- b\n  1. c\n\n- [ ] d\n- [x] e\n"),
        Document(name: "block quote with a heading", markdown: "> ## Quoted\n>\n> text\n"),
        Document(name: "table", markdown: "| a | b |\n|:-:|--:|\n| 1 | 2 |\n"),
        Document(name: "code and rule", markdown: "```swift\nlet x = 1\n```\n\n    indented\n\n---\n"),
        Document(name: "footnotes", markdown: "Text[^n].\n\n[^n]: A note.\n"),
        Document(name: "links, images and emphasis", markdown: "A [link](/x \"t\") ![img](/i.png) *em* **strong** ~~del~~\n"),
    ]

    @Test("data-sourcepos never reaches the output", arguments: documents)
    func noSourcePositions(_ document: Document) throws {
        let output = try render(document.markdown, firstLine: 3)
        #expect(!output.html.contains("data-sourcepos"))
        #expect(!output.html.contains("sourcepos"))
    }

    @Test("stripping the kept positions gives the HTML rendered without them", arguments: documents)
    func strippedPositions(_ document: Document) throws {
        let kept = try MarkdownRenderer(keepSourcePositions: true).render(document.markdown, file: file, firstLine: 3).html
        #expect(kept.contains(" data-sourcepos=\""))
        let stripped = HTMLPostProcessor.stripSourcePositions(Data(kept.utf8))
        #expect(String(decoding: stripped, as: UTF8.self) == (try render(document.markdown, firstLine: 3).html))
    }

    @Test(
        "stripSourcePositions removes whole attributes only",
        arguments: [
            ("", ""),
            ("<p>no attribute</p>", "<p>no attribute</p>"),
            ("<p data-sourcepos=\"1:1-1:5\">a</p>", "<p>a</p>"),
            ("<ul data-sourcepos=\"1:1-2:3\">\n<li data-sourcepos=\"1:1-1:3\">b</li>\n</ul>", "<ul>\n<li>b</li>\n</ul>"),
            ("<p>data-sourcepos=\"1:1\" in text</p>", "<p>data-sourcepos=\"1:1\" in text</p>"),
            ("<p data-sourcepos=\"unclosed", "<p data-sourcepos=\"unclosed"),
            ("<p data-sourcepos=\"1:1-1:2\">é</p><h2 data-sourcepos=\"3:1-3:4\">", "<p>é</p><h2>"),
        ])
    func stripsPositions(_ html: String, _ expected: String) {
        #expect(String(decoding: HTMLPostProcessor.stripSourcePositions(Data(html.utf8)), as: UTF8.self) == expected)
    }

    // MARK: Headings

    @Test("headings get GitHub-style ids in the HTML, numbered when repeated")
    func headingIDs() throws {
        let output = try render(
            "# Hello, World!\n\n## Hello, World!\n\n## Hello World\n\n## Ünïcödé Straße\n\n## `code` and *em*\n")
        #expect(
            output.html == """
                <h1 id="hello-world">Hello, World!</h1>
                <h2 id="hello-world-1">Hello, World!</h2>
                <h2 id="hello-world-2">Hello World</h2>
                <h2 id="ünïcödé-straße">Ünïcödé Straße</h2>
                <h2 id="code-and-em"><code>code</code> and <em>em</em></h2>

                """)
        #expect(output.headings.map(\.id) == ["hello-world", "hello-world-1", "hello-world-2", "ünïcödé-straße", "code-and-em"])
        #expect(output.headings.map(\.title) == ["Hello, World!", "Hello, World!", "Hello World", "Ünïcödé Straße", "code and em"])
        #expect(output.headings.map(\.level) == [1, 2, 2, 2, 2])
    }

    @Test("headings inside block quotes and list items get ids too")
    func nestedHeadingIDs() throws {
        let output = try render("> ## Quoted\n\n- ## In list\n")
        #expect(
            output.html == """
                <blockquote>
                <h2 id="quoted">Quoted</h2>
                </blockquote>
                <ul>
                <li>
                <h2 id="in-list">In list</h2>
                </li>
                </ul>

                """)
    }

    @Test("an empty heading gets the id section")
    func emptyHeading() throws {
        let output = try render("## !!!\n\n##\n")
        #expect(output.html == "<h2 id=\"section\">!!!</h2>\n<h2 id=\"section-1\"></h2>\n")
    }

    @Test("heading lines are 1-based lines of the file, counted from firstLine")
    func headingLines() throws {
        let output = try render("intro\n\n## Heading One\n\ntext\n\n### Sub\n\nSetext\n------\n", firstLine: 6)
        #expect(
            output.headings == [
                Heading(level: 2, title: "Heading One", id: "heading-one", line: 8),
                Heading(level: 3, title: "Sub", id: "sub", line: 12),
                Heading(level: 2, title: "Setext", id: "setext", line: 14),
            ])
        #expect(output.html.contains("<h2 id=\"heading-one\">Heading One</h2>\n"))
        #expect(output.html.contains("<h3 id=\"sub\">Sub</h3>\n"))
        #expect(output.html.contains("<h2 id=\"setext\">Setext</h2>\n"))
    }

    @Test("an explicit {#id} sets the id and is removed from the heading's text")
    func explicitID() throws {
        let output = try render("## Custom {#my-id}\n\n## Custom\n\n## *Styled* {#styled_2}\n")
        #expect(
            output.html == """
                <h2 id="my-id">Custom</h2>
                <h2 id="custom">Custom</h2>
                <h2 id="styled_2"><em>Styled</em></h2>

                """)
        #expect(output.headings.map(\.id) == ["my-id", "custom", "styled_2"])
        #expect(output.headings.map(\.title) == ["Custom", "Custom", "Styled"])
    }

    @Test("a generated id steps around an explicit id used earlier")
    func generatedAfterExplicit() throws {
        let output = try render("## Intro {#custom}\n\n## Custom\n")
        #expect(output.headings.map(\.id) == ["custom", "custom-1"])
    }

    @Test("a text that is not a valid {#id} stays part of the title")
    func invalidExplicitID() throws {
        let output = try render("## Braces {#two words}\n")
        #expect(output.html == "<h2 id=\"braces-two-words\">Braces {#two words}</h2>\n")
    }

    @Test("the same explicit id twice is an error at the second heading's line and column")
    func duplicateExplicitID() {
        let hint = "give this heading another {#id}, or drop the {#id} to get a numbered one"
        #expect(
            renderErrors("intro\n\n## A {#x}\n\n> ## B {#x}\n", firstLine: 10) == [
                .error(at(14, 3), "heading id 'x' is used twice on this page", hint: hint)
            ])
    }

    @Test("an explicit id equal to an earlier generated id is an error")
    func explicitIDTakenByGenerated() {
        let hint = "give this heading another {#id}, or drop the {#id} to get a numbered one"
        #expect(
            renderErrors("## X\n\n## Y {#x}\n") == [.error(at(3, 1), "heading id 'x' is used twice on this page", hint: hint)])
    }
}

@Suite("MarkdownRenderer: explicit ids inside emphasis")
struct ExplicitIDEmphasisTests {
    @Test("an explicit {#id} at the end of emphasised heading text is removed from the HTML")
    func removesIDInsideEmphasis() throws {
        let output = try MarkdownRenderer().render("## *Title {#id}*\n\n## Title **bold {#b}**\n", file: "content/terms.md")
        #expect(output.html == "<h2 id=\"id\"><em>Title</em></h2>\n<h2 id=\"b\">Title <strong>bold</strong></h2>\n")
        #expect(output.headings.map(\.id) == ["id", "b"])
    }
}

@Suite("MarkdownRenderer: many pages at once")
struct ParallelMarkdownTests {
    @Test("pages rendered in parallel keep their autolinks and strikethroughs (cmark-gfm's global table)")
    func parallelRendering() {
        let markdown = (1...40).map { "Line \($0): see https://example.com/\($0) and ~~old \($0)~~.\n" }.joined(separator: "\n")
        let outputs = Parallel.map(Array(0..<64)) { _ in
            (try? MarkdownRenderer().render(markdown, file: "content/x.md"))?.html ?? ""
        }
        let expected = outputs.first ?? ""
        #expect(expected.components(separatedBy: "<a href=").count - 1 == 40)
        #expect(expected.components(separatedBy: "<del>").count - 1 == 40)
        #expect(outputs.allSatisfy { $0 == expected })
    }
}

@Suite("MarkdownRenderer: large pages")
struct LargeMarkdownTests {
    @Test("a page larger than the arena's blocks renders whole, and the same every time")
    func largePage() throws {
        // A 600 kB paragraph (one buffer growing past the arena's block size), a long list and a long table.
        let word = "word "
        let paragraph = String(repeating: word, count: 120_000)
        let list = (1...3000).map { "- item \($0) with [a link](/terms#\($0))\n" }.joined()
        let table = "| a | b |\n|---|---|\n" + (1...3000).map { "| \($0) | ~~\($0)~~ |\n" }.joined()
        let markdown = "# Big\n\n" + paragraph + "\n\n" + list + "\n" + table
        let first = try MarkdownRenderer().render(markdown, file: "content/big.md")
        let second = try MarkdownRenderer().render(markdown, file: "content/big.md")
        #expect(first == second)
        #expect(first.html.contains("<p>" + String(paragraph.dropLast()) + "</p>"))
        #expect(first.html.components(separatedBy: "<li>").count - 1 == 3000)
        #expect(first.html.components(separatedBy: "<del>").count - 1 == 3000)
        #expect(first.html.hasSuffix("</table>\n"))
    }
}

@Suite("Markdown links: dangerous URL schemes")
struct DangerousSchemeTests {
    @Test(
        "schemes that run code or read local files are found as browsers read them",
        arguments: [
            ("javascript:alert(1)", "javascript"), ("JavaScript:alert(1)", "javascript"), ("  javascript:x", "javascript"),
            ("java\tscript:x", "javascript"), ("java\nscript:x", "javascript"), ("\u{1}javascript:x", "javascript"),
            ("VBSCRIPT:msgbox", "vbscript"), ("file:///etc/passwd", "file"), ("data:text/html;base64,PGgxPg==", "data"),
            ("DATA:text/html,<b>", "data"), ("data:image/svg+xml,<svg/>", "data"),
        ])
    func dangerous(url: String, scheme: String) {
        #expect(TreeWalker.dangerousScheme(url) == scheme)
    }

    @Test(
        "ordinary links and the image data URLs cmark keeps are fine",
        arguments: [
            "https://example.com", "/terms", "#section", "mailto:legal@example.com", "javascript-guide.html", "./file.txt",
            "data:image/png;base64,iVBORw0KGgo=", "DATA:IMAGE/JPEG;base64,xyz", "", "tel:+15555550100",
        ])
    func fine(url: String) {
        #expect(TreeWalker.dangerousScheme(url) == nil)
    }
}

@Suite("MarkdownRenderer: the quick test for tags in text")
struct TagTestTests {
    @Test(
        "the quick test for tags in text answers as searching for '{{' and '{%' does",
        arguments: ["", "{", "{{", "{%", "a { b", "x {{y}}", "{ {", "%{", "end{", "{}{%", "é{{", "{\u{0}{"])
    func tagTest(_ text: String) {
        let plain = text.contains("{{") || text.contains("{%")
        // As C text: cmark's literals end at the first NUL.
        let visible = String(text.prefix { $0 != "\u{0}" })
        #expect(text.withCString { TreeWalker.mayHoldTag($0) } == (visible.contains("{{") || visible.contains("{%")))
        if !text.contains("\u{0}") { #expect(text.withCString { TreeWalker.mayHoldTag($0) } == plain) }
    }
}
