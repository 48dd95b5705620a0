import Foundation

/// Read access to the project's files, so that stages never touch the disk themselves.
///
/// Paths are relative to the project root and use `/`. ``DiskFileSystem`` reads a real folder;
/// ``MemoryFileSystem`` holds files in a dictionary for tests.
public protocol FileSystem: Sendable {
    /// The bytes of the file at `path`.
    func read(_ path: String) throws(FileSystemError) -> Data
    /// Every regular file below `directory`, recursively, as paths relative to the root, sorted.
    /// Hidden entries (names starting with `.`) are included only when `includeHidden` is true.
    func files(under directory: String, includeHidden: Bool) throws(FileSystemError) -> [String]
    /// Whether something exists at `path`, and whether it is a folder.
    func kind(of path: String) -> FileKind
    /// Size, times and inode of the file at `path`, where the file system keeps them.
    func stamp(of path: String) -> FileStamp?
    /// ``stamp(of:)`` of each of `paths`, in order, on every core.
    func stamps(of paths: [String]) -> [FileStamp?]
    /// The bytes of the file at `path`, and its stamp taken before they were read.
    func readStamped(_ path: String) throws(FileSystemError) -> (data: Data, stamp: FileStamp?)
}

extension FileSystem {
    public func stamp(of path: String) -> FileStamp? { nil }

    public func stamps(of paths: [String]) -> [FileStamp?] {
        Parallel.map(paths) { stamp(of: $0) }
    }

    public func readStamped(_ path: String) throws(FileSystemError) -> (data: Data, stamp: FileStamp?) {
        let stamp = stamp(of: path)
        return (try read(path), stamp)
    }
}

/// What is at a path.
public enum FileKind: Sendable, Equatable {
    case missing
    case file
    case directory
}

/// Why a file could not be read.
public enum FileSystemError: Error, Sendable, Equatable {
    case notFound(String)
    case unreadable(String, reason: String)
    /// A symbolic link whose target lies outside the project root.
    case linkEscapesRoot(String, target: String)

    public var path: String {
        switch self {
        case .notFound(let path), .unreadable(let path, _), .linkEscapesRoot(let path, _): path
        }
    }

    /// A diagnostic for this error, located at the file itself.
    public var diagnostic: Diagnostic {
        switch self {
        case .notFound(let path):
            .error(SourceLocation(file: path), "no such file or folder", hint: "create it, or fix the path in site.yml")
        case .unreadable(let path, let reason):
            .error(SourceLocation(file: path), "cannot read: \(reason)")
        case .linkEscapesRoot(let path, let target):
            .error(
                SourceLocation(file: path), "symbolic link points outside the project (to \(target))",
                hint: "copy the file into the project instead of linking to it")
        }
    }
}

extension FileSystem {
    /// Reads `path` as UTF-8 text (a leading byte-order mark is dropped); invalid UTF-8 is an error
    /// with its position, and so is a file over `limit` bytes.
    public func readText(_ path: String, limit: Int = TextDecoding.defaultLimit) throws(DiagnosticError) -> String {
        let data: Data
        do {
            data = try read(path)
        } catch {
            throw DiagnosticError(error.diagnostic)
        }
        return try TextDecoding.text(data, path: path, limit: limit)
    }
}

