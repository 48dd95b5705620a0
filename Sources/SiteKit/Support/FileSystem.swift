import Foundation

/// Read access to the project's files, so that stages never touch the disk themselves.
///
/// Paths are relative to the project root and use `/`. ``DiskFileSystem`` reads a real folder;
/// ``MemoryFileSystem`` holds files in a dictionary for tests.
public protocol FileSystem: Sendable {
    /// The bytes of the file at `path`.
    func read(_ path: String) throws(FileSystemError) -> Data
    /// The bytes of the file at `path`, refused (``FileSystemError/tooLarge(_:size:limit:)``)
    /// over `limit` bytes without reading them.
    func read(_ path: String, atMost limit: Int) throws(FileSystemError) -> Data
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

    public func read(_ path: String, atMost limit: Int) throws(FileSystemError) -> Data {
        let data = try read(path)
        if data.count > limit { throw .tooLarge(path, size: data.count, limit: limit) }
        return data
    }

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

extension FileSystem {
    /// Reads `path` as UTF-8 text (a leading byte-order mark is dropped); invalid UTF-8 is an error
    /// with its position, and so is a file over `limit` bytes.
    public func readText(_ path: String, limit: Int = TextDecoding.defaultLimit) throws(DiagnosticError) -> String {
        let data: Data
        do {
            data = try read(path, atMost: limit)
        } catch {
            throw DiagnosticError(error.diagnostic)
        }
        return try TextDecoding.text(data, path: path, limit: limit)
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
