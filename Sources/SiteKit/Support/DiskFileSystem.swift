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

    /// The files below the folder `root`; symbolic links are followed only where they stay inside
    /// it.
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

    /// Refused from the open file's size, before a byte is read.
    public func read(_ path: String, atMost limit: Int) throws(FileSystemError) -> Data {
        try readStamped(path, limit: limit).data
    }

    /// The stamp comes from the open file, before its bytes are read: no `stat` of its own.
    public func readStamped(_ path: String) throws(FileSystemError) -> (data: Data, stamp: FileStamp?) {
        try readStamped(path, limit: Self.maximumFileSize)
    }

    private func readStamped(_ path: String, limit: Int) throws(FileSystemError) -> (data: Data, stamp: FileStamp?) {
        let full = fullPath(path)
        // Not following a link at the last step answers "is it a link?" without another system call;
        // a link (ELOOP) is resolved and checked, and only then followed. O_NONBLOCK: opening a
        // named pipe would otherwise wait for a writer forever (it means nothing for regular files).
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK
        var descriptor = open(full, flags | O_NOFOLLOW)
        if descriptor >= 0 {
            try checkFolder(of: full, reportedAs: path)
        } else if errno == ELOOP {
            try resolveInside(full, reportedAs: path)
            descriptor = open(full, flags)
        }
        guard descriptor >= 0 else { throw Self.openFailure(full, reportedAs: path) }
        defer { close(descriptor) }
        return try Self.readRegular(descriptor, reportedAs: path, limit: limit)
    }

    /// The largest file read: 1 GiB. Text sources have a far lower limit of their own; this one
    /// bounds the read of a file that keeps growing while it is read.
    public static let maximumFileSize = 1 << 30

    /// Reads a file named on the command line (any absolute or working-folder-relative path, no
    /// project around it), with the same rules: a regular file, never a blocking read.
    public static func readFile(atPath full: String) throws(FileSystemError) -> Data {
        let descriptor = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw openFailure(full, reportedAs: full) }
        defer { close(descriptor) }
        return try readRegular(descriptor, reportedAs: full).data
    }

    /// Why `full` could not be opened, read off `errno` and the path itself.
    private static func openFailure(_ full: String, reportedAs path: String) -> FileSystemError {
        let reason = errno
        if reason == ENOENT || reason == ENOTDIR {
            if let target = linkText(full) { return .danglingLink(path, target: target) }
            return .notFound(path)
        }
        // A socket cannot be opened at all (ENXIO): say what it is.
        var status = stat()
        if stat(full, &status) == 0, let shape = FileShape.irregular(status.st_mode) { return .notRegular(path, shape: shape) }
        if reason == ELOOP { return .linkCycle(path, target: linkText(full) ?? "?") }
        return .unreadable(path, reason: String(cString: strerror(reason)))
    }

    /// The bytes and stamp of the open `descriptor`, which must be a regular file.
    private static func readRegular(
        _ descriptor: Int32, reportedAs path: String, limit: Int = maximumFileSize
    ) throws(FileSystemError) -> (data: Data, stamp: FileStamp?) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(path, reason: String(cString: strerror(errno))) }
        if let shape = FileShape.irregular(status.st_mode) { throw .notRegular(path, shape: shape) }
        let stamp = Self.stamp(status)
        // One byte more than the size is asked for: a read that gives exactly the size stopped at
        // the end of the file, and no second read is needed to learn that (a system call a file fewer).
        let size = Int(status.st_size)
        guard size <= limit || limit >= maximumFileSize else { throw .tooLarge(path, size: size, limit: limit) }
        guard size <= maximumFileSize else { throw tooLarge(path) }
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
        // The file grew since fstat: read the rest in small pieces, up to the limit.
        if offset == data.count {
            var chunk = [UInt8](repeating: 0, count: 4096)
            while offset == data.count {
                let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count >= 0 else { throw .unreadable(path, reason: String(cString: strerror(errno))) }
                if count == 0 { break }
                data.append(contentsOf: chunk[0..<count])
                offset += count
                guard offset <= maximumFileSize else { throw tooLarge(path) }
                guard offset <= limit else { throw .tooLarge(path, size: offset, limit: limit) }
            }
        }
        data.count = offset
        return (data, stamp)
    }

    private static func tooLarge(_ path: String) -> FileSystemError {
        .unreadable(path, reason: "larger than \(maximumFileSize >> 30) GiB, the most site reads of one file")
    }

    /// Every regular file below `directory`, sorted, through symbolic links that stay inside the
    /// root; a link out of it, a loop or a file reached twice is an error.
    public func files(under directory: String, includeHidden: Bool) throws(FileSystemError) -> [String] {
        guard kind(of: directory) == .directory else { throw .notFound(directory) }
        try checkLink(directory)
        var walk = Walk(includeHidden: includeHidden)
        let real = Self.realPath(fullPath(directory)) ?? fullPath(directory)
        try self.walk(directory, real: real, link: nil, into: &walk)
        try walk.checkLinkedFiles()
        return walk.files.sorted()
    }

    /// What one listing has seen: the files, each folder by device and inode (a folder reached
    /// twice through links is read once, and a loop is found however the links are spelled), and
    /// the files reached through links.
    private struct Walk {
        let includeHidden: Bool
        var files: [String] = []
        /// Folder identity -> the path it was first read at, and the link that led there, if any.
        var folders: [FolderEntries.Identity: (path: String, link: String?)] = [:]
        /// Real path of each folder read -> the path it was read at.
        var realFolders: [String: String] = [:]
        /// The real paths of the folders being walked, outermost first.
        var ancestors: [String] = []
        /// Links to files, with the real path of each file.
        var linkedFiles: [(link: String, target: String)] = []

        init(includeHidden: Bool) { self.includeHidden = includeHidden }

        /// A link to a file that is listed under its own name too, or two links to one file, is
        /// one file read twice.
        func checkLinkedFiles() throws(FileSystemError) {
            guard !linkedFiles.isEmpty else { return }
            let listed = Set(files)
            var seen: [String: String] = [:]
            for (link, target) in linkedFiles {
                let (folder, name) = target.folderAndName
                if let read = realFolders[String(folder)] {
                    let path = read.isEmpty || read == "." ? String(name) : read + "/" + name
                    if listed.contains(path) { throw .readTwice(link, target: path, isFolder: false) }
                }
                if let first = seen[target] { throw .readTwice(link, target: first, isFolder: false) }
                seen[target] = link
            }
        }
    }

    /// Lists `directory` (whose real path is `real`, reached through `link` if a link led here).
    private func walk(_ directory: String, real: String, link: String?, into walk: inout Walk) throws(FileSystemError) {
        // readdir tells each entry's type, so only links and file systems that do not say need a stat.
        guard let listing = FolderEntries.listing(fullPath(directory)) else {
            throw .unreadable(directory, reason: String(cString: strerror(errno)))
        }
        if let first = walk.folders[listing.identity] {
            // Only a link leads to a folder a second time; blame the link, wherever it was met.
            guard let blamed = link ?? first.link else { return }
            throw .readTwice(blamed, target: link == nil ? directory : first.path, isFolder: true)
        }
        walk.folders[listing.identity] = (directory, link)
        walk.realFolders[real] = directory
        walk.ancestors.append(real)
        defer { walk.ancestors.removeLast() }
        var entries = listing.entries
        if !walk.includeHidden { entries.removeAll { $0.name.hasPrefix(".") } }
        entries.sort { $0.name < $1.name }
        for (name, type) in entries {
            let path = directory.isEmpty || directory == "." ? name : directory + "/" + name
            switch Int32(type) {
            case Self.directoryType:
                try self.walk(path, real: real + "/" + name, link: nil, into: &walk)
            case Self.regularType:
                walk.files.append(path)
            default:
                var status = stat()
                guard lstat(fullPath(path), &status) == 0 else { continue }  // gone since the listing
                var mode = status.st_mode & S_IFMT
                let isLink = mode == S_IFLNK
                var target = real + "/" + name
                // Entries of a folder inside the root are inside it too, unless they are links.
                if mode == S_IFLNK {
                    try checkLink(path)
                    guard stat(fullPath(path), &status) == 0 else {
                        let reason = errno
                        let text = Self.linkText(fullPath(path)) ?? "?"
                        throw reason == ELOOP ? .linkCycle(path, target: text) : .danglingLink(path, target: text)
                    }
                    mode = status.st_mode & S_IFMT
                    target = Self.realPath(fullPath(path)) ?? target
                    // A link to a folder the walk is inside (however far up) would be walked forever.
                    if mode == S_IFDIR, walk.ancestors.contains(where: { $0 == target || $0.hasPrefix(target + "/") }) {
                        throw .linkLoop(path, target: relativeToRoot(target))
                    }
                    if mode == S_IFREG { walk.linkedFiles.append((path, target)) }
                }
                if let shape = FileShape.irregular(mode), mode != S_IFDIR { throw .notRegular(path, shape: shape) }
                if mode == S_IFDIR {
                    try self.walk(path, real: target, link: isLink ? path : nil, into: &walk)
                } else {
                    walk.files.append(path)
                }
            }
        }
    }

    /// `real`, a resolved path inside the root, relative to the root.
    private func relativeToRoot(_ real: String) -> String {
        real == resolvedRoot ? "" : String(real.dropFirst(resolvedRoot.count + (resolvedRoot.hasSuffix("/") ? 0 : 1)))
    }

    /// The resolved form of an absolute path, or nil when it does not resolve.
    static func realPath(_ full: String) -> String? {
        guard let resolved = realpath(full, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The text of the link at `full`; nil when it is not a link.
    static func linkText(_ full: String) -> String? {
        var status = stat()
        guard lstat(full, &status) == 0, (status.st_mode & S_IFMT) == S_IFLNK else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(full, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
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

    /// The stamp of the regular file at `path`, through a symbolic link; nil when there is none.
    public func stamp(of path: String) -> FileStamp? {
        Self.stamp(atPath: fullPath(path))
    }

    /// The stamp of the regular file at the absolute path `full` (following links); nil for
    /// anything else.
    public static func stamp(atPath full: String) -> FileStamp? {
        var status = stat()
        guard stat(full, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return stamp(status)
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

    /// Whether `path` is missing, a folder or a file, through a symbolic link.
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

    /// A folder's device and inode: the same folder, however it was reached.
    struct Identity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// Names and types, without `.` and `..`, in the order the file system gives; nil when the
    /// folder cannot be opened (`errno` says why).
    static func read(_ path: String) -> [(name: String, type: UInt8)]? {
        listing(path)?.entries
    }

    /// The folder's identity (from the open folder, no second lookup of its path) and its entries.
    static func listing(_ path: String) -> (identity: Identity, entries: [(name: String, type: UInt8)])? {
        guard let stream = opendir(path) else { return nil }
        defer { closedir(stream) }
        var status = stat()
        guard fstat(dirfd(stream), &status) == 0 else { return nil }
        var entries: [(name: String, type: UInt8)] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if name != ".", name != ".." { entries.append((name, entry.pointee.d_type)) }
        }
        return (Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino)), entries)
    }
}

/// Names for what can stand at a path besides a file, for messages.
enum FileShape {
    /// What `mode` (a `stat` mode) is, when it is not a regular file; nil for a regular file.
    static func irregular(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a folder"
        case S_IFIFO: "a named pipe (FIFO)"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFLNK: "a symbolic link"
        default: "a special file"
        }
    }
}
