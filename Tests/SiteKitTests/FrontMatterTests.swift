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
        Case(name: "no front matter", text: "# Terms\n", expected: ["content/terms.md:1:1: error: missing front matter"]),
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
            expected: ["content/terms.md:3:8: error: route '/../../etc/passwd' must not contain '.' or '..' segments (it would escape its folder)"]),
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
            expected: ["content/terms.md:3:1: error: invalid YAML: found a tab character that violates indentation while scanning a plain scalar"]),
        Case(
            name: "alias that is not a path", text: "---\ntitle: T\naliases: [tos]\n---\n",
            expected: ["content/terms.md:3:11: error: route 'tos' must start with '/'"]),
    ]

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
        #expect(failureLines { try TextDecoding.decode(data, path: "content/x.md") } == ["content/x.md:2:11: error: invalid UTF-8 byte 0xE9"])
    }

    @Test("dates are checked against the calendar", arguments: [
        ("2026-01-31", true), ("2026-02-29", false), ("2024-02-29", true), ("1900-02-29", false), ("2000-02-29", true),
        ("2026-13-01", false), ("2026-1-01", false), ("26-01-01", false), ("2026-04-31", false),
    ])
    func dates(_ text: String, _ valid: Bool) {
        #expect(FrontMatter.isDate(text) == valid)
    }

    @Test("the file path gives the default route", arguments: [
        ("terms.md", "/terms"), ("legal/cookies.md", "/legal/cookies"), ("legal/index.md", "/legal"), ("index.md", "/"),
    ])
    func defaultRoutes(_ path: String, _ route: String) {
        #expect(ContentLoader.defaultRoute(for: path) == route)
    }
}

import Foundation
