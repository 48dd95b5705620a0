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

    @Test("an output path that is a file is refused")
    func refusesFile() throws {
        let project = try TemporaryProject(["dist": "not a folder"])
        #expect(throws: DiagnosticError.self) {
            try OutputWriter.write(objects: [], manifest: Data(), to: project.root.appendingPathComponent("dist"))
        }
        #expect(project.snapshot("")["dist"] == Data("not a folder".utf8))
    }
}
