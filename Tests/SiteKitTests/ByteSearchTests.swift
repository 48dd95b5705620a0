import Testing

@testable import SiteKit

@Suite("ByteSearch: substring search over bytes")
struct ByteSearchTests {
    /// The first match at or after `start`, one position at a time.
    static func naive(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, start >= 0 else { return nil }
        var position = start
        while position + needle.count <= haystack.count {
            if Array(haystack[position..<(position + needle.count)]) == needle { return position }
            position += 1
        }
        return nil
    }

    @Test("finds what a naive search finds, whichever byte anchors it", arguments: 0..<60)
    func matchesNaive(seed: Int) {
        var state = UInt64(seed + 1)
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let alphabet = Array("ab]\n ".utf8)
        let haystack = (0..<next(80)).map { _ in alphabet[next(alphabet.count)] }
        let needle = (0..<(1 + next(4))).map { _ in alphabet[next(alphabet.count)] }
        let start = next(10)
        for anchor in needle.indices {
            let found = haystack.withUnsafeBytes { ByteSearch.first(needle, in: $0, from: start, anchor: anchor) }
            #expect(found == Self.naive(needle, in: haystack, from: start), "seed \(seed), anchor \(anchor)")
        }
    }

    @Test("an anchor outside the needle, or an empty needle, finds nothing")
    func edges() {
        let haystack = Array("abc".utf8)
        #expect(haystack.withUnsafeBytes { ByteSearch.first(Array("b".utf8), in: $0, from: 0, anchor: 1) } == nil)
        #expect(ByteSearch.first([], in: haystack, from: 0) == nil)
        #expect(ByteSearch.first(Array("c".utf8), in: haystack, from: 2) == 2)
        #expect(ByteSearch.first(Array("c".utf8), in: haystack, from: 3) == nil)
    }

    @Test(
        "the default anchor is a rare byte of the needle",
        arguments: [
            (" data-sourcepos=\"", "-"), ("\n  ]", "]"), ("\n  \"objects\" : [\n", "["), ("abc", "b"), (" ", " "),
        ])
    func rareAnchor(needle: String, anchor: String) {
        let bytes = Array(needle.utf8)
        #expect(bytes[ByteSearch.rarestByte(of: bytes)] == Array(anchor.utf8)[0])
    }

    @Test(
        "containsBytes agrees with contains for ASCII needles",
        arguments: [
            "", "a", "/.", "x/.hidden", "assets/.vite/manifest.json", "application/json", "image/svg+xml", "text/javascript", "é/.é", "/",
            ".",
        ])
    func containsBytes(text: String) {
        #expect(text.containsBytes("/.") == text.contains("/."))
        #expect(text.containsBytes("json") == text.contains("json"))
        #expect(text.containsBytes("xml") == text.contains("xml"))
        #expect(text.containsBytes("") == true)
        #expect(text.containsBytes("javascript") == text.contains("javascript"))
    }
}
