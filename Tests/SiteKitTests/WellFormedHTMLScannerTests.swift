import Foundation
import Testing

@testable import SiteKit

/// The scanner must read a page exactly as libxml2 does, or decline it.
@Suite("WellFormedHTMLScanner")
struct WellFormedHTMLScannerTests {
    static func libxml2(_ html: String) -> HTMLDocument { HTMLDocument(libxml2Parsing: Data(html.utf8)) }
    static func scanned(_ html: String) -> HTMLDocument? { Data(html.utf8).withUnsafeBytes { WellFormedHTMLScanner.scan($0) } }

    /// libxml2's errors that the checks report.
    static func errors(_ document: HTMLDocument) -> [HTMLDocument.ParseError] {
        document.errors.filter { !SiteChecker.ignoredParseErrors.contains($0.code) }
    }

    /// Whether a scanned page is what libxml2 reads, element by element; a line naming the first difference otherwise.
    static func difference(_ html: String) -> String? {
        guard let scanned = scanned(html) else { return nil }
        let parsed = libxml2(html)
        if let error = errors(parsed).first { return "scanned, but libxml2 reports \(error.code) \(error.message) at line \(error.line)" }
        if parsed.hasHTML5Doctype != scanned.hasHTML5Doctype { return "doctype differs" }
        for (index, (left, right)) in zip(scanned.elements, parsed.elements).enumerated() where left != right {
            return "element \(index): scanned \(left), libxml2 \(right)"
        }
        if scanned.elements.count != parsed.elements.count {
            return "scanned \(scanned.elements.count) elements, libxml2 \(parsed.elements.count)"
        }
        return nil
    }

