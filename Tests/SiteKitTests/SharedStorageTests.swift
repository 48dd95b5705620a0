import Foundation
import Testing

@testable import SiteKit

/// Values whose fields live in a shared box behave as plain values: a change to one copy is never
/// seen through another.
@Suite("Shared storage")
struct SharedStorageTests {
    static func page() -> ContentPage {
        ContentPage(
            source: "content/terms.md", route: "/terms", title: "Terms", description: "The terms", effectiveDate: "2025-01-01",
            updatedDate: nil, template: "legal", draft: false, aliases: ["/tos"], showTOC: true, body: "# Terms\n", bodyLine: 5,
            locations: ["title": SourceLocation(file: "content/terms.md", line: 2, column: 8)], sourceDigest: "abc")
    }

    @Test("a changed copy of a page leaves the original as it was")
    func pageCopies() {
        let original = Self.page()
        var copy = original
        #expect(copy == original)
        copy.title = "Other"
        copy.aliases.append("/terms-of-service")
        copy.locations["route"] = SourceLocation(file: "content/terms.md", line: 3, column: 8)
        copy.body = ""
        #expect(original.title == "Terms")
        #expect(original.aliases == ["/tos"])
        #expect(original.locations.count == 1)
        #expect(original.body == "# Terms\n")
        #expect(copy != original)
        #expect(copy.title == "Other" && copy.aliases == ["/tos", "/terms-of-service"] && copy.locations.count == 2)
        var back = copy
        back.title = "Terms"
        back.aliases = ["/tos"]
        back.locations["route"] = nil
        back.body = "# Terms\n"
        #expect(back == original)
    }

    @Test("a changed copy of an output object or a checked page leaves the original as it was")
    func objectCopies() {
        let object = OutputObject(key: "terms", data: Data("<p>a</p>".utf8), kind: .page, source: "content/terms.md")
        var changed = object
        changed.data = Data("<p>b</p>".utf8)
        changed.kind = .other
        changed.digests = OutputObject.Digests(sha256: "s", md5: "m")
        #expect(object.data == Data("<p>a</p>".utf8) && object.kind == .page && object.digests == nil)
        #expect(changed != object)

        let page = SiteChecker.Page(key: "terms", kind: .page, path: "/terms", data: object.data, content: Self.page(), template: "legal")
        var other = page
        other.path = "/other"
        other.content?.title = "Other"
        other.summary = SiteChecker.PageSummary(ids: ["a"])
        #expect(page.path == "/terms" && page.content?.title == "Terms" && page.summary == nil)
        #expect(other.content?.title == "Other" && other.summary?.ids == ["a"])
    }

    @Test("objects sorted by key come in the order sorting by key gives")
    func sortedByKey() {
        let keys = ["b", "a/c", "a", "_site/x", "Z", "a/b", "é", "b"]
        let objects = keys.enumerated().map { OutputObject(key: $1, data: Data([UInt8($0)]), kind: .other, source: "") }
        #expect(objects.sortedByKey().map(\.key) == keys.sorted())
        #expect(objects.sortedByKey() == objects.sorted { $0.key < $1.key })
    }

    @Test("a mapped file holds the file's bytes; a missing file or a folder maps to nothing")
    func mappedFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("site-mapped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let file = folder.appendingPathComponent("cache.bin")
        try bytes.write(to: file)
        #expect(MappedFile.read(file.path) == bytes)
        let empty = folder.appendingPathComponent("empty.bin")
        try Data().write(to: empty)
        #expect(MappedFile.read(empty.path) == Data())
        #expect(MappedFile.read(folder.appendingPathComponent("missing").path) == nil)
        #expect(MappedFile.read(folder.path) == nil)
        // Replaced by renaming a new file over it, as the caches are: the mapped bytes stay as they were.
        let mapped = try #require(MappedFile.read(file.path))
        let replacement = folder.appendingPathComponent("new.bin")
        try Data("new".utf8).write(to: replacement)
        #expect(rename(replacement.path, file.path) == 0)
        #expect(mapped == bytes)
    }
}

/// Work spread over the cores gives what a plain map gives.
@Suite("Parallel map")
struct ParallelMapTests {
    @Test("results in input order, every one made once", arguments: [0, 1, 2, 3, 1_000, 10_007])
    func inOrder(count: Int) {
        let items = Array(0..<count)
        let strings = Parallel.map(items) { String(repeating: "x", count: $0 % 40) + "\($0)" }
        #expect(strings == items.map { String(repeating: "x", count: $0 % 40) + "\($0)" })
        let objects = Parallel.map(items) { OutputObject(key: "k\($0)", data: Data(count: $0 % 7), kind: .other, source: "") }
        #expect(objects.map(\.key) == items.map { "k\($0)" })
    }
}
