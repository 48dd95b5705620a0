import Foundation
import Testing

@testable import SiteKit

@Suite("Output writer")
struct OutputWriterTests {
    func object(_ key: String, _ text: String) -> OutputObject {
        OutputObject(key: key, data: Data(text.utf8), kind: .other, source: "test")
    }

    @Test("a write replaces the whole folder, removing files that are gone")
    func replaces() throws {
        let project = try TemporaryProject([:])
        let out = project.root.appendingPathComponent("dist")
        try OutputWriter.write(objects: [object("a.txt", "1"), object("old/b.txt", "2")], manifest: Data("{}".utf8), to: out)
        try OutputWriter.write(objects: [object("a.txt", "3")], manifest: Data("{}".utf8), to: out)
        #expect(project.snapshot("dist") == ["a.txt": Data("3".utf8), "_site/manifest.json": Data("{}".utf8)])
        #expect(project.topLevel == ["dist"])
    }

    @Test("removing the old output deletes nested folders and links, never what a link points to")
    func removesTree() throws {
        let project = try TemporaryProject(["old/a.txt": "1", "old/b/c/d.txt": "2", "old/.hidden": "3", "kept/x.txt": "4"])
        let root = project.root.path
        try FileManager.default.createSymbolicLink(atPath: root + "/old/b/to-kept", withDestinationPath: root + "/kept")
        try FileManager.default.createSymbolicLink(atPath: root + "/old/file-link", withDestinationPath: root + "/kept/x.txt")
        OutputWriter.removeTree(root + "/old")
        #expect(!FileManager.default.fileExists(atPath: root + "/old"))
        #expect(project.snapshot("kept") == ["x.txt": Data("4".utf8)])
    }

