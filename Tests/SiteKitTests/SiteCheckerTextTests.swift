import Foundation
import Testing

@testable import SiteKit

/// The checker's byte-level text tests agree with Foundation and the standard library.
@Suite("SiteChecker text tests")
struct SiteCheckerTextTests {
    static let samples = [
        "", " ", "\t", "\n", " \n ", "a", " a", "a ", "\u{00A0}", "\u{2003}x", "\u{2028}", "\u{0085}", "é", "\r\n", "x\u{000B}y",
        "heading-id", "two words", "tab\there", "日本語", "\u{3000}", "\u{FEFF}",
    ]

    @Test("isBlank is Foundation's trimming", arguments: samples)
    func blank(text: String) {
        #expect(SiteChecker.isBlank(text, newlines: false) == text.trimmingCharacters(in: .whitespaces).isEmpty)
        #expect(SiteChecker.isBlank(text, newlines: true) == text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }

    @Test("hasWhitespace is Character.isWhitespace", arguments: samples)
    func whitespace(text: String) {
        #expect(SiteChecker.hasWhitespace(text) == text.contains(where: \.isWhitespace))
    }

    @Test(
        "sortedContains is contains on a sorted list",
        arguments: [[String](), ["a"], ["a", "b"], ["intro", "usage", "usage-1", "zebra"], ["A", "a", "é", "日本"]])
    func sortedSearch(ids: [String]) {
        for probe in ids + ["", "0", "b0", "usage-2", "zz", "é", "e"] {
            #expect(SiteChecker.sortedContains(ids, probe) == ids.contains(probe), "\(probe) in \(ids)")
        }
    }

    @Test(
        "link text is percent-decoded as Foundation decodes it",
        arguments: ["/terms", "/legal/terms#section-2", "caf%C3%A9", "%E2%82%AC100", "100%", "%zz", "%C3", "a%2Fb", "", "%", "é%20x"])
    func percentDecoding(text: String) {
        #expect(SiteChecker.percentDecoded(text) == text.removingPercentEncoding)
    }
}

/// The URL scheme of a link, read from bytes when it can be, as the character rules read it.
@Suite("Link schemes")
struct LinkSchemeTests {
    /// The character rules alone.
    static func byCharacters(_ value: String) -> String? {
        guard let colon = value.firstIndex(of: ":") else { return nil }
        let scheme = value[..<colon]
        guard let first = scheme.first, first.isLetter, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) })
        else { return nil }
        return scheme.lowercased()
    }

    @Test(
        "the same scheme as the character rules give",
        arguments: [
            "", "/terms", "#top", "https://example.com", "HTTPS://x", "mailto:a@b.c", "tel:+1", "git+ssh://h", "a.b-c+d:x", "1http://x",
            ":x", "http:", "ht tp://x", "héllo:world", "日本:x", "x:\u{301}y", "e\u{301}:x", "web+app:x", "C:\\path", "a:b:c",
        ])
    func scheme(value: String) {
        #expect(SiteChecker.scheme(of: value) == Self.byCharacters(value))
    }
}

/// XML escaping of sitemap text.
@Suite("XML text")
struct XMLTextTests {
    @Test(
        "special characters are escaped, everything else kept",
        arguments: [
            ("", ""), ("plain/path", "plain/path"), ("a&b", "a&amp;b"), ("<x>", "&lt;x&gt;"), ("\"q\" 'a'", "&quot;q&quot; &apos;a&apos;"),
            ("é&\u{301}", "é&amp;\u{301}"), ("日本&語", "日本&amp;語"), ("&&", "&amp;&amp;"),
        ])
    func escape(text: String, expected: String) {
        #expect(XMLText.escape(text) == expected)
    }
}
