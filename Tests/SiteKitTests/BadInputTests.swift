import Foundation
import Testing

@testable import SiteKit

/// The corpus of malformed inputs under `Fixtures/bad-input`: each case overlays files on the small
/// test project (and may remove, link or generate some), runs `site build`, and must fail with
/// exactly the diagnostics in its `expected.txt`, exit status 1, and the previous `dist/` untouched.
@Suite("Bad input corpus", .serialized)
struct BadInputTests {
    static let root = Snapshot.fixtures.appendingPathComponent("bad-input")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test("the corpus holds at least 30 cases")
    func size() {
        #expect(Self.cases.count >= 30)
    }

    @Test("each malformed input fails cleanly with its expected diagnostics", arguments: cases)
    func failsCleanly(_ name: String) throws {
        let folder = Self.root.appendingPathComponent(name)
        let project = try TemporaryProject()
        try apply(folder, to: project)
        // A previous build that must survive the failed one.
        try project.write(["dist/previous.txt": "previous build\n"])

        let outcome = try SiteExecutable.run(["build", "--quiet"], in: project.root)
        #expect(outcome.status == 1, "exit status \(outcome.status)\n\(outcome.stderr)")
        #expect(project.snapshot("dist") == ["previous.txt": Data("previous build\n".utf8)])
        #expect(project.topLevel.filter { $0.hasPrefix(".dist") }.isEmpty)

        let diagnostics =
            outcome.stderr.split(separator: "\n").filter {
                !$0.hasPrefix("    hint:") && !$0.hasSuffix("warnings") && !$0.hasSuffix("warning")
            }.joined(separator: "\n") + "\n"
        let expectedURL = folder.appendingPathComponent("expected.txt")
        if Snapshot.recording {
            try Data(diagnostics.utf8).write(to: expectedURL)
            return
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(diagnostics == expected)
    }

    /// Copies `files/`, then handles `remove.txt`, `links.txt` (`path -> target`),
    /// `special.txt` (`fifo path` or `socket path`) and `generate.txt` (`path bytes`).
    func apply(_ folder: URL, to project: TemporaryProject) throws {
        let files = folder.appendingPathComponent("files")
        if let enumerator = FileManager.default.enumerator(at: files, includingPropertiesForKeys: nil) {
            for case let url as URL in enumerator {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                let relative = String(url.standardizedFileURL.path.dropFirst(files.standardizedFileURL.path.count + 1))
                let target = project.root.appendingPathComponent(relative)
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(contentsOf: url).write(to: target)
            }
        }
        for line in try lines(folder, "remove.txt") {
            try project.remove(line)
        }
        for line in try lines(folder, "links.txt") {
            let parts = line.components(separatedBy: " -> ")
            let link = project.root.appendingPathComponent(parts[0])
            try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: parts[1])
        }
        for line in try lines(folder, "special.txt") {
            let parts = line.split(separator: " ").map(String.init)
            let path = project.root.appendingPathComponent(parts[1])
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            switch parts[0] {
            case "fifo": #expect(mkfifo(path.path, 0o644) == 0)
            default: try DiskFileSystemTests.Shape.bindSocket(at: path.path)
            }
        }
        for line in try lines(folder, "generate.txt") {
            let parts = line.split(separator: " ")
            let size = Int(parts[1]) ?? 0
            let page = "---\ntitle: Huge\n---\n"
            let paragraph = String(repeating: "Lorem ipsum dolor sit amet. ", count: 36) + "\n\n"
            var text = page
            text.reserveCapacity(size + paragraph.count)
            while text.utf8.count < size { text += paragraph }
            try Data(text.utf8).write(to: project.root.appendingPathComponent(String(parts[0])))
        }
    }

    private func lines(_ folder: URL, _ name: String) throws -> [String] {
        let url = folder.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    }
}
