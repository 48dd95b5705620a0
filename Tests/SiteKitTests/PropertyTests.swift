import Foundation
import PropertyBased
import Testing

@testable import SiteKit

/// Random front matter, Markdown and templates, stitched from pieces that tend to break parsers:
/// whatever the input, a build either succeeds or fails with located diagnostics; it never crashes,
/// and the same input always gives the same outcome.
@Suite("Properties of arbitrary input")
struct PropertyTests {
    static let frontMatterPieces = [
        "title: T\n", "title: \"x\n", "title: [a, b]\n", "route: /x\n", "route: /../y\n", "route: //z\n",
        "aliases: [/a, /a]\n", "effective: 2026-02-30\n", "draft: true\n", "toc: maybe\n", "\t", "a: &a [1]\n",
        "b: *a\n", "c: *nope\n", "title: T\ntitle: U\n", "---\n", ": :\n", "{", "}", "\u{FEFF}", "é", "\r\n",
    ]
    static let markdownPieces = [
        "{{site.name}}", "{{site.nope}}", "{{", "}}", "{{{page.title}}}", "{{#x}}", "{{/x}}", "{{> p}}", "`", "```\n",
        "## Heading {#h}\n", "## Heading {#h}\n", "# Title\n", "[a](/terms#x)", "[b](/nowhere)", "[c](#h)", "<div>",
        "</p>", "| a | b |\n|---|---|\n| 1 | 2 |\n", "[^1]\n\n[^1]: note\n", "~~x~~", "- [ ] task\n", "&", "<!-- -->",
        "\n", "\n\n", " ", "AKIA", "0123456789ABCDEF", "mailto:{{site.contact_email}}", "\u{0}",
    ]
    static let templatePieces = [
        "{{page.title}}", "{{nope}}", "{{#toc}}", "{{/toc}}", "{{^has_toc}}", "{{/has_toc}}", "{{> partials/header}}",
        "{{> 404}}", "{{<layout}}", "{{/layout}}", "{{$main}}", "{{/main}}", "{{!c}}", "{{=<% %>=}}", "{{{content}}}",
        "{{", "}}", "<h1>", "</h1>", "<a href=\"/x\">", "</a>", "&", "\n", "<div id=\"a\">", "<div id=\"a\">",
    ]

    @Test("any front matter, Markdown and template builds or fails with located diagnostics")
    func neverCrashes() async {
        await propertyCheck(
            count: 150,
            input: Gen<String?>.element(of: Self.frontMatterPieces).array(of: 0...6).map { $0.compactMap { $0 }.joined() },
            Gen<String?>.element(of: Self.markdownPieces).array(of: 0...20).map { $0.compactMap { $0 }.joined() },
            Gen<String?>.element(of: Self.templatePieces).array(of: 0...12).map { $0.compactMap { $0 }.joined() }
        ) { frontMatter, markdown, template in
            let files = TestProject.with([
                "content/privacy.md": "---\n" + frontMatter + "---\n" + markdown,
                "templates/404.mustache": template,
            ])
            let first = outcome(files)
            #expect(first == outcome(files), "the same input gave two outcomes")
            for diagnostic in first.diagnostics {
                #expect(!diagnostic.location.file.isEmpty)
                #expect(diagnostic.location.line >= 0 && diagnostic.location.column >= 0)
                #expect(!diagnostic.message.isEmpty)
                #expect(diagnostic.location.file != "<internal>", "unexpected error: \(diagnostic.message)")
            }
        }
    }

    @Test("any Markdown renders without source positions and with unique heading ids")
    func markdownOutput() async {
        let pieces = Self.markdownPieces
        await propertyCheck(count: 200, input: Gen<String?>.element(of: pieces).array(of: 0...25).map { $0.compactMap { $0 }.joined() }) {
            (markdown: String) in
            let renderer = MarkdownRenderer()
            do throws(DiagnosticError) {
                let output = try renderer.render(markdown, file: "content/x.md")
                #expect(!output.html.contains("data-sourcepos"))
                #expect(Set(output.headings.map(\.id)).count == output.headings.count, "heading ids repeat")
            } catch {
                // A page that does not render says why, at the page.
                #expect(!error.diagnostics.isEmpty)
                #expect(error.diagnostics.allSatisfy { $0.location.file == "content/x.md" && !$0.message.isEmpty })
            }
        }
    }

    struct Outcome: Equatable {
        var objects: [OutputObject] = []
        var diagnostics: [Diagnostic] = []
    }

    func outcome(_ files: [String: String]) -> Outcome {
        do {
            let result = try TestProject.build(files)
            return Outcome(objects: result.objects, diagnostics: result.warnings)
        } catch let error as DiagnosticError {
            return Outcome(diagnostics: error.diagnostics)
        } catch {
            return Outcome(diagnostics: [.error(SiteKit.SourceLocation(file: "<internal>"), "\(error)")])
        }
    }
}