/// Strict UTF-8 decoding with located errors.
public enum TextDecoding {
    /// The largest text source read: 8 MiB, far above any real legal page or template.
    public static let defaultLimit = 8 << 20

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }

    /// The text of the file at `path` read as `data`: refused over `limit` bytes, then decoded.
    public static func text(_ data: Data, path: String, limit: Int = defaultLimit) throws(DiagnosticError) -> String {
        if data.count > limit {
            throw DiagnosticError(
                .error(
                    SourceLocation(file: path), "file is \(megabytes(data.count)), over the \(megabytes(limit)) limit for text sources",
                    hint: "split it into several pages; a source this large is almost always a mistake"))
        }
        return try decode(data, path: path)
    }

    /// Decodes `data` as UTF-8, rejecting invalid sequences and NUL bytes; a leading BOM is dropped.
    public static func decode(_ data: Data, path: String) throws(DiagnosticError) -> String {
        let valid: String? = data.withUnsafeBytes { raw in
            var bytes = raw.bindMemory(to: UInt8.self)
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = UnsafeBufferPointer(rebasing: bytes.dropFirst(3)) }
            guard let base = bytes.baseAddress else { return "" }
            guard memchr(base, 0, bytes.count) == nil else { return nil }
            return String(validating: bytes, as: UTF8.self)
        }
        if let valid { return valid }
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes.removeFirst(3)
        }
        // Find the first bad byte to report its line and column.
        var line = 1
        var column = 1
        var index = 0
        while index < bytes.count {
            let length = utf8SequenceLength(bytes, at: index)
            if length == 0 || bytes[index] == 0 {
                let what = bytes[index] == 0 ? "a NUL byte" : String(format: "invalid UTF-8 byte 0x%02X", bytes[index])
                throw DiagnosticError(
                    .error(
                        SourceLocation(file: path, line: line, column: column), "\(what)",
                        hint: "save the file as UTF-8 text"))
            }
            if bytes[index] == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += length
        }
        throw DiagnosticError(.error(SourceLocation(file: path), "not valid UTF-8 text", hint: "save the file as UTF-8 text"))
    }

    /// The length of a valid UTF-8 sequence at `index`, or 0 when it is invalid.
    private static func utf8SequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        let slice = Array(bytes[index..<index + length])
        return String(validating: slice, as: UTF8.self) == nil ? 0 : length
    }
}

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

/// Files held in memory, for tests: `[path: contents]`.
public struct MemoryFileSystem: FileSystem {
    public var contents: [String: Data]

    public init(_ files: [String: String]) {
        self.contents = files.mapValues { Data($0.utf8) }
    }

    public init(data: [String: Data]) {
        self.contents = data
    }

    public func read(_ path: String) throws(FileSystemError) -> Data {
        guard let data = contents[path] else { throw .notFound(path) }
        return data
    }

    public func files(under directory: String, includeHidden: Bool) throws(FileSystemError) -> [String] {
        let prefix = directory.isEmpty || directory == "." ? "" : directory + "/"
        let found = contents.keys.filter { path in
            guard path.hasPrefix(prefix) else { return false }
            return includeHidden || !path.isHidden(below: directory)
        }
        if found.isEmpty, kind(of: directory) == .missing { throw .notFound(directory) }
        return found.sorted()
    }

    public func kind(of path: String) -> FileKind {
        if contents[path] != nil { return .file }
        let prefix = path.isEmpty || path == "." ? "" : path + "/"
        return contents.keys.contains { $0.hasPrefix(prefix) } ? .directory : .missing
    }
}

/// A file system that answers the first read of some files with bytes already read (while proving
/// what changed, say), and everything else from `base`: no file is read from disk twice in a build.
public struct PrefetchedFileSystem<Base: FileSystem>: FileSystem {
    public let base: Base
    /// Bytes handed out once each, then let go; spread over locks by path, since every core takes them.
    private let store: KeyShards<Data>

    /// The files below folders, hidden ones included, as `base` listed them.
    private let listings: [String: [String]]

    /// `contents` by path relative to the root, as `base` would read them; `listings`, the files
    /// below folders as `base` lists them with hidden files (sorted).
    public init(base: Base, contents: [String: Data], listings: [String: [String]] = [:]) {
        self.base = base
        let store = KeyShards<Data>()
        for (path, data) in contents { store.store(data, for: path) }
        self.store = store
        self.listings = listings
    }

    public func read(_ path: String) throws(FileSystemError) -> Data {
        if let data = store.take(path) { return data }
        return try base.read(path)
    }

    public func files(under directory: String, includeHidden: Bool) throws(FileSystemError) -> [String] {
        guard let listed = listings[directory] else { return try base.files(under: directory, includeHidden: includeHidden) }
        if includeHidden { return listed }
        return listed.filter { !$0.isHidden(below: directory) }
    }

    public func kind(of path: String) -> FileKind { base.kind(of: path) }

    public func stamp(of path: String) -> FileStamp? { base.stamp(of: path) }

    public func stamps(of paths: [String]) -> [FileStamp?] { base.stamps(of: paths) }
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
