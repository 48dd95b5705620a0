import Foundation

/// The stamp and digest of every input file of the last build (`.site-cache/inputs.bin`), by path.
public struct InputStamps: Sendable, Equatable {
    /// What is known of one file.
    public struct Entry: Sendable, Equatable {
        /// Size, times and inode as `lstat` gave them when the file was read.
        public var stamp: FileStamp
        /// The SHA-256 of the bytes read, in hex.
        public var digest: String
    }

    /// By path below the project root.
    public var entries: [String: Entry] = [:]
    /// Stamps modified at or after this time (ns) are not trusted: the file may have changed again
    /// within the same clock tick after it was read.
    public var trustedBefore: Int64 = .min

    /// No stamps: every file is read.
    public init() {}

    /// The file's header.
    static let header = "site input stamps 2\n"

    /// The stamps as the file holds them, sorted by path.
    public var encoded: Data {
        PackedFile.format(header: Self.header).encoded(keys: entries.keys.sorted()) { path, writer in
            guard let entry = entries[path] else { return }
            writer.string(entry.digest)
            writer.number(UInt64(bitPattern: entry.stamp.size))
            writer.number(UInt64(bitPattern: entry.stamp.modified))
            writer.number(UInt64(bitPattern: entry.stamp.changed))
            writer.number(entry.stamp.inode)
        }
    }

    /// Reads ``encoded``; entries that do not parse are left out (their files are read again).
    public init(data: Data, trustedBefore: Int64) {
        self.trustedBefore = trustedBefore
        var entries: [String: Entry] = [:]
        _ = PackedFile.format(header: Self.header).forEachEntry(in: data) { path, reader in
            guard let digest = reader.string(), let size = reader.number(), let modified = reader.number(),
                let changed = reader.number(), let inode = reader.number(), reader.isAtEnd
            else { return }
            let stamp = FileStamp(
                size: Int64(bitPattern: size), modified: Int64(bitPattern: modified), changed: Int64(bitPattern: changed), inode: inode)
            entries[path] = Entry(stamp: stamp, digest: digest)
        }
        self.entries = entries
    }
}
