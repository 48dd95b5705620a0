import Testing

@testable import SiteKit

@Suite("SPABundle: which bundle files are fingerprinted")
struct SPABundleTests {
    @Test(
        "a name whose last '-' part before the first '.' has 8 or more letters, digits or '_' is fingerprinted",
        arguments: [
            ("assets/index-BxQ3k9aZ.js", true),
            ("assets/vendor-react-4f9a1c2e.css", true),
            ("assets/deep/chunk-abc_DEF1.js.map", true),
            ("chunk-00000001.js", true),
            ("assets/logo.svg", false),
            ("assets/index-short.js", false),
            ("assets/index-BxQ3k9a!.js", false),
            ("assets/name-ÄÖÜäöüß1.js", false),
            ("assets/index-BxQ3k9aZ", true),
            ("assets-BxQ3k9aZ/logo.svg", false),
        ])
    func fingerprinted(key: String, expected: Bool) {
        #expect(SPABundle.looksFingerprinted(key) == expected)
    }
}
