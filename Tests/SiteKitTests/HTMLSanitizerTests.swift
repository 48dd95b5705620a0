import Foundation
import PropertyBased
import Testing

@testable import SiteKit

/// One piece of raw HTML, what must remain of it, and the removals reported.
struct SanitizerCase: CustomTestStringConvertible, Sendable {
    let name: String
    let input: String
    let output: String
    let removals: [String]
    var testDescription: String { name }

    init(_ name: String, _ input: String, _ output: String, _ removals: [String] = []) {
        self.name = name
        self.input = input
        self.output = output
        self.removals = removals
    }
}

private let handler = "event handlers run script"
private let jsURL = "a javascript: URL would run code or read local files"

@Suite("HTMLSanitizer: raw HTML reduced to what legal text needs")
struct HTMLSanitizerTests {
    static let vectors: [SanitizerCase] = [
        SanitizerCase(
            "harmless HTML stays as it is", "<p class=\"x\">A <b>b</b> <a href=\"/terms#a\" title=\"t\">c</a></p>",
            "<p class=\"x\">A <b>b</b> <a href=\"/terms#a\" title=\"t\">c</a></p>"),
        SanitizerCase(
            "event handler on img", "<img src=x onerror=alert(1)>", "<img src=\"x\">",
            ["removed the onerror attribute of <img>: \(handler)"]),
        SanitizerCase(
            "event handler in upper case", "<P ONCLICK=\"x()\">t</P>", "<p>t</p>",
            ["removed the onclick attribute of <p>: \(handler)"]),
        SanitizerCase(
            "script with its content", "<p>a<script>alert(1)</script>b</p>", "<p>ab</p>",
            ["removed <script> and its content: scripts run code"]),
        SanitizerCase(
            "iframe", "<iframe src=\"https://evil.example\">fallback</iframe>ok", "ok",
            ["removed <iframe> and its content: it shows another page inside this one"]),
        SanitizerCase(
            "iframe srcdoc", "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>", "",
            ["removed <iframe> and its content: it shows another page inside this one"]),
        SanitizerCase(
            "srcdoc on a kept element", "<div srcdoc=\"x\">d</div>", "<div>d</div>",
            ["removed the srcdoc attribute of <div>: it holds a whole HTML page"]),
        SanitizerCase(
            "object", "<object data=\"x.swf\"><param name=a value=b>text</object>", "",
            ["removed <object> and its content: it embeds a plug-in or another document"]),
        SanitizerCase(
            "embed", "<embed src=\"javascript:alert(1)\">", "",
            ["removed <embed> and its content: it embeds a plug-in or another document"]),
        SanitizerCase(
            "style element with an expression", "<style>p{width:expression(alert(1))}</style>t", "t",
            ["removed <style> and its content: style sheets can load URLs and hide or change text"]),
        SanitizerCase(
            "style attribute with url(javascript:)", "<p style=\"background:url(javascript:alert(1))\">s</p>", "<p>s</p>",
            ["removed the style attribute of <p>: inline styles are blocked by the site's Content-Security-Policy, and can load URLs"]),
        SanitizerCase(
            "style attribute with expression(", "<span style=\"width: expression(alert(1))\">s</span>", "<span>s</span>",
            ["removed the style attribute of <span>: inline styles are blocked by the site's Content-Security-Policy, and can load URLs"]),
        SanitizerCase(
            "javascript: href", "<a href=\"javascript:alert(1)\">x</a>", "<a>x</a>",
            ["removed the href attribute of <a>: \(jsURL)"]),
        SanitizerCase(
            "javascript: in mixed case", "<a href=\"JaVaScRiPt:alert(1)\">x</a>", "<a>x</a>",
            ["removed the href attribute of <a>: \(jsURL)"]),
        SanitizerCase(
            "javascript: with a tab inside", "<a href=\"java\tscript:alert(1)\">x</a>", "<a>x</a>",
            ["removed the href attribute of <a>: \(jsURL)"]),
        SanitizerCase(
            "javascript: with an encoded line break", "<a href=\"java&#10;script:alert(1)\">x</a>", "<a>x</a>",
            ["removed the href attribute of <a>: \(jsURL)"]),
        SanitizerCase(
            "javascript: after leading control characters", "<a href=\"\u{1} \u{1F}javascript:alert(1)\">x</a>", "<a>x</a>",
            ["removed the href attribute of <a>: \(jsURL)"]),
        SanitizerCase(
            "javascript: as a character reference", "<a href=\"&#106;avascript:alert(1)\">x</a>", "<a>x</a>",
            ["removed the href attribute of <a>: \(jsURL)"]),
        SanitizerCase(
            "javascript: as a hex character reference", "<a href=\"&#x6A;avascript&#x3A;alert(1)\">x</a>", "<a>x</a>",
            ["removed the href attribute of <a>: \(jsURL)"]),
        SanitizerCase(
            "vbscript: src", "<img src=\"VBScript:msgbox(1)\" alt=\"a\">", "<img alt=\"a\">",
            ["removed the src attribute of <img>: a vbscript: URL would run code or read local files"]),
        SanitizerCase(
            "data: HTML in a link", "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>", "<a>x</a>",
            ["removed the href attribute of <a>: a data: URL would run code or read local files"]),
        SanitizerCase(
            "data: SVG image", "<img src=\"data:image/svg+xml,&lt;svg onload=alert(1)&gt;\">", "<img>",
            ["removed the src attribute of <img>: a data: URL would run code or read local files"]),
        SanitizerCase(
            "data: PNG image stays", "<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"\">",
            "<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"\">"),
        SanitizerCase(
            "another scheme", "<a href=\"ftp://example.com/x\">x</a>", "<a>x</a>",
            ["removed the href attribute of <a>: only http, https, mailto and tel URLs and relative ones are published, not ftp:"]),
        SanitizerCase(
            "allowed URLs", "<a href=\"mailto:a@b.example\">m</a><a href=\"tel:+1\">t</a><a href=\"#x\">f</a><a href=\"../y?q\">r</a>",
            "<a href=\"mailto:a@b.example\">m</a><a href=\"tel:+1\">t</a><a href=\"#x\">f</a><a href=\"../y?q\">r</a>"),
        SanitizerCase(
            "blockquote cite", "<blockquote cite=\"javascript:x\">q</blockquote>", "<blockquote>q</blockquote>",
            ["removed the cite attribute of <blockquote>: \(jsURL)"]),
        SanitizerCase(
            "form with an off-site action", "<form action=\"https://evil.example/steal\"><input name=p><button>Go</button></form>after",
            "after", ["removed <form> and its content: forms send what visitors type elsewhere; legal pages need none"]),
        SanitizerCase(
            "formaction on a button", "<button formaction=\"javascript:alert(1)\">b</button>", "",
            ["removed <button> and its content: forms send what visitors type elsewhere; legal pages need none"]),
        SanitizerCase(
            "formaction on a kept element", "<span formaction=\"javascript:x\">b</span>", "<span>b</span>",
            ["removed the formaction attribute of <span>: not an attribute legal text needs"]),
        SanitizerCase(
            "meta refresh", "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">t", "t",
            ["removed <meta>: it can redirect the page or change how it is read"]),
        SanitizerCase(
            "base", "<base href=\"https://evil.example/\">t", "t",
            ["removed <base>: it changes where every relative link on the page points"]),
        SanitizerCase(
            "link", "<link rel=stylesheet href=\"https://evil.example/x.css\">", "",
            ["removed <link>: it loads style sheets and other resources"]),
        SanitizerCase(
            "svg script", "<svg><script>alert(1)</script><a xlink:href=\"javascript:x\">c</a></svg>t", "t",
            ["removed <svg> and its content: SVG and MathML can carry scripts and links of their own"]),
        SanitizerCase(
            "svg onload", "<svg onload=alert(1)>", "",
            ["removed <svg> and its content: SVG and MathML can carry scripts and links of their own"]),
        SanitizerCase(
            "MathML link", "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>", "",
            ["removed <math> and its content: SVG and MathML can carry scripts and links of their own"]),
        SanitizerCase(
            "template", "<template><img src=x onerror=alert(1)></template>t", "t",
            ["removed <template> and its content: its content is markup for scripts, never shown as it is"]),
        SanitizerCase(
            "unknown element keeps its text", "<x-note data-a=\"1\">kept <b>text</b></x-note>", "kept <b>text</b>",
            ["removed <x-note>, keeping its content: not an element legal text needs"]),
        SanitizerCase(
            "unknown attribute", "<p data-x=\"1\" align=\"left\">t</p>", "<p>t</p>",
            [
                "removed the data-x attribute of <p>: not an attribute legal text needs",
                "removed the align attribute of <p>: not an attribute legal text needs",
            ]),
        SanitizerCase(
            "table attributes", "<table><tr><th scope=\"col\" colspan=\"2\">h</th></tr><tr><td rowspan=\"1\">d</td></tr></table>",
            "<table><tr><th scope=\"col\" colspan=\"2\">h</th></tr><tr><td rowspan=\"1\">d</td></tr></table>"),
        SanitizerCase("comments are left out quietly", "<!-- internal note --><p>a<!-- x -->b</p>", "<p>ab</p>"),
        SanitizerCase("conditional comment with a script", "<!--[if IE]><script>alert(1)</script><![endif]-->t", "t"),
        SanitizerCase(
            "processing instruction", "<?php echo 1; ?>t", "t",
            ["removed a processing instruction (<?...>): it is not HTML"]),
        SanitizerCase(
            "misplaced body with onload", "<body onload=\"alert(1)\">t", "t",
            ["removed <body>: the page's template writes it"]),
        SanitizerCase(
            "text and attribute values are escaped again", "<p title='a\"b&amp;c'>x &lt;script&gt; &amp; y</p>",
            "<p title=\"a&quot;b&amp;c\">x &lt;script&gt; &amp; y</p>"),
        SanitizerCase("unclosed elements are closed", "<div><p>a<em>b", "<div><p>a<em>b</em></p></div>"),
        SanitizerCase("a stray end tag is dropped", "a</div>b", "ab"),
        SanitizerCase("void elements get no end tag", "a<br>b<hr>c", "a<br>b<hr>c"),
        SanitizerCase(
            "boolean attributes", "<details open><summary>S</summary>t</details><ol reversed start=\"3\"><li>x</li></ol>",
            "<details open=\"\"><summary>S</summary>t</details><ol reversed=\"\" start=\"3\"><li>x</li></ol>"),
    ]