    @Test("a failed write leaves the previous folder as it was and no staging folder behind")
    func atomic() throws {
        let project = try TemporaryProject([:])
        let out = project.root.appendingPathComponent("dist")
        try OutputWriter.write(objects: [object("a.txt", "1")], manifest: Data("{}".utf8), to: out)
        let before = project.snapshot("dist")
        // `a.txt` as a file and as a folder cannot both be written.
        #expect(throws: DiagnosticError.self) {
            try OutputWriter.write(objects: [object("a.txt", "2"), object("a.txt/b", "3")], manifest: Data("{}".utf8), to: out)
        }
        #expect(project.snapshot("dist") == before)
        #expect(project.topLevel == ["dist"])
    }

    func hashed(_ key: String, _ text: String) -> OutputObject {
        var made = object(key, text)
        made.digests = .init(sha256: Digest.sha256(made.data), md5: Digest.md5(made.data))
        return made
    }

    func inode(_ path: String) -> UInt64 {
        var status = stat()
        return lstat(path, &status) == 0 ? UInt64(status.st_ino) : 0
    }

    @Test("a file recorded by the last write is linked, not written; one changed since is compared and written anew")
    func recordedFiles() throws {
        let project = try TemporaryProject([:])
        let out = project.root.appendingPathComponent("dist")
        let first = try OutputWriter.write(objects: [hashed("a.txt", "one"), hashed("b.txt", "two")], manifest: Data("{}".utf8), to: out)
        #expect(first.folder == out.standardizedFileURL.path)
        #expect(Set(first.entries.keys) == ["a.txt", "b.txt", "_site/manifest.json"])
        #expect(WrittenFiles(data: first.encoded, folder: first.folder) == first)
        #expect(WrittenFiles(data: first.encoded, folder: "/elsewhere") == nil)
        let a = inode(out.path + "/a.txt")
        let sha256 = Digest.sha256(Data("two".utf8))
        #expect(first.unchanged("b.txt", at: out.path + "/b.txt", sha256: sha256, executable: false))
        #expect(!first.unchanged("b.txt", at: out.path + "/b.txt", sha256: Digest.sha256(Data("TWO".utf8)), executable: false))
        #expect(!first.unchanged("b.txt", at: out.path + "/b.txt", sha256: sha256, executable: true))
        // b.txt changes in place, same size: its change time moves, so the record no longer vouches for it.
        try Data("TWO".utf8).write(to: out.appendingPathComponent("b.txt"))
        #expect(!first.unchanged("b.txt", at: out.path + "/b.txt", sha256: sha256, executable: false))
        let second = try OutputWriter.write(
            objects: [hashed("a.txt", "one"), hashed("b.txt", "two")], manifest: Data("{}".utf8), to: out, known: first)
        #expect(inode(out.path + "/a.txt") == a)
        #expect(project.snapshot("dist") == ["a.txt": Data("one".utf8), "b.txt": Data("two".utf8), "_site/manifest.json": Data("{}".utf8)])
        // A record of another folder, or of other content, is not trusted either.
        var elsewhere = second
        elsewhere.folder = "/elsewhere"
        try OutputWriter.write(
            objects: [hashed("a.txt", "uno"), hashed("b.txt", "two")], manifest: Data("{}".utf8), to: out, known: elsewhere)
        try OutputWriter.write(
            objects: [hashed("a.txt", "one"), hashed("b.txt", "two")], manifest: Data("{}".utf8), to: out, known: second)
        #expect(project.snapshot("dist") == ["a.txt": Data("one".utf8), "b.txt": Data("two".utf8), "_site/manifest.json": Data("{}".utf8)])
    }

    @Test(
        "a record that is not one is refused",
        arguments: ["", "relative", "short", "extra", "unparsed tail", "other header"])
    func damagedRecord(kind: String) {
        let entry = WrittenFiles.Entry(sha256: String(repeating: "a", count: 64), size: 3, inode: 4, changed: 5)
        let record = WrittenFiles(folder: "/dist", entries: ["a.txt": entry])
        var writer = ByteWriter()
        let folder = kind == "relative" ? "dist" : "/dist"
        switch kind {
        case "": break
        case "other header": writer.raw("site written files 1 /dist\n".utf8)
        default: writer.raw(record.encoded)
        }
        switch kind {
        case "short":
            writer.string("b.txt")
            writer.framed { $0.string("ab") }
        case "extra":
            writer.string("b.txt")
            writer.framed { writer in
                writer.string(entry.sha256)
                for _ in 0..<4 { writer.number(1) }
            }
        case "unparsed tail": writer.integer(3)
        default: break
        }
        #expect(WrittenFiles(data: writer.data, folder: folder) == nil)
        #expect(WrittenFiles(data: record.encoded, folder: "/dist") == record)
    }

    @Test("an output path that is a file is refused")
    func refusesFile() throws {
        let project = try TemporaryProject(["dist": "not a folder"])
        #expect(throws: DiagnosticError.self) {
            try OutputWriter.write(objects: [], manifest: Data(), to: project.root.appendingPathComponent("dist"))
        }
        #expect(project.snapshot("")["dist"] == Data("not a folder".utf8))
    }

    /// Writes `files` as a build does: with digests, the record of the last write, and a spare folder.
    func build(_ files: [String: String], to out: URL, known: WrittenFiles?, spare: URL?) throws -> WrittenFiles {
        try OutputWriter.write(
            objects: files.map { hashed($0.key, $0.value) }, manifest: Data("{}".utf8), to: out, known: known, spare: spare)
    }

    func expected(_ files: [String: String]) -> [String: Data] {
        files.mapValues { Data($0.utf8) }.merging(["_site/manifest.json": Data("{}".utf8)]) { $1 }
    }

    @Test(
        "with a spare folder or without, unchanged files stay the very same files from build to build, the record vouches for each, and each output is exact",
        arguments: [true, false])
    func spareGenerations(withSpare: Bool) throws {
        let project = try TemporaryProject([:])
        let out = project.root.appendingPathComponent("dist")
        let spare = withSpare ? project.root.appendingPathComponent(".site-cache/previous-output") : nil
        let generations: [[String: String]] = [
            ["a.txt": "one", "b/c.txt": "two", "b/d.txt": "three", "e.txt": "four"],
            ["a.txt": "one", "b/c.txt": "TWO", "b/d.txt": "three", "e.txt": "four"],
            ["a.txt": "one", "b/c.txt": "TWO", "b/d.txt": "three!", "f/g.txt": "new"],
            ["a.txt": "one", "b/c.txt": "two"],
            ["a.txt": "one", "b": "now a file", "f/g.txt": "new"],
            ["a.txt": "one", "b/c.txt": "a folder again", "f/g.txt": "new"],
        ]
        var known: WrittenFiles?
        var inodeOfA: UInt64?
        for files in generations {
            known = try build(files, to: out, known: known, spare: spare)
            #expect(project.snapshot("dist") == expected(files))
            #expect(known.flatMap { WrittenFiles(data: $0.encoded, folder: $0.folder) } == known)
            // The record vouches for every file as it now is.
            for (path, text) in files {
                #expect(known!.unchanged(path, at: out.path + "/" + path, sha256: Digest.sha256(Data(text.utf8)), executable: false))
            }
            if let inodeOfA { #expect(inode(out.path + "/a.txt") == inodeOfA) }
            inodeOfA = inode(out.path + "/a.txt")
            #expect(Set(project.topLevel).isSubset(of: ["dist", ".site-cache"]))
        }
    }

    @Test("whatever the spare folder holds, the output is exact and nothing outside is touched")
    func spareDamaged() throws {
        let project = try TemporaryProject(["outside/keep.txt": "keep"])
        let out = project.root.appendingPathComponent("dist")
        let spare = project.root.appendingPathComponent(".site-cache/previous-output")
        let files = ["a.txt": "one", "b/c.txt": "two", "b/d.txt": "three"]
        var known = try build(files, to: out, known: nil, spare: spare)
        known = try build(files.merging(["b/d.txt": "3"]) { $1 }, to: out, known: known, spare: spare)
        // The spare holds the first output; damage it every way.
        let root = spare.path
        // Changed in place through the spare's link: the output's file, the same file, changes with it.
        try Data("ONE".utf8).write(to: spare.appendingPathComponent("a.txt"))
        try FileManager.default.removeItem(atPath: root + "/b/c.txt")
        try FileManager.default.createDirectory(atPath: root + "/b/c.txt/deep", withIntermediateDirectories: true)
        try FileManager.default.removeItem(atPath: root + "/b/d.txt")
        try FileManager.default.createSymbolicLink(atPath: root + "/b/d.txt", withDestinationPath: project.root.path + "/outside/keep.txt")
        try FileManager.default.createSymbolicLink(atPath: root + "/linked", withDestinationPath: project.root.path + "/outside")
        try Data("junk".utf8).write(to: spare.appendingPathComponent("junk.txt"))
        let next = files.merging(["e.txt": "five"]) { $1 }
        known = try build(next, to: out, known: known, spare: spare)
        #expect(project.snapshot("dist") == expected(next))
        #expect(project.snapshot("outside") == ["keep.txt": Data("keep".utf8)])

        // A spare that is a link to a folder, or a file, is removed, never followed.
        try FileManager.default.removeItem(at: spare)
        try FileManager.default.createSymbolicLink(atPath: spare.path, withDestinationPath: project.root.path + "/outside")
        known = try build(files, to: out, known: known, spare: spare)
        #expect(project.snapshot("dist") == expected(files))
        #expect(project.snapshot("outside") == ["keep.txt": Data("keep".utf8)])
        try FileManager.default.removeItem(at: spare)
        try Data("a file".utf8).write(to: spare)
        known = try build(next, to: out, known: known, spare: spare)
        #expect(project.snapshot("dist") == expected(next))
    }

    @Test("a failed write after a spare folder was taken leaves the output as it was, though the two share files")
    func spareFailure() throws {
        let project = try TemporaryProject([:])
        let out = project.root.appendingPathComponent("dist")
        let spare = project.root.appendingPathComponent(".site-cache/previous-output")
        let files = ["a.txt": "one", "b/c.txt": "two"]
        var known = try build(files, to: out, known: nil, spare: spare)
        known = try build(files, to: out, known: known, spare: spare)
        let before = project.snapshot("dist")
        #expect(throws: DiagnosticError.self) {
            try build(["a.txt": "ONE", "b/c.txt": "TWO", "a.txt/x": "no"], to: out, known: known, spare: spare)
        }
        #expect(project.snapshot("dist") == before)
        #expect(Set(project.topLevel).isSubset(of: ["dist", ".site-cache"]))
    }
}
