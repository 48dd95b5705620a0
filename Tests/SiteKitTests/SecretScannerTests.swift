import Foundation
import Testing

@testable import SiteKit

@Suite("Secret scanner: the quick tests before the regexes")
struct SecretScannerTests {
    static let cases: [(String, Bool)] = [
        ("", false), ("plain text about Amazon AWS and API keys", false), ("A", false), ("AKI", false), ("xxAKIA", true),
        ("AKIAIOSFODNN7EXAMPLE", true), ("key ASIAxyz", true), ("AAAAROA", true), ("-----BEGIN PRIVATE KEY-----", true),
        ("Client_Secret: x", true), ("CLIENT_SECRET=x", true), ("ends with A", false), ("AIDAZ at the start", true),
        ("a secret in prose, and SECRET in capitals", false), ("the Secret Service", false), ("SeCrEt_AcCeSs_KeY = abcdefgh12", true),
        ("clientsecret", true), ("aws_secret_access_key", true), ("api_SECRET", true), ("APP_secret", true), ("secret_access", false),
        ("client secret", false), ("secre", false), ("ecret", false), ("cret", false), ("c", false), ("sec", false),
        ("client_ſecret=abcdefgh12", true), ("aws_secret_acceß_key=abcdefgh12", true), ("sec\u{212A}", true),
    ]

