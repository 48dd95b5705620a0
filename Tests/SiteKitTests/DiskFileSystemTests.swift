import Foundation
import PropertyBased
import Testing

@testable import SiteKit

@Suite("DiskFileSystem: listing and reading inside the project")
struct DiskFileSystemTests {
    /// A tree with nested folders, hidden files, links inside the root and names that sort
    /// differently as paths than as names (`a-b` before `a/`).
    static func project() throws -> TemporaryProject {
        let project = try TemporaryProject([
            "content/b.md": "b", "content/a/z.md": "z", "content/a-b.md": "ab", "content/.hidden.md": "h",
            "content/.drafts/x.md": "x", "content/a/c/d.md": "d", "shared/s.md": "s", "notes/n.md": "n",
        ])
        let root = project.root.path
        try FileManager.default.createSymbolicLink(atPath: root + "/content/link.md", withDestinationPath: "../notes/n.md")
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
        try FileManager.default.createDirectory(
            at: project.root.appendingPathComponent("content/a/.git"), withIntermediateDirectories: true)
        try Data("g".utf8).write(to: project.root.appendingPathComponent("content/a/.git/HEAD"))
        try Data(".".utf8).write(to: project.root.appendingPathComponent("content/a/c/x.y"))
        let disk = DiskFileSystem(root: project.root)
        let listings = [
            "content": try disk.files(under: "content", includeHidden: true),
            "content/a": try disk.files(under: "content/a", includeHidden: true),
        ]
        let prefetched = PrefetchedFileSystem(base: disk, contents: [:], listings: listings)
        for folder in ["content", "content/a", "shared"] {
            #expect(
                try prefetched.files(under: folder, includeHidden: includeHidden) == disk.files(under: folder, includeHidden: includeHidden)
            )
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
        #expect(stamps[paths.firstIndex(of: "content/link.md")!] == fileSystem.stamp(of: "notes/n.md"))
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

    /// Shapes a folder below `content/` can take that are not a plain tree of files, and the error
    /// each must give (nil: listed, each file once).
    enum Shape: String, CaseIterable, Sendable {
        case linkToItsFolder, linkToTheProject, linkToAFolderAbove, linksInACycle, danglingLink, namedPipe, socket,
            characterDevice, linkToAFolderReadAlready, linkToAFileReadAlready, twoLinksToOneFile, linkToAFolderElsewhere,
            linkToAFileElsewhere, linkedFolderHoldingALinkBack

        /// Makes the shape in the project at `root` (which holds `content/b.md` and `shared/s.md`).
        func make(at root: String) throws {
            let manager = FileManager.default
            func link(_ path: String, _ target: String) throws {
                try manager.createSymbolicLink(atPath: root + "/" + path, withDestinationPath: target)
            }
            switch self {
            case .linkToItsFolder: try link("content/again", ".")
            case .linkToTheProject: try link("content/up", "..")
            case .linkToAFolderAbove: try link("content/a/up", "..")
            case .linksInACycle:
                try link("content/x.md", "y.md")
                try link("content/y.md", "x.md")
            case .danglingLink: try link("content/gone.md", "nothing-here.md")
            case .namedPipe: #expect(mkfifo(root + "/content/pipe.md", 0o644) == 0)
            case .socket: try Self.bindSocket(at: root + "/content/a/socket")
            case .characterDevice:
                // Device nodes need privileges; without them the case is the pipe's.
                if mknod(root + "/content/null", S_IFCHR | 0o644, dev_t((1 << 8) | 3)) != 0 {
                    #expect(mkfifo(root + "/content/null", 0o644) == 0)
                }
            case .linkToAFolderReadAlready: try link("content/z", "a")
            case .linkToAFileReadAlready: try link("content/c.md", "b.md")
            case .twoLinksToOneFile:
                try link("content/s1.md", "../shared/s.md")
                try link("content/s2.md", "../shared/s.md")
            case .linkToAFolderElsewhere: try link("content/shared", "../shared")
            case .linkToAFileElsewhere: try link("content/s.md", "../shared/s.md")
            case .linkedFolderHoldingALinkBack:
                try link("content/shared", "../shared")
                try link("shared/back", "../content")
            }
        }

        var expected: FileSystemError? {
            switch self {
            case .linkToItsFolder: .linkLoop("content/again", target: "content")
            case .linkToTheProject: .linkLoop("content/up", target: "")
            case .linkToAFolderAbove: .linkLoop("content/a/up", target: "content")
            case .linksInACycle: .linkCycle("content/x.md", target: "y.md")
            case .danglingLink: .danglingLink("content/gone.md", target: "nothing-here.md")
            case .namedPipe: .notRegular("content/pipe.md", shape: "a named pipe (FIFO)")
            case .socket: .notRegular("content/a/socket", shape: "a socket")
            case .characterDevice: nil  // checked by kind below: device or pipe
            case .linkToAFolderReadAlready: .readTwice("content/z", target: "content/a", isFolder: true)
            case .linkToAFileReadAlready: .readTwice("content/c.md", target: "content/b.md", isFolder: false)
            case .twoLinksToOneFile: .readTwice("content/s2.md", target: "content/s1.md", isFolder: false)
            case .linkToAFolderElsewhere, .linkToAFileElsewhere: nil
            case .linkedFolderHoldingALinkBack: .linkLoop("content/shared/back", target: "content")
            }
        }

        static func bindSocket(at path: String) throws {
            let descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            #expect(descriptor >= 0)
            defer { close(descriptor) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            #expect(bound == 0, "bind \(path): \(String(cString: strerror(errno)))")
        }
    }

    @Test("every shape that is not a plain tree is an error naming the path, or is listed with each file once", arguments: Shape.allCases)
    func shapes(_ shape: Shape) throws {
        // Short paths: a socket's path must fit in 108 bytes.
        let project = try TemporaryProject(["content/b.md": "b", "content/a/d.md": "d", "shared/s.md": "s"])
        try shape.make(at: project.root.path)
        let fileSystem = DiskFileSystem(root: project.root)
        let result = Result { () throws(FileSystemError) in try fileSystem.files(under: "content", includeHidden: false) }
        switch (shape, result) {
        case (.characterDevice, .failure(.notRegular(let path, let kind))):
            #expect(path == "content/null")
            #expect(kind == "a character device" || kind == "a named pipe (FIFO)")
        case (_, .failure(let error)):
            #expect(error == shape.expected)
            #expect(error.diagnostic.location.file == error.path)
        case (_, .success(let files)):
            #expect(shape.expected == nil, "listed \(files)")
            let real = files.map { DiskFileSystem.realPath(project.root.path + "/" + $0) }
            #expect(Set(real).count == files.count, "a file listed twice: \(files)")
        }
    }

    @Test("a file over the limit is refused from its size, before any byte of it is read")
    func boundedRead() throws {
        let project = try TemporaryProject(["content/b.md": "b"])
        // Sparse: 3 GiB on paper, no blocks on disk; reading it would take seconds and gigabytes.
        let huge = project.root.appendingPathComponent("content/huge.md").path
        let descriptor = open(huge, O_WRONLY | O_CREAT, 0o644)
        #expect(descriptor >= 0 && ftruncate(descriptor, 3 << 30) == 0)
        close(descriptor)
        let fileSystem = DiskFileSystem(root: project.root)
        #expect(throws: FileSystemError.tooLarge("content/huge.md", size: 3 << 30, limit: 8 << 20)) {
            try fileSystem.read("content/huge.md", atMost: 8 << 20)
        }
        #expect(throws: FileSystemError.self) { try fileSystem.read("content/huge.md") }
        #expect(try fileSystem.read("content/b.md", atMost: 1) == Data("b".utf8))
        #expect(throws: FileSystemError.tooLarge("content/b.md", size: 1, limit: 0)) { try fileSystem.read("content/b.md", atMost: 0) }
    }

    @Test("a named pipe, socket or link cycle read directly is an error at once, never a wait")
    func readsNeverBlock() throws {
        let project = try TemporaryProject(["content/b.md": "b"])
        let root = project.root.path
        #expect(mkfifo(root + "/site.yml", 0o644) == 0)
        try Shape.bindSocket(at: root + "/sock")
        try FileManager.default.createSymbolicLink(atPath: root + "/loop", withDestinationPath: "loop")
        try FileManager.default.createSymbolicLink(atPath: root + "/gone", withDestinationPath: "nowhere")
        let fileSystem = DiskFileSystem(root: project.root)
        #expect(throws: FileSystemError.notRegular("site.yml", shape: "a named pipe (FIFO)")) { try fileSystem.read("site.yml") }
        #expect(throws: FileSystemError.notRegular("sock", shape: "a socket")) { try fileSystem.read("sock") }
        #expect(throws: FileSystemError.linkCycle("loop", target: "loop")) { try fileSystem.read("loop") }
        #expect(throws: FileSystemError.danglingLink("gone", target: "nowhere")) { try fileSystem.read("gone") }
        #expect(throws: FileSystemError.notRegular("content", shape: "a folder")) { try fileSystem.read("content") }
        #expect(throws: FileSystemError.notRegular(root + "/site.yml", shape: "a named pipe (FIFO)")) {
            try DiskFileSystem.readFile(atPath: root + "/site.yml")
        }
    }

