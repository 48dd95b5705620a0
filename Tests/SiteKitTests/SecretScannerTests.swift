import Foundation
import Testing

@testable import SiteKit

@Suite("Secret scanner: the quick test before the regexes")
struct SecretScannerTests {
    static let cases: [(String, Bool)] = [
        ("", false), ("plain text about Amazon AWS and API keys", false), ("A", false), ("AKI", false), ("xxAKIA", true),
        ("AKIAIOSFODNN7EXAMPLE", true), ("key ASIAxyz", true), ("AAAAROA", true), ("-----BEGIN PRIVATE KEY-----", true),
        ("Client_Secret: x", true), ("CLIENT_SECRET=x", true), ("ends with A", false), ("AIDAZ at the start", true),
    ]

    @Test("a text passes to the regexes when it holds a trigger", arguments: cases)
    func triggers(text: String, expected: Bool) {
        #expect(Data(text.utf8).withUnsafeBytes(SecretScanner.mightHoldSecret) == expected)
        // The quick test never hides a finding of the full scan.
        if !expected { #expect(SecretScanner.scan(text).isEmpty) }
    }
}
