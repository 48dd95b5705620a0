import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// What a build wrote into its output folder: each file's SHA-256, and the size, inode and change
/// time the file had once the folder was in place.
///
/// The next build links a file whose new content has the same digest, and whose stamp has not moved
/// since, without reading it back: any write to a file moves its change time, which no tool can set.
public struct WrittenFiles: Sendable, Equatable {
    /// One file.
    public struct Entry: Sendable, Equatable {
        /// The SHA-256 of the file's bytes, in hex.
        public var sha256: String
        /// The size in bytes.
        public var size: Int
        /// The file's inode number.
        public var inode: UInt64
        /// The change time (ctime), in nanoseconds.
        public var changed: Int64
    }

    /// The output folder, as an absolute path.
    public var folder: String
    /// By path below the folder.
    public var entries: [String: Entry]

    /// A record of `entries` in the output folder `folder`, an absolute path.
    public init(folder: String, entries: [String: Entry]) {
        self.folder = folder
        self.entries = entries
    }

    /// Whether the file at `path` below the folder, now at `location`, is still the file recorded
    /// with content `sha256`: same digest, a regular file with the same size, inode and change time,
    /// and the wanted executable bit. `location` may be another link to the same file (a kept
    /// earlier output shares its unchanged files with the current one): a write through any link
    /// moves the change time all links share.
    func unchanged(_ path: String, at location: String, sha256: String?, executable: Bool) -> Bool {
        entryIfUnchanged(path, at: location, sha256: sha256, executable: executable) != nil
    }

    /// ``unchanged(_:at:sha256:executable:)``, giving the file's recorded entry when it is unchanged.
    func entryIfUnchanged(_ path: String, at location: String, sha256: String?, executable: Bool) -> Entry? {
        entryIfUnchanged(path, sha256: sha256, executable: executable) { lstat(location, &$0) == 0 }
    }

    /// ``entryIfUnchanged(_:at:sha256:executable:)`` for the file `name` of the open folder
    /// `folder`: the file system walks one name, not the whole path.
    func entryIfUnchanged(_ path: String, name: String, inFolder folder: Int32, sha256: String?, executable: Bool) -> Entry? {
        entryIfUnchanged(path, sha256: sha256, executable: executable) { fstatat(folder, name, &$0, AT_SYMLINK_NOFOLLOW) == 0 }
    }

    private func entryIfUnchanged(_ path: String, sha256: String?, executable: Bool, status read: (inout stat) -> Bool) -> Entry? {
        guard let sha256, let entry = entries[path], entry.sha256 == sha256 else { return nil }
        var status = stat()
        guard read(&status), (status.st_mode & S_IFMT) == S_IFREG, (status.st_mode & S_IXUSR != 0) == executable else { return nil }
        return Self.stamp(status) == (entry.size, entry.inode, entry.changed) ? entry : nil
    }

    /// The entry of the file at `location` with content `sha256`, if it is a regular file.
    static func entry(at location: String, sha256: String) -> Entry? {
        var status = stat()
        guard lstat(location, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return entry(status, sha256: sha256)
    }

    /// The entry of a file with this status and content `sha256`.
    static func entry(_ status: stat, sha256: String) -> Entry {
        let (size, inode, changed) = stamp(status)
        return Entry(sha256: sha256, size: size, inode: inode, changed: changed)
    }

    private static func stamp(_ status: stat) -> (Int, UInt64, Int64) {
        (Int(status.st_size), UInt64(status.st_ino), Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec))
    }

    /// The file's header, which names the folder: a record of another folder is not read.
    static func header(folder: String) -> String {
        "site written files 2 \(folder)\n"
    }

    /// The record as the file (`.site-cache/outputs.bin`) holds it, sorted by path.
    public var encoded: Data {
        PackedFile.format(header: Self.header(folder: folder)).encoded(keys: entries.keys.sorted()) { path, writer in
            guard let entry = entries[path] else { return }
            writer.string(entry.sha256)
            writer.number(UInt64(entry.size))
            writer.number(entry.inode)
            writer.number(UInt64(bitPattern: entry.changed))
        }
    }

    /// Reads ``encoded`` for the output folder `folder`; nil when it is not such a record, or any
    /// entry does not parse (the whole record is then untrusted).
    public init?(data: Data, folder: String) {
        guard folder.hasPrefix("/") else { return nil }
        var entries: [String: Entry] = [:]
        var damaged = false
        let complete = PackedFile.format(header: Self.header(folder: folder)).forEachEntry(in: data) { path, reader in
            guard let sha256 = reader.string(), sha256.utf8.count == 64, let size = reader.number(), size <= UInt64(Int.max),
                let inode = reader.number(), let changed = reader.number(), reader.isAtEnd
            else { return damaged = true }
            entries[path] = Entry(sha256: sha256, size: Int(size), inode: inode, changed: Int64(bitPattern: changed))
        }
        guard complete == true, !damaged else { return nil }
        self.init(folder: folder, entries: entries)
    }
}