    @Test("each active-content vector is removed with its warning", arguments: vectors)
    func vector(_ item: SanitizerCase) {
        let result = HTMLSanitizer().sanitize(item.input)
        #expect(result.html == item.output)
        #expect(result.removals.map(\.message) == item.removals)
        #expect(result.open.isEmpty)
    }

    @Test("removals name the line of the piece they are on")
    func lines() {
        let result = HTMLSanitizer().sanitize("<div>\n<p>a</p>\n<img src=x\n  onerror=alert(1)>\n<script>x</script>\n</div>\n")
        #expect(
            result.removals == [
                .init(line: 4, message: "removed the onerror attribute of <img>: \(handler)"),
                .init(line: 5, message: "removed <script> and its content: scripts run code"),
            ])
        #expect(result.html == "<div>\n<p>a</p>\n<img src=\"x\">\n\n</div>\n")
    }

    @Test("tags given one by one keep or drop start and end tags together")
    func pieces() {
        let steps: [(piece: String, html: String, open: [String])] = [
            ("<span onclick=x>", "<span>", ["span"]),
            ("</span>", "</span>", []),
            ("<em>", "<em>", ["em"]),
            ("<strong>", "<strong>", ["em", "strong"]),
            // Closing the outer element closes the inner one first; the late </strong> has nothing to close.
            ("</em>", "</strong></em>", []),
            ("</strong>", "", []),
            ("<x-widget>", "", []),
            ("</x-widget>", "", []),
            ("<script>", "", ["script"]),
            ("</b>", "", ["script"]),
            ("</script>", "", []),
            ("<div class=\"note\">\n", "<div class=\"note\">\n", ["div"]),
            ("</div>\n", "</div>\n", []),
        ]
        var open: [HTMLSanitizer.OpenElement] = []
        for step in steps {
            let result = HTMLSanitizer().sanitize(step.piece, open: open)
            #expect(result.html == step.html, "\(step.piece)")
            #expect(result.open.map(\.name) == step.open, "\(step.piece)")
            open = result.open
        }
    }

    @Test("the same input always gives the same output")
    func deterministic() {
        let input = HTMLSanitizerTests.vectors.map(\.input).joined(separator: "\n")
        let first = HTMLSanitizer().sanitize(input)
        #expect((0..<5).allSatisfy { _ in HTMLSanitizer().sanitize(input) == first })
    }

    // MARK: Properties

    static let soupPieces = [
        "<a", "<img", "<p", "<div", "<span", "<svg", "<math", "<script", "<style", "<iframe", "<form", "<object", "<x-y",
        "<table", "<td", "</a>", "</p>", "</div>", "</script>", "</svg>", "</table>", "</", ">", "/>", " ", "\n", "\t", "\"",
        "'", "=", " href=", " src=", " action=", " formaction=", " cite=", " onerror=", " OnClick=", " onload=", " style=",
        " srcdoc=", " xlink:href=", "javascript:", "JaVaScRiPt:", "java\tscript:", "vbscript:", "data:text/html,",
        "data:image/svg+xml,", "&#106;", "&#x6A;", "&#58;", "&colon;", "&Tab;", "&#0;", "&#9;", "alert(1)", "url(", "expression(",
        "<!--", "-->", "<?", "?>", "<![CDATA[", "]]>", "&", "&amp;", "é", "\u{0}", "\u{1}", "x",
    ]

    @Test("no tag soup gives an event handler, a dangerous URL or an unbalanced tag, or crashes")
    func soup() async {
        await propertyCheck(
            count: 400, input: Gen<String?>.element(of: Self.soupPieces).array(of: 0...40).map { $0.compactMap { $0 }.joined() }
        ) { soup in
            let result = HTMLSanitizer().sanitize(soup)
            let document = HTMLDocument(parsing: "<!DOCTYPE html><html><body>" + result.html + "</body></html>")
            for element in document.elements {
                for attribute in element.attributes {
                    #expect(!attribute.name.hasPrefix("on"), "\(attribute.name) in \(result.html)")
                    #expect(attribute.name != "style" && attribute.name != "srcdoc", "\(attribute.name) in \(result.html)")
                    if ["href", "src", "cite", "action", "formaction"].contains(attribute.name) {
                        #expect(URLScheme.dangerous(attribute.value) == nil, "\(attribute.value) in \(result.html)")
                        let scheme = URLScheme.scheme(of: attribute.value)
                        #expect(scheme == nil || URLScheme.publishable.contains(scheme ?? "") || scheme == "data")
                    }
                }
                #expect(HTMLSanitizer.elements[element.name] != nil || ["html", "body"].contains(element.name), "<\(element.name)>")
            }
            // What was written is read back the same: every element closed, nothing implied or misplaced.
            #expect(document.errors.isEmpty, "\(document.errors.map(\.message)) in \(result.html)")
            #expect(HTMLSanitizer().sanitize(result.html).html == result.html, "sanitizing twice changes \(result.html)")
        }
    }
}