    static func page(head: String = "", body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Terms &amp; Conditions</title>
        \(head)
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    static let readable: [(String, String)] = [
        (
            "headings and paragraphs",
            page(body: "<main><h1 id=\"t\">Title &lt;1&gt;</h1>\n<p data-sourcepos=\"3:1-3:5\">Hi <em>there</em></p></main>")
        ),
        (
            "lists and nested lists",
            page(body: "<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n<li><p>c</p>\n<ol start=\"3\">\n<li>d</li>\n</ol>\n</li>\n</ul>")
        ),
        (
            "a table",
            page(
                body:
                    "<table>\n<thead>\n<tr>\n<th class=\"align-left\">a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n</tr>\n</tbody>\n</table>"
            )
        ),
        (
            "links, images and void elements",
            page(body: "<p><a href=\"/terms#x?a=1&amp;b=2\" title='it&#39;s'>x</a><br />\n<img src=\"/a.png\" alt=\"\"></p>\n<hr>")
        ),
        (
            "task list boxes",
            page(body: "<ul>\n<li><input type=\"checkbox\" checked=\"\" disabled=\"\" aria-label=\"Done\" /> done</li>\n</ul>")
        ),
        (
            "script, style and comments",
            page(
                head: "<style>a > b { color: red }</style>\n<script type=\"module\" src=\"/app.js\"></script>",
                body: "<!-- raw HTML omitted -->\n<script>if (a < b && c) { x() }</script>")
        ),
        ("entities and characters", page(body: "<h1>Caf&eacute; &#233; &#xE9; &nbsp; é — 😀</h1>\n<p>a &copy; b</p>")),
        ("attributes across lines, upper-case tags", page(body: "<DIV\n  CLASS=\"x\"\n  data-a=\"1\">\n<SPAN hidden>t</SPAN></DIV>")),
        (
            "footnotes",
            page(
                body:
                    "<p>x<sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1\" data-footnote-ref>1</a></sup></p>\n<section class=\"footnotes\" data-footnotes>\n<ol>\n<li id=\"fn-1\">\n<p>n <a href=\"#fnref-1\" class=\"footnote-backref\" data-footnote-backref aria-label=\"Back to content\">↩</a></p>\n</li>\n</ol>\n</section>"
            )
        ),
        (
            "HTML5 elements",
            page(
                body:
                    "<header><nav><a href=\"/\">Home</a></nav></header>\n<main><article><section><h2 id=\"s\">S</h2><details><summary>x</summary>y</details></section></article></main>\n<footer><small>c</small></footer>"
            )
        ),
    ]

    @Test("reads a well-formed page exactly as libxml2 does", arguments: readable)
    func readsLikeLibxml2(name: String, html: String) {
        #expect(Self.scanned(html) != nil, "\(name): the scanner declined a well-formed page")
        #expect(Self.difference(html) == nil, "\(name)")
    }

    static let declined: [(String, String)] = [
        ("a div in an open paragraph (libxml2 closes the paragraph)", page(body: "<p>a<div>b</div></p>")),
        ("a list item in an open list item", page(body: "<ul><li>a<li>b</li></ul>")),
        ("an unquoted attribute", page(body: "<a href=/x>x</a>")),
        ("an unknown entity", page(body: "<p>&bogus;</p>")),
        ("a bare ampersand", page(body: "<p>a & b</p>")),
        ("mismatched end tags", page(body: "<b><i>x</b></i>")),
        ("text directly in head", page(head: "oops", body: "")),
        ("no doctype", "<html><head><title>x</title></head><body></body></html>"),
        ("an HTML 4 doctype", "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\">\n<html></html>"),
        ("carriage returns", page(body: "<p>a</p>\r\n")),
        ("a control character", page(body: "<p>a\u{1}</p>")),
        ("a repeated attribute", page(body: "<p class=\"a\" class=\"b\">x</p>")),
        ("another charset", "<!DOCTYPE html>\n<html><head><meta charset=\"iso-8859-1\"></head><body></body></html>"),
        ("an end tag nothing opened", page(body: "</br>")),
        ("an element left open", "<!DOCTYPE html>\n<html><body><div>"),
        ("a script with another end tag inside", page(body: "<script>document.write('</div>')</script>")),
        ("a character reference XML forbids", page(body: "<p>&#0;</p>")),
        ("attributes without space between", page(body: "<p class=\"a\"id=\"b\">x</p>")),
        ("a comment with -- inside", page(body: "<!-- a -- b -->")),
        (
            "invalid UTF-8",
            "<!DOCTYPE html>\n<html><body><p>\u{FFFD}</p></body></html>".replacingOccurrences(of: "\u{FFFD}", with: "\u{FFFE}")
        ),
        ("a second body", page(body: "<body></body>")),
        ("text after the end of html", page(body: "") + "trailing"),
    ]

    @Test("declines what libxml2 reads differently", arguments: declined)
    func declines(name: String, html: String) {
        #expect(Self.scanned(html) == nil, "\(name)")
    }

    @Test("the bundled example site's pages are all read by the scanner, as libxml2 reads them")
    func exampleSite() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/example-dist")
        let pages = try Self.pages(in: folder)
        #expect(pages.count >= 4)
        for (file, html) in pages {
            #expect(Self.scanned(html) != nil, "\(file)")
            #expect(Self.difference(html) == nil, "\(file)")
        }
    }

    /// Small edits that tend to break markup, put at random places in readable pages.
    static let edits = [
        "<", ">", "&", "\"", "'", "/", "=", " ", "\n", "<p>", "</p>", "<div>", "</div>", "<li>", "</li>", "<td>", "<tr>",
        "<a>", "</a>", "<html>", "<head>", "<body>", "</body>", "</html>", "<title>", "<h1>", "</h1>", "<br>", "<br/>",
        "<source>", "<wbr>", "<script>", "</script>", "<style>", "<!--", "-->", "&amp;", "&nbsp;", "&#0;", "&#x41;", "&bogus;",
        "é", "\u{1}", "\r", "<!DOCTYPE html>", "<meta charset=\"x\">", " id=\"a\"", " id='a'", " a=b", "<option>", "<dd>",
        "<table>", "<tbody>", "<form>", "<select>", "<frameset>", "<noscript>", "<textarea>", "<pre>", "<b>", "</b>",
        "<p ", "=\"", "<!-", "<?x?>", "<![CDATA[x]]>", "&#x110000;", "&#65", "<h1 id=\"a\">", "\t", "<Table>", "<BR/>",
        "<svg>", "</svg>", "<caption>", "<dt>", "<ul>", "</ul>", "<option>", "\u{FFFE}", "\u{7F}", "&lt", "&#X41;", "<a b>",
    ]

