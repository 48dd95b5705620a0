/// What the file system says about a file, enough to tell that it did not change: size, change
/// times in nanoseconds and inode.
public struct FileStamp: Sendable, Equatable {
    /// The size in bytes.
    public var size: Int64 = 0
    /// When the contents last changed (`st_mtim`), in nanoseconds since 1970.
    public var modified: Int64 = 0
    /// When the file or its metadata last changed (`st_ctim`), in nanoseconds since 1970.
    public var changed: Int64 = 0
    /// The file's inode number.
    public var inode: UInt64 = 0

    /// A stamp of these values; all zeros, the default, stands for a file without a stamp.
    public init(size: Int64 = 0, modified: Int64 = 0, changed: Int64 = 0, inode: UInt64 = 0) {
        self.size = size
        self.modified = modified
        self.changed = changed
        self.inode = inode
    }
}
