import Testing

@testable import SiteKit

@Suite("Front matter")
struct FrontMatterTests {
    func page(_ text: String) throws -> ContentPage {
        try FrontMatter.page(from: text, file: "content/terms.md", defaultRoute: "/terms", defaultTemplate: "legal")
    }

    func failure(_ text: String) -> [String] {
        failureLines { try page(text) }
    }

    @Test("every key is read, and the body starts after the closing fence")
    func readsKeys() throws {
        let result = try page(
            """
            ---
            title: Terms
            description: What you agree to.
            route: /legal/terms
            effective: 2026-01-15
            updated: 2026-02-29
            template: other
            draft: true
            toc: false
            aliases: [/tos, /terms-of-service]
            ---
            Body line
            """.replacingOccurrences(of: "2026-02-29", with: "2028-02-29"))
        #expect(result.title == "Terms")
        #expect(result.description == "What you agree to.")
        #expect(result.route == "/legal/terms")
        #expect(result.effectiveDate == "2026-01-15")
        #expect(result.updatedDate == "2028-02-29")
        #expect(result.template == "other")
        #expect(result.draft)
        #expect(!result.showTOC)
        #expect(result.aliases == ["/tos", "/terms-of-service"])
        #expect(result.body == "Body line")
        #expect(result.bodyLine == 12)
        #expect(result.location(of: "route") == SourceLocation(file: "content/terms.md", line: 4, column: 8))
    }

    @Test("defaults apply when keys are absent")
    func defaults() throws {
        let result = try page("---\ntitle: T\n---\n")
        #expect(result.route == "/terms")
        #expect(result.template == "legal")
        #expect(!result.draft)
        #expect(result.showTOC)
        #expect(result.bodyLine == 4)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var text: String
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no front matter", text: "Terms\n\nText.\n", expected: ["content/terms.md:1:1: error: missing front matter"]),
        Case(
            name: "unclosed fence", text: "---\ntitle: T\n\nBody\n",
            expected: ["content/terms.md:1:1: error: front matter starts with '---' but is never closed"]),
        Case(name: "empty front matter", text: "---\n---\nBody\n", expected: ["content/terms.md:1:1: error: front matter is empty"]),
        Case(
            name: "unknown key with suggestion", text: "---\ntitle: T\ntitel: U\n---\n",
            expected: ["content/terms.md:3:1: error: unknown key 'titel' (did you mean 'title'?)"]),
        Case(
            name: "missing title", text: "---\ndescription: D\n---\n",
            expected: ["content/terms.md:2:1: error: missing required key 'title'"]),
        Case(
            name: "impossible date", text: "---\ntitle: T\neffective: 2026-02-30\n---\n",
            expected: ["content/terms.md:3:12: error: 'effective' must be a date written YYYY-MM-DD, found '2026-02-30'"]),
        Case(
            name: "route escaping the output", text: "---\ntitle: T\nroute: /../../etc/passwd\n---\n",
            expected: [
                "content/terms.md:3:8: error: route '/../../etc/passwd' must not contain '.' or '..' segments (it would escape its folder)"
            ]),
        Case(
            name: "relative route", text: "---\ntitle: T\nroute: terms\n---\n",
            expected: ["content/terms.md:3:8: error: route 'terms' must start with '/'"]),
        Case(
            name: "route with a trailing slash", text: "---\ntitle: T\nroute: /terms/\n---\n",
            expected: ["content/terms.md:3:8: error: route '/terms/' must not end with '/'"]),
        Case(
            name: "draft that is not a boolean", text: "---\ntitle: T\ndraft: soon\n---\n",
            expected: ["content/terms.md:3:8: error: 'draft' must be true or false, found 'soon'"]),
        Case(
            name: "tab in front matter", text: "---\ntitle: T\n\troute: /x\n---\n",
            expected: [
                "content/terms.md:3:1: error: invalid YAML: found a tab character that violates indentation while scanning a plain scalar"
            ]),
        Case(
            name: "alias that is not a path", text: "---\ntitle: T\naliases: [tos]\n---\n",
            expected: ["content/terms.md:3:11: error: alias 'tos' must start with '/'"]),
    ]

    @Test(
        "a text value is plain or quoted; a tag that asks for a conversion is an error at the value",
        arguments: [
            ("title: Terms", nil), ("title: \"Terms\"", nil), ("title: 'Terms'", nil), ("title: !!str Terms", nil),
            ("title: ! Terms", nil), ("title: 2026", nil), ("title: !!binary VGVybXM=", "!!binary"), ("title: !x Terms", "!x"),
            ("title: !!python/object:os.system Terms", "!!python/object:os.system"),
            ("title: !<tag:example.com,2026:t> T", "tag:example.com,2026:t"),
            ("title: T\naliases: !!set {/tos: null}", "!!set"), ("title: T\naliases: !!omap [/tos: 1]", "!!omap"),
            ("title: T\ndraft: !!bool true", nil), ("title: T\ndraft: !maybe true", "!maybe"),
        ] as [(String, String?)])
    func tags(_ yaml: String, rejected tag: String?) {
        let lines = failure("---\n" + yaml + "\n---\nBody\n")
        if let tag {
            #expect(lines.count == 1 && lines[0].contains("is tagged \(tag), which site does not read"), "\(lines)")
            #expect(lines.first?.hasPrefix("content/terms.md:\(yaml.contains("\n") ? 3 : 2):") == true)
        } else {
            #expect(lines.isEmpty, "\(lines)")
        }
    }

