import Foundation
import Testing

@testable import SiteKit

@Suite("Build cache records")
struct BuildCacheTests {
    @Test("input stamps read back as written, and entries that do not parse are left out")
    func stamps() throws {
        var stamps = InputStamps()
        stamps.entries["content/a b/é.md"] = .init(
            stamp: FileStamp(size: 12, modified: 1_700_000_000_123_456_789, changed: 1_700_000_001_000_000_000, inode: UInt64.max),
            digest: "ab" + String(repeating: "0", count: 62))
        stamps.entries["site.yml"] = .init(stamp: FileStamp(size: 0, modified: -1, changed: 0, inode: 0), digest: "ff")
        let data = stamps.encoded
        #expect(data.starts(with: Data(InputStamps.header.utf8)))
        let read = InputStamps(data: data, trustedBefore: 42)
        #expect(read.entries == stamps.entries)
        #expect(read.trustedBefore == 42)
        // An entry cut short, an entry with bytes left over, and a tail that is not an entry.
        var damaged = ByteWriter()
        damaged.raw(data)
        damaged.string("short.md")
        damaged.framed { $0.string("ff") }
        damaged.string("long.md")
        damaged.framed { writer in
            writer.string("ff")
            for _ in 0..<5 { writer.number(1) }
        }
        damaged.integer(3)
        #expect(InputStamps(data: damaged.data, trustedBefore: 0).entries == stamps.entries)
        #expect(InputStamps(data: Data("site input stamps 1\n".utf8), trustedBefore: 0).entries.isEmpty)
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
        #expect(BuildRecord.fingerprint(in: record.encoded) == record.fingerprint)
        // A record cut short, or with another header, is no record.
        #expect(BuildRecord.fingerprint(in: record.encoded.dropLast()) == nil)
        #expect(BuildRecord.fingerprint(in: Data(record.encoded.dropFirst())) == nil)
        #expect(BuildRecord.fingerprint(in: Data(record.encoded.prefix(BuildRecord.header.utf8.count + 10))) == nil)
    }

    @Test("numbers in JSON are written as String(describing:) writes them", arguments: [Int64.min, -1, 0, 7, 10, 1_000_000_007, Int64.max])
    func decimal(value: Int64) {
        var out: [UInt8] = [0x41]
        out.appendDecimal(value)
        #expect(String(decoding: out, as: UTF8.self) == "A\(value)")
        var unsigned: [UInt8] = []
        unsigned.appendDecimal(UInt64(bitPattern: value))
        #expect(String(decoding: unsigned, as: UTF8.self) == "\(UInt64(bitPattern: value))")
    }

    @Test("a framed entry's count is the number of bytes written in it", arguments: [0, 1, 300, 70_000])
    func framed(count: Int) {
        var writer = ByteWriter()
        writer.string("key")
        writer.framed { $0.raw(repeatElement(UInt8(7), count: count)) }
        writer.integer(9)
        ByteReader.reading(writer.data) { reader in
            #expect(reader.string() == "key")
            #expect(reader.bytes() == Data(repeating: 7, count: count))
            #expect(reader.integer() == 9)
            #expect(reader.isAtEnd)
        }
    }

    @Test(
        "cache strings read back as written, and bytes that are not UTF-8 read as nothing",
        arguments: [
            ([UInt8]("terms".utf8), "terms"), ([UInt8](), ""), ([UInt8]("Ä é 字 🙂".utf8), "Ä é 字 🙂"),
            ([0x61, 0x80], nil), ([0xC3], nil), ([0xE5, 0xAD], nil), ([0xED, 0xA0, 0x80], nil), ([0x61, 0xFF, 0x62], nil),
            ([0x00, 0x7F], "\u{0}\u{7F}"),
        ] as [([UInt8], String?)])
    func strings(bytes: [UInt8], expected: String?) {
        var writer = ByteWriter()
        writer.integer(bytes.count)
        writer.raw(bytes)
        writer.integer(7)
        ByteReader.reading(writer.data) { reader in
            #expect(reader.string() == expected)
            if expected != nil { #expect(reader.integer() == 7) }
        }
    }

    /// The page whose fields the cache key tests change one at a time.
    static func keyedPage(_ change: (inout ContentPage) -> Void = { _ in }) -> ContentPage {
        var page = ContentPage(
            source: "content/terms.md", route: "/terms", title: "Terms", description: "The terms", effectiveDate: "2026-01-02",
            updatedDate: nil, template: "page", draft: false, aliases: ["/tos", "/legal/terms"], showTOC: true, body: "# Terms\n",
            bodyLine: 7, locations: [:], sourceDigest: "abc123")
        change(&page)
        return page
    }

    static let keyChanges: [(String, @Sendable (inout ContentPage) -> Void)] = [
        ("source", { $0.source = "content/terms2.md" }), ("route", { $0.route = "/terms/" }), ("title", { $0.title = "Terms!" }),
        ("description", { $0.description = "" }), ("effective date", { $0.effectiveDate = nil }),
        ("updated date", { $0.updatedDate = "2026-01-03" }), ("template", { $0.template = "legal" }), ("draft", { $0.draft = true }),
        ("aliases", { $0.aliases = ["/tos,/legal/terms"] }), ("alias order", { $0.aliases = ["/legal/terms", "/tos"] }),
        ("table of contents", { $0.showTOC = false }), ("body line", { $0.bodyLine = 8 }), ("digest", { $0.sourceDigest = "abc124" }),
        ("body without a digest", { $0.sourceDigest = "" }),
    ]

    @Test("a page's cache key changes with every field, and cannot be made by shifting text from one field to the next")
    func cacheKey() {
        let base = SiteRenderer.cacheKey(Self.keyedPage(), key: "terms", shared: "shared")
        #expect(SiteRenderer.cacheKey(Self.keyedPage(), key: "terms", shared: "shared") == base)
        var seen = [base: "no change"]
        for (change, edit) in Self.keyChanges {
            let key = SiteRenderer.cacheKey(Self.keyedPage(edit), key: "terms", shared: "shared")
            #expect(seen[key] == nil, "changing the \(change) gives the key of \(seen[key] ?? "")")
            seen[key] = change
        }
        #expect(SiteRenderer.cacheKey(Self.keyedPage(), key: "terms2", shared: "shared") != base)
        #expect(SiteRenderer.cacheKey(Self.keyedPage(), key: "terms", shared: "shared2") != base)
        // Text moved from the end of one field to the start of the next.
        #expect(base != SiteRenderer.cacheKey(Self.keyedPage { $0.source = "terms.md" }, key: "terms", shared: "sharedcontent/"))
        let moved = Self.keyedPage {
            $0.title = "Terms\u{0}The terms"
            $0.description = ""
        }
        #expect(SiteRenderer.cacheKey(moved, key: "terms", shared: "shared") != base)
    }
}
