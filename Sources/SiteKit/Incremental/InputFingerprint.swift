import Foundation

/// Proves cheaply that nothing changed: a digest of every input file, compared with the one the
/// last successful build recorded next to a digest of the manifest it wrote.
public struct InputFingerprint: Sendable, Equatable, Codable {
    /// The SHA-256 of every input file with its path and of the build's options, in hex.
    public var inputs: String
    /// The SHA-256 of `_site/manifest.json` as the build wrote it, in hex.
    public var manifest: String

    /// A fingerprint of the inputs' digest and the manifest's.
    public init(inputs: String, manifest: String) {
        self.inputs = inputs
        self.manifest = manifest
    }

    /// The digest of the bytes of every file below `folders` and of `files`, with their paths, and `salt`.
    /// The same digest, reading only files whose stamp differs from the one `known` recorded (or
    /// that changed too close to when it was recorded to be told apart by time); also the stamps
    /// to record for next time, and the bytes of the files it read, so a build need not read them
    /// again; and the files found under each folder, so a build need not list them again.
    public static func digest(
        files: [String], folders: [String], salt: String, fileSystem: some FileSystem, known: InputStamps
    ) -> InputReading? {
        var paths = files
        var listings: [String: [String]] = [:]
        for folder in folders {
            guard let found = try? fileSystem.files(under: folder, includeHidden: true) else { continue }
            listings[folder] = found
            paths += found
        }
        // Sorted, each path once (folders may lie inside each other, or hold a file named too).
        var unique: [String] = []
        unique.reserveCapacity(paths.count)
        for path in paths.sorted() where unique.last != path { unique.append(path) }
        let sorted = unique
        // Stamped first, all at once (a folder at a time); only files that changed are read.
        let current = known.entries.isEmpty ? Array(repeating: nil, count: sorted.count) : fileSystem.stamps(of: sorted)
        let entries = Parallel.map(Array(sorted.indices)) { index -> (entry: InputStamps.Entry, data: Data?)? in
            let path = sorted[index]
            if let entry = known.entries[path], let stamp = current[index], entry.stamp == stamp,
                stamp.modified < known.trustedBefore
            {
                return (entry, nil)
            }
            // A file read now is stamped as it was opened, before its bytes were read.
            guard let (data, stamp) = try? fileSystem.readStamped(path) else { return nil }
            return (InputStamps.Entry(stamp: stamp ?? FileStamp(), digest: Digest.sha256(data)), data)
        }
        // `salt`, then `path digest` lines: built as bytes, one buffer for all.
        var text: [UInt8] = []
        text.reserveCapacity(salt.utf8.count + 1 + sorted.count * 100)
        text += salt.utf8
        text.append(0x0A)
        var stamps = InputStamps()
        stamps.entries.reserveCapacity(sorted.count)
        var contents: [String: Data] = [:]
        for (path, found) in zip(sorted, entries) {
            guard let (entry, data) = found else { return nil }
            text += path.utf8
            text.append(0x20)
            text += entry.digest.utf8
            text.append(0x0A)
            if entry.stamp != FileStamp() { stamps.entries[path] = entry }
            if let data { contents[path] = data }
        }
        return InputReading(digest: Digest.sha256(Data(text)), stamps: stamps, contents: contents, listings: listings)
    }
}

/// What proving the inputs unchanged read: the digest of them all, the stamps to record, the bytes
/// of the files it had to read (a build need not read them again), and the files of each folder.
public struct InputReading: Sendable {
    /// The digest of every input's path and bytes, and the salt.
    public var digest: String
    /// Each input's stamp and digest, to record for the next build.
    public var stamps: InputStamps
    /// The bytes of the files read to make the digest, by path.
    public var contents: [String: Data]
    /// The files found under each folder, by folder.
    public var listings: [String: [String]]
}