    @Test(
        "a body that begins with '# Title' gives the title when none is set, and the heading is not rendered twice",
        arguments: [
            // (file, title, where the title is written, the heading line left in the body)
            ("# Terms of Service\n\nText.\n", "Terms of Service", "content/terms.md:1:3", false),
            ("\n  # Terms #\n\nText.\n", "Terms", "content/terms.md:2:5", false),
            ("# C# rules\n", "C# rules", "content/terms.md:1:3", false),
            ("---\ndescription: D\n---\n# Privacy\nText.\n", "Privacy", "content/terms.md:4:3", false),
            ("---\ntitle: Privacy\n---\n\n# Privacy\nText.\n", "Privacy", "content/terms.md:2:8", false),
            ("---\ntitle: Privacy notice\n---\n# Privacy\nText.\n", "Privacy notice", "content/terms.md:2:8", true),
            ("---\ntitle: Terms\n---\n## Terms\n", "Terms", "content/terms.md:2:8", true),
            ("---\ntitle: Terms\n---\nIntro\n# Terms\n", "Terms", "content/terms.md:2:8", true),
        ] as [(String, String, String, Bool)])
    func leadingHeading(_ text: String, title: String, at location: String, keepsHeading: Bool) throws {
        let page = try page(text)
        #expect(page.title == title)
        #expect(page.locations["title"].map { "\($0.file):\($0.line):\($0.column)" } == location)
        #expect(page.body.contains("#") == keepsHeading || title.contains("#"), "\(page.body)")
        // Lines keep their numbers: the body has as many line breaks as before.
        let split = try FrontMatter.split(text, file: "content/terms.md")
        #expect(page.body.filter(\.isNewline).count == split.body.filter(\.isNewline).count)
    }

    @Test("bad front matter gives an exact, located message", arguments: cases)
    func rejects(_ testCase: Case) {
        #expect(failure(testCase.text) == testCase.expected)
    }

    @Test("a byte-order mark and CRLF line endings are accepted")
    func acceptsBOMAndCRLF() throws {
        let text = try TextDecoding.decode(Data([0xEF, 0xBB, 0xBF]) + Data("---\r\ntitle: T\r\n---\r\nBody\r\n".utf8), path: "x.md")
        let result = try page(text)
        #expect(result.title == "T")
    }

    @Test("invalid UTF-8 is reported with its line and column")
    func rejectsInvalidUTF8() {
        let data = Data("---\ntitle: caf".utf8) + Data([0xE9]) + Data("\n---\n".utf8)
        #expect(
            failureLines { try TextDecoding.decode(data, path: "content/x.md") } == ["content/x.md:2:11: error: invalid UTF-8 byte 0xE9"])
    }

    @Test(
        "dates are checked against the calendar",
        arguments: [
            ("2026-01-31", true), ("2026-02-29", false), ("2024-02-29", true), ("1900-02-29", false), ("2000-02-29", true),
            ("2026-13-01", false), ("2026-1-01", false), ("26-01-01", false), ("2026-04-31", false),
        ])
    func dates(_ text: String, _ valid: Bool) {
        #expect(FrontMatter.isDate(text) == valid)
    }

    @Test(
        "the file path gives the default route",
        arguments: [
            ("terms.md", "/terms"), ("legal/cookies.md", "/legal/cookies"), ("legal/index.md", "/legal"), ("index.md", "/"),
        ])
    func defaultRoutes(_ path: String, _ route: String) {
        #expect(ContentLoader.defaultRoute(for: path) == route)
    }
}

import Foundation

@Suite("Front matter: the simple reader and Yams agree")
struct SimpleFrontMatterTests {
    static let file = "content/terms.md"

    /// The page Yams reads from `text`, or nil when it reports a mistake.
    static func yamlPage(_ text: String) -> ContentPage? {
        guard let split = try? FrontMatter.split(text, file: file), let yaml = split.yaml else { return nil }
        return try? FrontMatter.yamlPage(yaml, split: split, file: file, defaultRoute: "/terms", defaultTemplate: "legal")
    }

