import Foundation
import Testing

@testable import SiteKit

@Suite("DiskFileSystem: listing and reading inside the project")
struct DiskFileSystemTests {
    /// A tree with nested folders, hidden files, links inside the root and names that sort
    /// differently as paths than as names (`a-b` before `a/`).
    static func project() throws -> TemporaryProject {
        let project = try TemporaryProject([
            "content/b.md": "b", "content/a/z.md": "z", "content/a-b.md": "ab", "content/.hidden.md": "h",
            "content/.drafts/x.md": "x", "content/a/c/d.md": "d", "shared/s.md": "s",
        ])
        let root = project.root.path
        try FileManager.default.createSymbolicLink(atPath: root + "/content/link.md", withDestinationPath: "b.md")
        try FileManager.default.createSymbolicLink(atPath: root + "/content/linked", withDestinationPath: "../shared")
        return project
    }

    @Test("lists regular files below a folder, links inside the root followed, sorted by path")
    func lists() throws {
        let project = try Self.project()
        let fileSystem = DiskFileSystem(root: project.root)
        #expect(
            try fileSystem.files(under: "content", includeHidden: false) == [
                "content/a-b.md", "content/a/c/d.md", "content/a/z.md", "content/b.md", "content/link.md", "content/linked/s.md",
            ])
        #expect(
            try fileSystem.files(under: "content", includeHidden: true).filter { $0.contains("/.") } == [
                "content/.drafts/x.md", "content/.hidden.md",
            ])
        #expect(try fileSystem.read("content/linked/s.md") == Data("s".utf8))
    }

    @Test("a file system handed the listings of folders lists them as the disk does, hidden files in or out", arguments: [true, false])
    func prefetchedListings(includeHidden: Bool) throws {
        let project = try Self.project()
        try FileManager.default.createDirectory(at: project.root.appendingPathComponent("content/a/.git"), withIntermediateDirectories: true)
        try Data("g".utf8).write(to: project.root.appendingPathComponent("content/a/.git/HEAD"))
        try Data(".".utf8).write(to: project.root.appendingPathComponent("content/a/c/x.y"))
        let disk = DiskFileSystem(root: project.root)
        let listings = ["content": try disk.files(under: "content", includeHidden: true), "content/a": try disk.files(under: "content/a", includeHidden: true)]
        let prefetched = PrefetchedFileSystem(base: disk, contents: [:], listings: listings)
        for folder in ["content", "content/a", "shared"] {
            #expect(try prefetched.files(under: folder, includeHidden: includeHidden) == disk.files(under: folder, includeHidden: includeHidden))
        }
        #expect(try prefetched.files(under: "content/a", includeHidden: includeHidden).contains("content/a/.git/HEAD") == includeHidden)
    }

    @Test("stamps of many paths at once are the stamps of each, folder by folder, links followed, missing ones nil")
    func stampsAtOnce() throws {
        let project = try Self.project()
        let fileSystem = DiskFileSystem(root: project.root)
        let paths =
            try fileSystem.files(under: "content", includeHidden: true)
            + ["content/missing.md", "content/a", "nowhere/x.md", "shared/s.md", "content/b.md", "content/a/z.md"]
        let stamps = fileSystem.stamps(of: paths)
        #expect(stamps == paths.map { fileSystem.stamp(of: $0) })
        #expect(stamps.compactMap { $0 }.count == paths.count - 3)
        #expect(stamps[paths.firstIndex(of: "content/link.md")!] == fileSystem.stamp(of: "content/b.md"))
    }

    @Test("reads every byte of files of any size", arguments: [0, 1, 2, 4_095, 4_096, 4_097, 65_536, 1_000_003])
    func readsWhole(size: Int) throws {
        let project = try TemporaryProject([:])
        let bytes = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 8) })
        try FileManager.default.createDirectory(at: project.root, withIntermediateDirectories: true)
        try bytes.write(to: project.root.appendingPathComponent("file.bin"))
        #expect(try DiskFileSystem(root: project.root).read("file.bin") == bytes)
        // Read with its stamp: the one a separate stat gives.
        let fileSystem = DiskFileSystem(root: project.root)
        let (data, stamp) = try fileSystem.readStamped("file.bin")
        #expect(data == bytes)
        #expect(stamp != nil && stamp == fileSystem.stamp(of: "file.bin"))
        #expect(stamp?.size == Int64(size))
    }

    @Test("a link that leaves the root is refused, a missing folder is not found")
    func refuses() throws {
        let project = try Self.project()
        let outside = try TemporaryProject(["secret.txt": "no"])
        try FileManager.default.createSymbolicLink(atPath: project.root.path + "/content/escape", withDestinationPath: outside.root.path)
        let fileSystem = DiskFileSystem(root: project.root)
        #expect(throws: FileSystemError.self) { try fileSystem.files(under: "content", includeHidden: false) }
        do throws(FileSystemError) {
            _ = try fileSystem.files(under: "content", includeHidden: false)
        } catch {
            guard case .linkEscapesRoot(let path, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == "content/escape")
        }
        #expect(throws: FileSystemError.notFound("missing")) { try fileSystem.files(under: "missing", includeHidden: false) }
    }
}
