import Testing

@testable import SiteKit

@Suite("backend.env values: one quoting that python-dotenv, Node and a shell read alike")
struct DotenvValueTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var value: String
        var written: String?
        var testDescription: String { value.debugDescription }
    }

    static let cases: [Case] = [
        Case(value: "https://d111111abcdef8.cloudfront.net/auth/callback", written: "https://d111111abcdef8.cloudfront.net/auth/callback"),
        Case(value: "https://a.example/cb?x=1,2&y=%20", written: "'https://a.example/cb?x=1,2&y=%20'"),
        Case(value: "https://a.example/cb?x=1+2=3", written: "https://a.example/cb?x=1+2=3"),
        Case(value: #"["https://a.example","http://localhost:5173"]"#, written: #"'["https://a.example","http://localhost:5173"]'"#),
        Case(value: "a#b", written: "'a#b'"),
        Case(value: "a #b", written: "'a #b'"),
        Case(value: "two words ", written: "'two words '"),
        Case(value: #"say "hi""#, written: #"'say "hi"'"#),
        Case(value: "cost=$5&home=$HOME", written: "'cost=$5&home=$HOME'"),
        Case(value: "a;b(c)", written: "'a;b(c)'"),
        Case(value: "~/x", written: "'~/x'"),
        Case(value: "café", written: "'café'"),
        Case(value: "", written: "''"),
        Case(value: "it's", written: #""it's""#),
        Case(value: "it's #1 & (more)", written: #""it's #1 & (more)""#),
        Case(value: "${HOME}", written: nil),
        Case(value: "it's $5", written: nil),
        Case(value: #"it's "quoted""#, written: nil),
        Case(value: "it's `here`", written: nil),
        Case(value: #"a\b"#, written: nil),
        Case(value: "two\nlines", written: nil),
        Case(value: "tab\there", written: nil),
    ]

    @Test("each value is plain, single-quoted, double-quoted or refused", arguments: cases)
    func written(_ testCase: Case) {
        #expect(DotenvValue.written(testCase.value) == testCase.written)
    }

    @Test("a plain value holds nothing a dotenv reader or a shell treats specially")
    func plainIsSafe() {
        for character in "#'\" $`\\&;()<>|*[]{}~!\t" {
            let value = "a\(character)b"
            #expect(DotenvValue.written(value) != value, "\(value) must be quoted or refused")
        }
    }
}
