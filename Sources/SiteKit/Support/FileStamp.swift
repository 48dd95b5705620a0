/// What the file system says about a file, enough to tell that it did not change: size, change
/// times in nanoseconds and inode.
public struct FileStamp: Sendable, Equatable {
    public var size: Int64 = 0
    public var modified: Int64 = 0
    public var changed: Int64 = 0
    public var inode: UInt64 = 0

    public init(size: Int64 = 0, modified: Int64 = 0, changed: Int64 = 0, inode: UInt64 = 0) {
        self.size = size
        self.modified = modified
        self.changed = changed
        self.inode = inode
    }
}
