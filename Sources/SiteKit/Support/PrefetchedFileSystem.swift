import Foundation

/// A file system that answers the first read of some files with bytes already read (while proving
/// what changed, say), and everything else from `base`: no file is read from disk twice in a build.
public struct PrefetchedFileSystem<Base: FileSystem>: FileSystem {
    /// The file system that answers everything not prefetched, and every read after the first.
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

    /// The prefetched bytes of `path` the first time, then `base`'s.
    public func read(_ path: String) throws(FileSystemError) -> Data {
        if let data = store.take(path) { return data }
        return try base.read(path)
    }

    /// The prefetched bytes of `path` the first time, refused when over `limit` bytes, then
    /// `base`'s.
    public func read(_ path: String, atMost limit: Int) throws(FileSystemError) -> Data {
        if let data = store.take(path) {
            if data.count > limit { throw .tooLarge(path, size: data.count, limit: limit) }
            return data
        }
        return try base.read(path, atMost: limit)
    }

    /// The listing given for `directory` (without hidden files unless `includeHidden`), or `base`'s
    /// when none was given.
    public func files(under directory: String, includeHidden: Bool) throws(FileSystemError) -> [String] {
        guard let listed = listings[directory] else { return try base.files(under: directory, includeHidden: includeHidden) }
        if includeHidden { return listed }
        return listed.filter { !$0.isHidden(below: directory) }
    }

    /// What `base` says is at `path`.
    public func kind(of path: String) -> FileKind { base.kind(of: path) }

    /// The stamp `base` gives `path`.
    public func stamp(of path: String) -> FileStamp? { base.stamp(of: path) }

    /// The stamps `base` gives `paths`, in order.
    public func stamps(of paths: [String]) -> [FileStamp?] { base.stamps(of: paths) }
}
