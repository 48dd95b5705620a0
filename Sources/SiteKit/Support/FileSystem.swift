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
    /// Nil: a file system without stamps has every file read to learn whether it changed.
    public func stamp(of path: String) -> FileStamp? { nil }

    /// Reads the whole file, then refuses it (``FileSystemError/tooLarge(_:size:limit:)``) when it
    /// is over `limit` bytes.
    public func read(_ path: String, atMost limit: Int) throws(FileSystemError) -> Data {
        let data = try read(path)
        if data.count > limit { throw .tooLarge(path, size: data.count, limit: limit) }
        return data
    }

    /// Each path's ``stamp(of:)``, in order, taken on every core.
    public func stamps(of paths: [String]) -> [FileStamp?] {
        Parallel.map(paths) { stamp(of: $0) }
    }

    /// The file's stamp, taken first, and then its bytes.
    public func readStamped(_ path: String) throws(FileSystemError) -> (data: Data, stamp: FileStamp?) {
        let stamp = stamp(of: path)
        return (try read(path), stamp)
    }
}

/// What is at a path.
public enum FileKind: Sendable, Equatable {
    /// Nothing is at the path.
    case missing
    /// Something that is not a folder, usually a regular file.
    case file
    /// A folder.
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
    /// The files' bytes, by path relative to the root.
    public var contents: [String: Data]

    /// Files holding the UTF-8 text of `files`, by path.
    public init(_ files: [String: String]) {
        self.contents = files.mapValues { Data($0.utf8) }
    }

    /// Files holding `data`, by path.
    public init(data: [String: Data]) {
        self.contents = data
    }

    /// The bytes stored at `path`; ``FileSystemError/notFound(_:)`` when there are none.
    public func read(_ path: String) throws(FileSystemError) -> Data {
        guard let data = contents[path] else { throw .notFound(path) }
        return data
    }

    /// The stored paths below `directory`, sorted; `.` or an empty string is the root.
    public func files(under directory: String, includeHidden: Bool) throws(FileSystemError) -> [String] {
        let prefix = directory.isEmpty || directory == "." ? "" : directory + "/"
        let found = contents.keys.filter { path in
            guard path.hasPrefix(prefix) else { return false }
            return includeHidden || !path.isHidden(below: directory)
        }
        if found.isEmpty, kind(of: directory) == .missing { throw .notFound(directory) }
        return found.sorted()
    }

    /// A file when `path` is stored, a folder when stored paths lie below it, else missing.
    public func kind(of path: String) -> FileKind {
        if contents[path] != nil { return .file }
        let prefix = path.isEmpty || path == "." ? "" : path + "/"
        return contents.keys.contains { $0.hasPrefix(prefix) } ? .directory : .missing
    }
}