/// The real build of a project that allows raw HTML: the warnings it prints and the page it publishes.
@Suite("Raw HTML in a real build", .serialized)
struct RawHTMLBuildTests {
    @Test("site build removes active content, warns at each file:line and publishes the rest")
    func build() throws {
        let project = try TemporaryProject(
            TestProject.with([
                "site.yml": TestProject.config + "\ncontent:\n  allow_raw_html: true\n",
                "content/terms.md": """
                ---
                title: Terms of Service
                effective: 2026-01-15
                ---
                ## Who we are

                <!-- reviewed by counsel, not for the public -->

                <p class="lead" onclick="steal()">We are <b>Acme</b>.</p>

                <script>alert(1)</script>

                See <a href="javascript:alert(1)">this</a> and <img src="https://cdn.acme.example/logo.png" alt="" onerror="x()">.

                """,
            ]))
        let outcome = try SiteExecutable.run(["build", "-q"], in: project.root)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let warnings = outcome.stderr.split(separator: "\n").filter { $0.contains(": warning: ") }
        #expect(
            warnings == [
                "content/terms.md:9:1: warning: removed the onclick attribute of <p>: event handlers run script",
                "content/terms.md:11:1: warning: removed <script> and its content: scripts run code",
                "content/terms.md:13:5: warning: removed the href attribute of <a>: a javascript: URL would run code or read local files",
                "content/terms.md:13:48: warning: removed the onerror attribute of <img>: event handlers run script",
            ])
        let page = String(decoding: project.snapshot("dist")["terms"] ?? Data(), as: UTF8.self)
        #expect(
            page.contains(
                "<p class=\"lead\">We are <b>Acme</b>.</p>\n<p>See <a>this</a> and <img src=\"https://cdn.acme.example/logo.png\" alt=\"\">.</p>"
            ))
        for gone in ["onclick", "onerror", "<script", "javascript:", "counsel", "<!--"] {
            #expect(!page.contains(gone), "\(gone) was published")
        }
    }
}