    @Test("after random edits, a page the scanner reads is a page libxml2 reads the same way")
    func randomEdits() {
        var random = SplitMix(seed: 2026)
        var read = 0
        let sources = Self.readable.map(\.1)
        for round in 0..<3000 {
            var bytes = Array(sources[round % sources.count].utf8)
            for _ in 0...random.next(below: 3) {
                let offset = random.next(below: bytes.count + 1)
                if random.next(below: 4) == 0, offset < bytes.count {
                    bytes.removeSubrange(offset..<min(bytes.count, offset + 1 + random.next(below: 8)))
                } else {
                    bytes.insert(contentsOf: Array(Self.edits[random.next(below: Self.edits.count)].utf8), at: offset)
                }
            }
            let html = String(decoding: bytes, as: UTF8.self)
            if Self.scanned(html) != nil { read += 1 }
            if let difference = Self.difference(html) {
                Issue.record("round \(round): \(difference)\n\(html)")
                return
            }
        }
        // Many edits leave a page well-formed (a space, a void element): the comparison ran on those.
        #expect(read > 200)
    }

    /// A folder of rendered pages to compare as well (`SITE_HTML_CORPUS=dist swift test --filter WellFormedHTML`).
    @Test(
        "every page of SITE_HTML_CORPUS is read as libxml2 reads it",
        .enabled(if: ProcessInfo.processInfo.environment["SITE_HTML_CORPUS"] != nil, "SITE_HTML_CORPUS names no folder"))
    func corpus() throws {
        let path = try #require(ProcessInfo.processInfo.environment["SITE_HTML_CORPUS"])
        let pages = try Self.pages(in: URL(fileURLWithPath: path))
        var read = 0
        for (file, html) in pages {
            if Self.scanned(html) != nil { read += 1 }
            #expect(Self.difference(html) == nil, "\(file)")
        }
        print("SITE_HTML_CORPUS: \(pages.count) pages, \(read) read by the scanner")
    }

    /// The shared corpus of real Markdown documents beside the repository, when it is there.
    static let sharedCorpus = TestProject.repositoryRoot.appendingPathComponent("../shared/corpora/swift-evolution").standardizedFileURL
    static var hasSharedCorpus: Bool { FileManager.default.fileExists(atPath: sharedCorpus.path) }

    /// Every document of the shared corpus, rendered as a page body the way a build renders it,
    /// compared element by element: the scanner's reading against libxml2's.
    @Test("every document of the shared corpus, rendered, is read by the scanner as libxml2 reads it", .enabled(if: hasSharedCorpus))
    func sharedCorpusPages() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.sharedCorpus.path).filter { $0.hasSuffix(".md") }.sorted()
        #expect(files.count > 500)
        let renderer = MarkdownRenderer()
        var read = 0
        var rendered = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: Self.sharedCorpus.appendingPathComponent(file).path),
                let output = try? renderer.render(String(decoding: data, as: UTF8.self), file: file)
            else { continue }
            rendered += 1
            let html =
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>T</title></head>\n<body><main>\n\(output.html)</main></body>\n</html>\n"
            if Self.scanned(html) != nil { read += 1 }
            #expect(Self.difference(html) == nil, "\(file): \(Self.difference(html) ?? "")")
        }
        // Most documents render, and most of those are plain enough for the scanner to read itself.
        #expect(rendered > files.count * 9 / 10)
        #expect(read > rendered / 2, "the scanner read \(read) of \(rendered) pages")
    }

    /// The HTML pages under `folder` (stored under their URL path, most without an extension).
    static func pages(in folder: URL) throws -> [(String, String)] {
        try FileManager.default.subpathsOfDirectory(atPath: folder.path).sorted().compactMap { file in
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(file).path),
                data.prefix(15).map({ $0 | 0x20 }) == Array("<!doctype html>".utf8).map({ $0 | 0x20 })
            else { return nil }
            return (file, String(decoding: data, as: UTF8.self))
        }
    }
}

/// A small seeded generator, so a failing round can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
}
