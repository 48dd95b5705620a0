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
}
