import Foundation

/// Rendered pages from earlier builds, by a key of everything their HTML depends on: the config,
/// every template, the theme's assets, the app bundle's entry, the page's own source and key.
public protocol PageCache: Sendable {
    func page(for key: String) -> CachedPage?
    func store(_ page: CachedPage, for key: String)
}

/// What rendering one page produced.
public struct CachedPage: Sendable, Codable, Equatable {
    public var html: String
    public var headings: [Heading]
    public var warnings: [Diagnostic]
}

/// A ``PageCache`` in a folder outside `dist/` (`.site-cache/pages`), one JSON file a page.
public struct DiskPageCache: PageCache {
    public let folder: URL
    private let used = UsedKeys()

    public init(folder: URL) {
        self.folder = folder
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    public func page(for key: String) -> CachedPage? {
        used.insert(key)
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(key + ".json")) else { return nil }
        return try? JSONDecoder().decode(CachedPage.self, from: data)
    }

    public func store(_ page: CachedPage, for key: String) {
        used.insert(key)
        guard let data = try? JSONEncoder().encode(page) else { return }
        // Written whole or not at all: a half-written entry must never be read back.
        try? data.write(to: folder.appendingPathComponent(key + ".json"), options: .atomic)
    }

    /// Removes the entries this build did not use, so the cache does not grow without end.
    public func prune() {
        let keys = used.keys
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasSuffix(".json") && !keys.contains(String(name.dropLast(5))) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }
}

/// The keys a build looked up or stored, from many threads.
private final class UsedKeys: @unchecked Sendable {
    private var set = Set<String>()
    private let lock = NSLock()

    func insert(_ key: String) {
        lock.lock()
        set.insert(key)
        lock.unlock()
    }

    var keys: Set<String> {
        lock.lock()
        defer { lock.unlock() }
        return set
    }
}

/// Proves cheaply that nothing changed: a digest of every input file, compared with the one the
/// last successful build recorded next to a digest of the manifest it wrote.
public struct InputFingerprint: Sendable, Equatable, Codable {
    public var inputs: String
    public var manifest: String

    public init(inputs: String, manifest: String) {
        self.inputs = inputs
        self.manifest = manifest
    }

    /// The digest of the bytes of every file below `folders` and of `files`, with their paths, and `salt`.
    public static func digest(files: [String], folders: [String], salt: String, fileSystem: some FileSystem) -> String? {
        var paths = Set(files)
        for folder in folders {
            guard let found = try? fileSystem.files(under: folder, includeHidden: true) else { continue }
            paths.formUnion(found)
        }
        let sorted = paths.sorted()
        let digests = Parallel.map(sorted) { path -> String? in
            guard let data = try? fileSystem.read(path) else { return nil }
            return Digest.sha256(data)
        }
        var text = salt + "\n"
        for (path, digest) in zip(sorted, digests) {
            guard let digest else { return nil }
            text += path + " " + digest + "\n"
        }
        return Digest.sha256(Data(text.utf8))
    }
}