    /// The page the simple reader gives, or nil when it leaves `text` to Yams.
    static func simplePage(_ text: String) -> ContentPage? {
        guard let split = try? FrontMatter.split(text, file: file), let yaml = split.yaml,
            let entries = SimpleFrontMatter.entries(yaml)
        else { return nil }
        return SimpleFrontMatter.page(entries, split: split, file: file, defaultRoute: "/terms", defaultTemplate: "legal")
    }

    @Test(
        "common front matter is read without Yams, into the page Yams reads",
        arguments: [
            "title: Terms of Service", "title: \"AI & Automated Agent Policy\"", "title: 'Privacy: the short version'",
            "title: Terms\ndescription: The rules, in short.\neffective: 2026-01-15\nupdated: 2026-11-01",
            "title: Café — naïve\ndraft: false\ntoc: true", "title: T\n\nroute: /legal/terms\ntemplate: page",
            "title: Rock & Roll [live] {1}, 100%", "title: a#b c:d",
            "title: \"\"x\"\"".replacingOccurrences(of: "\"\"x\"\"", with: "\"x\""),
        ])
    func readsCommonForms(_ yaml: String) throws {
        let text = "---\n\(yaml)\n---\nBody.\n"
        let simple = try #require(Self.simplePage(text))
        #expect(simple == Self.yamlPage(text))
    }

    @Test(
        "anything else is left to Yams",
        arguments: [
            "title: T # comment", "title: a: b", "title: yes", "title: null", "title: ~", "title: 2026", "title: \"a\\\"b\"",
            "title: 'it''s'", "title: T\ntitle: U", "title: T\naliases: [/a]", "title: T\nextra: x", "  title: T", "title:  T",
            "title: T ", "title: T\u{7}", "title: \"unclosed", "draft: yes\ntitle: T", "title: T\nroute: /a/",
            "title: T\neffective: 2026-02-30",
            "description: no title", "title: ''", "title: -dash", "title: *alias", "title: a\u{85}b", "title: a\u{2028}b",
            "title:\n  nested",
        ])
    func leavesTheRest(_ yaml: String) {
        #expect(Self.simplePage("---\n\(yaml)\n---\nBody.\n") == nil)
    }

    static let keys = ["title", "description", "route", "effective", "updated", "template", "draft", "toc", "aliases", "Title", "other"]
    static let values = [
        "Terms", "Terms of Service", "\"Quoted: yes\"", "'single'", "\"\"", "''", "a # b", "a #b", "a: b", "a:b", "true", "false", "yes",
        "No", "null", "~", "", "2026-01-15", "2026-13-01", "/terms", "/terms/", "terms", "[/a, /b]", "{a: 1}", "Café", "é", "x\u{85}y",
        "\"a\\nb\"", "'it''s'", "&anchor x", "*ref", "!tag x", "|", ">", "-", "- item", "?", "% x", "@x", "`x`", "1.5", "0x1F", ".inf",
        "y", "n", "On", "OFF", "<<", "=", " leading", "trailing ", "tab\there", "a \"quote\" inside", "url: http://x",
    ]

    /// Values that are right for `key`, in the forms front matter is written in.
    static func suitable(_ key: String) -> [String] {
        switch key {
        case "draft", "toc": ["true", "false", "yes", "True"]
        case "route": ["/terms", "/legal/terms", "/", "\"/quoted\"", "/a b"]
        case "effective", "updated": ["2026-01-15", "2024-02-29", "2023-02-29", "'2026-01-15'", "\"2026-01-15\""]
        default: ["Terms", "Terms of Service", "\"Quoted: yes\"", "'single'", "Café — naïve", "Rock & Roll", "a:b c", "x #y", "Ünïcödé 日本"]
        }
    }

    @Test("on 20,000 random front matters, the simple reader either leaves the text to Yams or reads Yams' page")
    func agreesWithYams() {
        var generator = SplitMix(seed: 0xF207)
        var read = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...4, using: &generator)
            var lines: [String] = []
            for index in 0..<count {
                // Most texts have a title first, so that many are pages at all.
                let key = index == 0 && Bool.random(using: &generator) ? "title" : Self.keys.randomElement(using: &generator)!
                let separator =
                    Int.random(in: 0..<10, using: &generator) < 8 ? ": " : [":", ":  ", " : "].randomElement(using: &generator)!
                // Values that suit the key most of the time, so that many texts are pages.
                let suits = Int.random(in: 0..<10, using: &generator) < 7
                let value = suits ? Self.suitable(key).randomElement(using: &generator)! : Self.values.randomElement(using: &generator)!
                lines.append(key + separator + value)
                if Int.random(in: 0..<10, using: &generator) == 0 { lines.append("") }
            }
            let text = "---\n" + lines.joined(separator: "\n") + "\n---\nBody.\n"
            guard let simple = Self.simplePage(text) else { continue }
            read += 1
            #expect(simple == Self.yamlPage(text), "\(text.debugDescription)")
        }
        #expect(read > 1_000)
    }
}