    /// Pieces of a tree: folders, files, pipes and links to anywhere, spelled as `kind path [target]`.
    static let treePieces = [
        "dir content/a", "dir content/a/b", "dir content/c", "dir shared", "file content/x.md", "file content/a/y.md",
        "file content/a/b/z.md", "file shared/s.md", "fifo content/a/p", "link content/l1 .", "link content/l2 ..",
        "link content/a/l3 ../c", "link content/a/b/l4 ../..", "link content/c/l5 ../a", "link content/l6 ../shared",
        "link shared/l7 ../content", "link content/l8.md x.md", "link content/a/l9.md ../../shared/s.md",
        "link content/l10.md l11.md", "link content/l11.md l10.md", "link content/l12 nowhere", "link content/c/l13 /",
    ]

    @Test("any tree of folders, files, pipes and links is listed with each file once or refused at a path that exists")
    func anyTree() async throws {
        await propertyCheck(count: 120, input: Gen<String?>.element(of: Self.treePieces).array(of: 0...10)) { pieces in
            guard let project = try? TemporaryProject(["content/b.md": "b"]) else { return }
            let root = project.root.path
            for piece in pieces.compactMap({ $0 }) {
                let parts = piece.split(separator: " ").map(String.init)
                let path = root + "/" + parts[1]
                try? FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                switch parts[0] {
                case "dir": try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                case "file": try? Data("f".utf8).write(to: URL(fileURLWithPath: path))
                case "fifo": _ = mkfifo(path, 0o644)
                default: try? FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: parts[2])
                }
            }
            let fileSystem = DiskFileSystem(root: project.root)
            do throws(FileSystemError) {
                let files = try fileSystem.files(under: "content", includeHidden: false)
                let real = files.compactMap { DiskFileSystem.realPath(root + "/" + $0) }
                #expect(real.count == files.count)
                #expect(Set(real).count == files.count, "a file listed twice: \(files)")
                for file in files { #expect(try fileSystem.read(file) == Data("f".utf8) || file == "content/b.md") }
            } catch {
                var status = stat()
                #expect(lstat(root + "/" + error.path, &status) == 0, "\(error) names no entry")
                #expect(!error.diagnostic.message.isEmpty)
            }
        }
    }
}
