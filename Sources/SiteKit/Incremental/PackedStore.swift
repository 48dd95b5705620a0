import Foundation

/// Values by key in one ``PackedFile``, for a build to look up and add to: the file is read once
/// when the store is made, and saved when the build succeeds.
///
/// Saving appends what the build stored; the file is written anew, with only the entries the
/// build used (looked up or stored), when it is missing or damaged, someone else wrote it since,
/// or more than half of it is entries no lookup asked for or newer entries replaced. So it never
/// grows without end, and a small change costs a small append.
final class PackedStore<Value: Sendable>: @unchecked Sendable {
    /// The file.
    let file: PackedFile
    /// Writes a value's bytes (without their count, which the file adds).
    private let encode: @Sendable (Value, inout ByteWriter) -> Void
    /// The file as read when the store was made (never changed after).
    private let loaded: PackedFile.Contents?
    /// Keys looked up or stored by this build, and the values it stored (encoded only when saved).
    private let recent = KeyShards<Value>()
    /// Serializes saves.
    private let lock = NSLock()

    init(file: PackedFile, mapped: Bool = false, encode: @escaping @Sendable (Value, inout ByteWriter) -> Void) {
        self.file = file
        self.encode = encode
        self.loaded = file.read(mapped: mapped)
    }

    /// The value stored by this build for `key`, or else the bytes the file holds for it; the key
    /// counts as used either way.
    func lookUp(_ key: String) -> (stored: Value?, encoded: Data?) {
        if let value = recent.use(key) { return (value, nil) }
        return (nil, loaded?.entries[key])
    }

    /// Stores `value` for `key`: it replaces what the file holds for the key when saved.
    func store(_ value: Value, for key: String) {
        recent.store(value, for: key)
    }

    /// Appends the values stored since the file was read, or writes the file anew (see the type).
    func save() throws {
        lock.lock()
        defer { lock.unlock() }
        let (used, stored) = recent.snapshot()
        if let loaded, loaded.complete {
            var live = 0
            for key in used where stored[key] == nil {
                if let entry = loaded.entries[key] { live += PackedFile.size(key: key, bytes: entry.count) }
            }
            if live * 2 >= loaded.size - file.header.count {
                if stored.isEmpty { return }
                var added = ByteWriter()
                for key in stored.keys.sorted() {
                    guard let value = stored[key] else { continue }
                    added.string(key)
                    added.framed { encode(value, &$0) }
                }
                if try file.append(added.buffer, expecting: loaded.size) { return }
            }
        }
        try rewrite(used: used.sorted(), stored: stored)
    }

    /// Writes the file anew with the entries of `keys`: encoded on every core, a window of chunks
    /// at a time (so only a few megabytes wait in memory), and written in order.
    private func rewrite(used keys: [String], stored: [String: Value]) throws {
        let entries = loaded?.entries ?? [:]
        let chunks = stride(from: 0, to: keys.count, by: 64).map { $0..<min($0 + 64, keys.count) }
        try file.writeWhole { handle in
            for window in stride(from: 0, to: chunks.count, by: 8) {
                let encoded = Parallel.map(Array(chunks[window..<min(window + 8, chunks.count)])) { range -> [UInt8] in
                    var writer = ByteWriter()
                    for key in keys[range] {
                        if let value = stored[key] {
                            writer.string(key)
                            writer.framed { self.encode(value, &$0) }
                        } else if let entry = entries[key] {
                            writer.string(key)
                            writer.bytes(entry)
                        }
                    }
                    return writer.buffer
                }
                for data in encoded { try handle.write(contentsOf: data) }
            }
        }
    }
}