    @Test("a text passes to the regexes when it holds a trigger", arguments: cases)
    func triggers(text: String, expected: Bool) {
        #expect(Data(text.utf8).withUnsafeBytes(SecretScanner.mightHoldSecret) == expected)
        // The quick test never hides a finding of the full scan.
        if !expected { #expect(SecretScanner.scan(text).isEmpty) }
    }

    /// Texts each rule matches, which the test below edits at random.
    static let seeds = [
        "AKIAIOSFODNN7EXAMPLE", "x ASIAIOSFODNN7EXAMPLE.", "-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY BLOCK-----",
        "client_secret = 'abcdefgh12'", "ClientSecret:abcdefgh12", "AWS_SECRET_ACCESS_KEY=\"abcdefgh12\"", "secret_access_key: abcdefgh12",
        "api_secret=abcdefgh12", "app_Secret = abcdefgh12",
    ]
    /// What the edits insert: pieces of the patterns, and characters that fold into ASCII letters.
    static let pieces = [
        "client", "_", "secret", "SECRET", "api", "app", "aws", "access", "key", "_access_key", "ſ", "ß", "\u{212A}", "ẞ", "=", ":",
        " ", "\"", "'", "abcdefgh12", "AKIA", "PRIVATE KEY", "-----", "\n", "é", "c", "C", "s", "e", "t",
    ]

    @Test("a rule's quick test passes whenever its regex matches (texts edited at random)")
    func quickTestsNeverHideAMatch() {
        var generator = SplitMix(seed: 0x5EC2E7)
        var matched = 0, missed = 0
        for _ in 0..<20_000 {
            var characters = Array(Self.seeds.randomElement(using: &generator)!)
            for _ in 0..<Int.random(in: 0...3, using: &generator) {
                let position = Int.random(in: 0...characters.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: characters.insert(contentsOf: Self.pieces.randomElement(using: &generator)!, at: position)
                case 1: if position < characters.count { characters.remove(at: position) }
                default:
                    if position < characters.count {
                        let character = characters[position]
                        // Some change length: `ß` upper-cased is `SS`.
                        let cased = character.isUppercase ? character.lowercased() : character.uppercased()
                        characters.replaceSubrange(position...position, with: Array(cased))
                    }
                }
            }
            let text = String(characters)
            let range = NSRange(location: 0, length: (text as NSString).length)
            for rule in SecretScanner.rules {
                if rule.regex.firstMatch(in: text, range: range) != nil {
                    matched += 1
                    #expect(Data(text.utf8).withUnsafeBytes(rule.mightMatch), "\(rule.name): \(text.debugDescription)")
                } else {
                    missed += 1
                }
            }
        }
        // Both matches and near misses are common enough to mean something.
        #expect(matched > 5_000)
        #expect(missed > 5_000)
    }

    @Test(
        "each rule's regex matches the texts written for it",
        arguments: [
            ("AKIAIOSFODNN7EXAMPLE", "an AWS access key id"), ("-----BEGIN RSA PRIVATE KEY-----", "a private key"),
            ("client_secret = 'abcdefgh12'", "a secret assignment"), ("SeCrEt_AcCeSs_KeY: abcdefgh12", "a secret assignment"),
        ])
    func rulesMatch(text: String, rule: String) {
        #expect(SecretScanner.scan(text).map(\.rule) == [rule])
    }
}

@Suite("Secret scanner: provider tokens with fixed prefixes")
struct ProviderTokenTests {
    /// A token each rule must find, and a near miss it must not: the same prefix with a shape
    /// the provider never issues (too short, or not a token at all). Built from pieces so that
    /// no whole token stands in the repository.
    static let cases: [(rule: String, token: String, nearMiss: String)] = [
        ("a GitHub token", "ghp_" + String(repeating: "aB3", count: 12), "ghp_" + String(repeating: "a", count: 20)),
        ("a GitHub token", "ghs_" + String(repeating: "Zx9", count: 12), "the ghs_ prefix alone"),
        ("a GitHub fine-grained token", "github_pat_" + String(repeating: "A1_b", count: 20) + "cd", "github_pat_short"),
        ("a GitLab token", "glpat-" + String(repeating: "x-Y_", count: 5), "glpat-short"),
        (
            "a Stripe live secret key", "sk_" + "live_" + String(repeating: "4eC3", count: 6),
            "sk_test_" + String(repeating: "4eC3", count: 6)
        ),
        ("a Stripe live secret key", "rk_" + "live_" + String(repeating: "9Qw", count: 9), "rk_live_short"),
        ("a Slack token", "xoxb-" + "1234567890-abcdefABCDEF", "xoxb-123"),
        ("a Slack webhook URL", "https://hooks.slack.com/services/" + "T0001/B0002/" + "XXXXXXXXXXXXXXXX", "https://hooks.slack.com/"),
        ("a Google API key", "AIza" + String(repeating: "Sy-_9", count: 7), "AIza" + "Sy"),
        ("an npm token", "npm_" + String(repeating: "a1B2", count: 9), "npm_install"),
        ("a PyPI token", "pypi-" + "AgEIcHlwaS5vcmc" + String(repeating: "Ab_-", count: 13), "pypi-AgEIcHlwaS5vcmc"),
        ("a SendGrid API key", "SG." + String(repeating: "a", count: 22) + "." + String(repeating: "B", count: 43), "SG.short.key"),
        ("a Shopify access token", "shpat_" + String(repeating: "0fA9", count: 8), "shpat_" + "xyz"),
        ("an Anthropic API key", "sk-ant-" + "api03-" + String(repeating: "Ab9_", count: 8), "sk-ant-short"),
        ("an OpenAI API key", "sk-" + "proj-" + String(repeating: "Ab9_", count: 6), "sk-proj-short"),
    ]

    @Test("each provider's token is found, at its line and column, and its near miss is not", arguments: cases)
    func token(rule: String, token: String, nearMiss: String) {
        let text = "const config = {\n  key: '\(token)',\n};\n"
        let hits = SecretScanner.scan(text)
        #expect(hits.map(\.rule) == [rule])
        #expect(hits.first?.line == 2)
        #expect(hits.first?.column == 9)
        #expect(hits.first?.match == token)
        #expect(SecretScanner.scan("value: \(nearMiss)\n").filter { $0.rule == rule }.isEmpty)
    }

    @Test("every prefix rule has a case above")
    func everyRuleCovered() {
        let covered = Set(Self.cases.map(\.rule))
        #expect(Set(SecretScanner.prefixedTokens.map(\.name)).subtracting(covered).isEmpty)
    }
}
