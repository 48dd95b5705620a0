import Foundation
import Testing

@testable import SiteKit

@Suite("Build cache records")
struct BuildCacheTests {
    @Test("input stamps survive their text form; lines that do not parse are left out")
    func stamps() {
        var stamps = InputStamps()
        stamps.entries["content/a b/é.md"] = .init(
            stamp: FileStamp(size: 12, modified: 1_700_000_000_123_456_789, changed: 1_700_000_001_000_000_000, inode: UInt64.max),
            digest: "ab" + String(repeating: "0", count: 62))
        stamps.entries["site.yml"] = .init(stamp: FileStamp(size: 0, modified: 0, changed: 0, inode: 0), digest: "ff")
        let text = stamps.text
        #expect(text.hasPrefix("ab00"))
        let read = InputStamps(text: text, trustedBefore: 42)
        #expect(read.entries == stamps.entries)
        #expect(read.trustedBefore == 42)

        let damaged = text + "x 1 2 3\n" + "ff 1 -2 3 4 neg.md\n" + "ff 1 2 3 99999999999999999999 big.md\n" + "\n" + "ff  2 3 4 5 empty-field.md\n"
        #expect(InputStamps(text: damaged, trustedBefore: 0).entries == stamps.entries)
    }

    @Test("the build record reads back what it wrote, and nothing else")
    func record() {
        let record = BuildRecord(
            fingerprint: InputFingerprint(inputs: "abc", manifest: "def"),
            warnings: [
                .warning(SourceLocation(file: "content/terms.md", line: 3, column: 7), "image has no alt text", hint: "describe it"),
                .error(SourceLocation(file: "site.yml"), "e", hint: nil),
            ])
        #expect(BuildRecord(data: record.encoded) == record)
        #expect(BuildRecord(data: record.encoded.dropLast()) == nil)
        #expect(BuildRecord(data: Data("{\"fingerprint\": {}}".utf8)) == nil)
    }

    @Test("numbers in record files are written as String(describing:) writes them", arguments: [Int64.min, -1, 0, 7, 10, 1_000_000_007, Int64.max])
    func decimal(value: Int64) {
        var out: [UInt8] = [0x41]
        out.appendDecimal(value)
        #expect(String(decoding: out, as: UTF8.self) == "A\(value)")
        var unsigned: [UInt8] = []
        unsigned.appendDecimal(UInt64(bitPattern: value))
        #expect(String(decoding: unsigned, as: UTF8.self) == "\(UInt64(bitPattern: value))")
    }
}

