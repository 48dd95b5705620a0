import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one format of every file in `.site-cache/`: a header line that names what the file holds
/// (and the version of `site` that wrote it, where that matters), then entries, each a key and
/// its bytes, both length-prefixed (``ByteWriter``).
///
/// A file can grow by appending: of entries with the same key, the last one counts. An append
/// cut short leaves a tail that does not parse; the entries before it are kept.
struct PackedFile: Sendable {
    /// Where the file is.
    let url: URL
    /// The file's first bytes; a file that does not start with them is not read.
    let header: [UInt8]

    init(_ url: URL, header: String) {
        self.url = url
        self.header = Array(header.utf8)
    }

    /// The format alone, for bytes that are not read from or written to a file of their own.
    static func format(header: String) -> PackedFile {
        PackedFile(URL(fileURLWithPath: "/dev/null"), header: header)
    }

    /// The entries of a file as read.
    struct Contents: Sendable {
        /// Each key's bytes: slices of the file's data (mapped, when it was read so).
        var entries: [String: Data]
        /// The file's size in bytes.
        var size: Int
        /// Whether every byte after the header parsed as entries.
        var complete: Bool
    }

    /// The entries; nil when there is no such file or it starts with another header.
    ///
    /// `mapped` maps the file instead of reading it: what is never looked at (the HTML of a page
    /// that did not change, which is linked into the output) is then never read from disk.
    func read(mapped: Bool = false) -> Contents? {
        let data = mapped ? MappedFile.read(url.path) : try? DiskFileSystem.readFile(atPath: url.path)
        return data.flatMap(parse)
    }

    /// ``read(mapped:)`` of bytes already read.
    func parse(_ data: Data) -> Contents? {
        var entries: [String: Data] = [:]
        guard let complete = forEachEntry(in: data, { key, reader in entries[key] = reader.rest() }) else { return nil }
        return Contents(entries: entries, size: data.count, complete: complete)
    }

    /// Reads each entry of `data` where it lies, handing `body` its key and a reader of its bytes,
    /// in file order (a later entry of a key comes after the earlier one): for files whose entries
    /// are all decoded, without first making a slice of each. Nil when `data` starts with another
    /// header; false when it ends in a tail that does not parse.
    func forEachEntry(in data: Data, _ body: (String, inout ByteReader) -> Void) -> Bool? {
        guard data.starts(with: header) else { return nil }
        return ByteReader.reading(data[(data.startIndex + header.count)...]) { reader in
            while !reader.isAtEnd {
                guard let key = reader.string(), reader.framed({ body(key, &$0) }) != nil else { return false }
            }
            return true
        }
    }

    /// The whole file: an entry for each of `keys`, in their order, its bytes written by `entry`.
    func encoded(keys: [String], entry: (String, inout ByteWriter) -> Void) -> Data {
        var writer = ByteWriter()
        writer.raw(header)
        for key in keys {
            writer.string(key)
            writer.framed { entry(key, &$0) }
        }
        return writer.data
    }

    /// Writes `data` (from ``encoded(keys:entry:)``) as the whole file, replacing it at once: no
    /// reader sees half a file.
    func write(_ data: Data) throws {
        try writeWhole { handle in try handle.write(contentsOf: data[(data.startIndex + header.count)...]) }
    }

    /// Writes the file anew through `body`, which writes everything after the header: into a
    /// temporary file beside it that replaces it when complete.
    func writeWhole(_ body: (FileHandle) throws -> Void) throws {
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: Data(header))
            try body(handle)
            try handle.close()
            guard rename(temporary.path, url.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Appends encoded entries if the file still has `size` bytes (nobody wrote it since it was
    /// read); false when it does not, or cannot be opened.
    func append(_ entries: [UInt8], expecting size: Int) throws -> Bool {
        let descriptor = open(url.path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, Int(status.st_size) == size else { return false }
        guard OutputWriter.writeAll(Data(entries), to: descriptor) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        return true
    }

    /// The bytes an entry takes in the file: its key and bytes, with their counts.
    static func size(key: String, bytes: Int) -> Int {
        16 + key.utf8.count + bytes
    }
}
