import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The real file system below a root folder.
public struct DiskFileSystem: FileSystem {
    /// The project root; every path is relative to it.
    public let root: URL
    /// The root with its symbolic links resolved, once.
    private let resolvedRoot: String
    /// `root.path`, once (URL's path is slow to ask for in a loop).
    private let rootPath: String
    /// Folders already known to resolve inside the root.
    private let verified = VerifiedFolders()

    public init(root: URL) {
        self.root = root.standardizedFileURL
        self.rootPath = self.root.path
        if let resolved = realpath(self.root.path, nil) {
            resolvedRoot = String(cString: resolved)
            free(resolved)
        } else {
            resolvedRoot = self.root.path
        }
    }

    private func url(_ path: String) -> URL {
        path.isEmpty || path == "." ? root : root.appendingPathComponent(path)
    }

    /// The absolute path, by joining strings (URL arithmetic costs more than the read itself).
    private func fullPath(_ path: String) -> String {
        path.isEmpty || path == "." ? rootPath : (rootPath.hasSuffix("/") ? rootPath + path : rootPath + "/" + path)
    }

    /// Reads with plain POSIX calls: small files are read whole, never mapped.
    public func read(_ path: String) throws(FileSystemError) -> Data {
        try readStamped(path).data
    }

    /// The stamp comes from the open file, before its bytes are read: no `stat` of its own.
    public func readStamped(_ path: String) throws(FileSystemError) -> (data: Data, stamp: FileStamp?) {
        let full = fullPath(path)
        // Not following a link at the last step answers "is it a link?" without another system call;
        // a link (ELOOP) is resolved and checked, and only then followed.
        var descriptor = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if descriptor >= 0 {
            try checkFolder(of: full, reportedAs: path)
        } else if errno == ELOOP {
            try resolveInside(full, reportedAs: path)
            descriptor = open(full, O_RDONLY | O_CLOEXEC)
        }
        guard descriptor >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw .notFound(path) }
            throw .unreadable(path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(path, reason: String(cString: strerror(errno))) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(path, reason: "not a regular file") }
        let stamp = Self.stamp(status)
        // One byte more than the size is asked for: a read that gives exactly the size stopped at
        // the end of the file, and no second read is needed to learn that (a system call a file fewer).
        let size = Int(status.st_size)
        var data = Data(count: size + 1)
        var offset = 0
        while offset < data.count {
            let wanted = data.count - offset
            let count = data.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress.map { $0 + offset }, wanted)
            }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw .unreadable(path, reason: String(cString: strerror(errno))) }
            if count == 0 { break }  // the end of the file (it shrank since fstat, if before its size)
            offset += count
            if offset == size, count < wanted { break }
        }
        // The file grew since fstat: read the rest in small pieces.
        if offset == data.count {
            var chunk = [UInt8](repeating: 0, count: 4096)
            while offset == data.count {
                let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count >= 0 else { throw .unreadable(path, reason: String(cString: strerror(errno))) }
                if count == 0 { break }
                data.append(contentsOf: chunk[0..<count])
                offset += count
            }
        }
        data.count = offset
        return (data, stamp)
    }

    public func files(under directory: String, includeHidden: Bool) throws(FileSystemError) -> [String] {
        guard kind(of: directory) == .directory else { throw .notFound(directory) }
        try checkLink(directory)
        var result: [String] = []
        try walk(directory, includeHidden: includeHidden, into: &result)
        return result.sorted()
    }

    private func walk(_ directory: String, includeHidden: Bool, into result: inout [String]) throws(FileSystemError) {
        // readdir tells each entry's type, so only links and file systems that do not say need a stat.
        guard var entries = FolderEntries.read(fullPath(directory)) else {
            throw .unreadable(directory, reason: String(cString: strerror(errno)))
        }
        if !includeHidden { entries.removeAll { $0.name.hasPrefix(".") } }
        entries.sort { $0.name < $1.name }
        for (name, type) in entries {
            let path = directory.isEmpty || directory == "." ? name : directory + "/" + name
            var mode: mode_t
            switch Int32(type) {
            case Self.directoryType: mode = S_IFDIR
            case Self.regularType: mode = S_IFREG
            default:
                var status = stat()
                guard lstat(fullPath(path), &status) == 0 else { continue }
                mode = status.st_mode & S_IFMT
                // Entries of a folder inside the root are inside it too, unless they are links.
                if mode == S_IFLNK {
                    try checkLink(path)
                    guard stat(fullPath(path), &status) == 0 else { continue }
                    mode = status.st_mode & S_IFMT
                }
            }
            switch mode {
            case S_IFDIR: try walk(path, includeHidden: includeHidden, into: &result)
            case S_IFREG: result.append(path)
            default: continue
            }
        }
    }

    private static let directoryType = Int32(FolderEntries.directory)
    private static let regularType = Int32(FolderEntries.regularFile)

    /// Refuses a symbolic link (or a path through one) that resolves outside the root. A file that
    /// is not a link needs only its folder checked, and each folder is resolved once.
    private func checkLink(_ path: String) throws(FileSystemError) {
        let full = fullPath(path)
        var status = stat()
        if lstat(full, &status) == 0, (status.st_mode & S_IFMT) != S_IFLNK {
            try checkFolder(of: full, reportedAs: path)
            return
        }
        try resolveInside(full, reportedAs: path)
    }

    /// Checks the folder of a file that is not a link itself, once per folder.
    private func checkFolder(of full: String, reportedAs path: String) throws(FileSystemError) {
        guard let slash = full.lastIndex(of: "/") else { return }
        let folder = String(full[..<slash])
        if verified.contains(folder) { return }
        try resolveInside(folder, reportedAs: path)
        verified.insert(folder)
    }

    /// `realpath` answers in one call what Foundation's symlink resolution does with many.
    private func resolveInside(_ full: String, reportedAs path: String) throws(FileSystemError) {
        guard let resolved = realpath(full, nil) else { return }  // missing: reported when read
        defer { free(resolved) }
        let target = String(cString: resolved)
        if target != resolvedRoot, !target.hasPrefix(resolvedRoot.hasSuffix("/") ? resolvedRoot : resolvedRoot + "/") {
            throw .linkEscapesRoot(path, target: target)
        }
    }

    public func stamp(of path: String) -> FileStamp? {
        var status = stat()
        guard stat(fullPath(path), &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Self.stamp(status)
    }

    /// The files of one folder are stamped through the open folder, by name (the file system walks
    /// one name, not the whole path); folders are spread over the cores.
    public func stamps(of paths: [String]) -> [FileStamp?] {
        let runs = String.folderRuns(count: paths.count) { paths[$0] }
        return Array(
            Parallel.map(runs) { run -> [FileStamp?] in
                let first = paths[run.lowerBound]
                let folder = String(first.folderAndName.folder)
                let descriptor = open(fullPath(folder), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                guard descriptor >= 0 else { return run.map { stamp(of: paths[$0]) } }
                defer { close(descriptor) }
                return run.map { index -> FileStamp? in
                    let path = paths[index]
                    let name = String(path.folderAndName.name)
                    var status = stat()
                    // Following a link at the last step, as stamp(of:) does.
                    guard fstatat(descriptor, name, &status, 0) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
                    return Self.stamp(status)
                }
            }.joined())
    }

    private static func stamp(_ status: stat) -> FileStamp {
        func nanoseconds(_ time: timespec) -> Int64 { Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec) }
        return FileStamp(
            size: Int64(status.st_size), modified: nanoseconds(status.st_mtim), changed: nanoseconds(status.st_ctim),
            inode: UInt64(status.st_ino))
    }

    public func kind(of path: String) -> FileKind {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url(path).path, isDirectory: &isDirectory) else { return .missing }
        return isDirectory.boolValue ? .directory : .file
    }
}

/// Folder paths, from many threads.
private final class VerifiedFolders: @unchecked Sendable {
    private var folders = Set<String>()
    private let lock = NSLock()

    func contains(_ folder: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return folders.contains(folder)
    }

    func insert(_ folder: String) {
        lock.lock()
        folders.insert(folder)
        lock.unlock()
    }
}

/// The entries of a folder as `readdir` lists them, with the type it reports for each (which saves
/// a `stat` a file where the file system says).
enum FolderEntries {
    /// `d_type` values (dirent.h): a folder, a regular file; 0 means the file system does not say.
    static let directory: UInt8 = 4
    static let regularFile: UInt8 = 8

    /// Names and types, without `.` and `..`, in the order the file system gives; nil when the
    /// folder cannot be opened (`errno` says why).
    static func read(_ path: String) -> [(name: String, type: UInt8)]? {
        guard let stream = opendir(path) else { return nil }
        defer { closedir(stream) }
        var entries: [(name: String, type: UInt8)] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if name != ".", name != ".." { entries.append((name, entry.pointee.d_type)) }
        }
        return entries
    }
}
