import Foundation

/// Rendered pages from earlier builds, by a key of everything their HTML depends on: the config,
/// every template, the theme's assets, the app bundle's entry, the page's own source and key.
public protocol PageCache: Sendable {
    func page(for key: String) -> CachedPage?
    func store(_ page: CachedPage, for key: String)
}

/// What rendering and checking one page produced.
public struct CachedPage: Sendable, Equatable {
    /// The page's HTML as it is published (UTF-8, source positions removed).
    public var html: Data
    public var warnings: [Diagnostic]
    /// What the checks found on the page alone.
    public var summary: SiteChecker.PageSummary
    /// The digests of `html`, as the manifest lists them.
    public var digests: OutputObject.Digests

    public init(html: Data, warnings: [Diagnostic], summary: SiteChecker.PageSummary, digests: OutputObject.Digests) {
        self.html = html
        self.warnings = warnings
        self.summary = summary
        self.digests = digests
    }
}

/// A ``PageCache`` in one file outside `dist/` (`.site-cache/pages.bin`): read once when a build
/// starts, written once when it succeeds, with only the entries that build used. A file that is
/// damaged or from another version is treated as empty.
public final class PackedPageCache: PageCache, @unchecked Sendable {
    public let file: URL
    private let lock = NSLock()
    /// Entries by key: encoded slices of the file read at start, or pages stored since (kept as
    /// values, sharing their bytes with the build's output, and encoded only when saved).
    private var entries: [String: Entry] = [:]

    private enum Entry {
        case encoded(Data)
        case page(CachedPage)
    }
    private var used = Set<String>()

    /// The first bytes of the file: the format and the version of `site` that wrote it (a new
    /// version may check pages differently, so its cache starts empty).
    let header: [UInt8]

    public init(file: URL, version: String = "") {
        self.file = file
        self.header = Array("site page cache 4 \(version)\n".utf8)
        if let data = try? Data(contentsOf: file) { entries = (Self.entries(in: data, header: header) ?? [:]).mapValues { .encoded($0) } }
    }

    public func page(for key: String) -> CachedPage? {
        lock.lock()
        used.insert(key)
        let entry = entries[key]
        lock.unlock()
        switch entry {
        case .encoded(let data):
            var reader = ByteReader(data)
            return Self.decode(&reader)
        case .page(let page): return page
        case nil: return nil
        }
    }

    public func store(_ page: CachedPage, for key: String) {
        lock.lock()
        used.insert(key)
        entries[key] = .page(page)
        lock.unlock()
    }

    /// Writes the entries this build used, so the file never grows without end: entry by entry
    /// into a temporary file that replaces the old one when complete.
    public func save() throws {
        lock.lock()
        defer { lock.unlock() }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            var writer = ByteWriter()
            writer.data.append(contentsOf: header)
            for key in used.sorted() {
                guard let entry = entries[key] else { continue }
                var encoded = ByteWriter()
                switch entry {
                case .encoded(let data): encoded.data = data
                case .page(let page): Self.encode(page, into: &encoded)
                }
                writer.string(key)
                writer.bytes(encoded.data)
                if writer.data.count > 1 << 20 {
                    try handle.write(contentsOf: writer.data)
                    writer.data.removeAll(keepingCapacity: true)
                }
            }
            try handle.write(contentsOf: writer.data)
            try handle.close()
            guard rename(temporary.path, file.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    static func entries(in data: Data, header: [UInt8]) -> [String: Data]? {
        guard data.starts(with: header) else { return nil }
        var reader = ByteReader(data[(data.startIndex + header.count)...])
        var entries: [String: Data] = [:]
        while !reader.isAtEnd {
            guard let key = reader.string(), let entry = reader.bytes() else { return nil }
            entries[key] = entry
        }
        return entries
    }

    static func encode(_ page: CachedPage, into writer: inout ByteWriter) {
        writer.bytes(page.html)
        writer.string(page.digests.sha256)
        writer.string(page.digests.md5)
        writer.diagnostics(page.warnings)
        let summary = page.summary
        writer.diagnostics(summary.diagnostics)
        writer.integer(summary.ids.count)
        for id in summary.ids { writer.string(id) }
        writer.integer(summary.links.count)
        for link in summary.links {
            writer.string(link.value)
            writer.string(link.target)
            writer.optional(link.sourcepos)
        }
        writer.integer(summary.external.count)
        for link in summary.external {
            writer.string(link.url)
            writer.location(link.location)
        }
        writer.integer(summary.linkCount)
    }

    static func decode(_ reader: inout ByteReader) -> CachedPage? {
        guard let html = reader.bytes(), let sha256 = reader.string(), let md5 = reader.string(), let warnings = reader.diagnostics(),
            let diagnostics = reader.diagnostics(), let idCount = reader.integer()
        else { return nil }
        var summary = SiteChecker.PageSummary(diagnostics: diagnostics)
        for _ in 0..<idCount {
            guard let id = reader.string() else { return nil }
            summary.ids.append(id)
        }
        guard let linkCount = reader.integer() else { return nil }
        for _ in 0..<linkCount {
            guard let value = reader.string(), let target = reader.string(), let sourcepos = reader.optional() else { return nil }
            summary.links.append(SiteChecker.Link(value: value, target: target, sourcepos: sourcepos))
        }
        guard let externalCount = reader.integer() else { return nil }
        for _ in 0..<externalCount {
            guard let url = reader.string(), let location = reader.location() else { return nil }
            summary.external.append(SiteChecker.ExternalLink(url: url, location: location))
        }
        guard let count = reader.integer() else { return nil }
        summary.linkCount = count
        return reader.isAtEnd
            ? CachedPage(html: html, warnings: warnings, summary: summary, digests: OutputObject.Digests(sha256: sha256, md5: md5)) : nil
    }
}

/// Appends little-endian integers and length-prefixed bytes.
struct ByteWriter {
    var data = Data()

    mutating func integer(_ value: Int) {
        withUnsafeBytes(of: UInt64(truncatingIfNeeded: value).littleEndian) { data.append(contentsOf: $0) }
    }

    mutating func bytes(_ bytes: Data) {
        integer(bytes.count)
        data.append(bytes)
    }

    mutating func string(_ text: String) {
        integer(text.utf8.count)
        data.append(contentsOf: text.utf8)
    }

    mutating func optional(_ text: String?) {
        integer(text == nil ? 0 : 1)
        if let text { string(text) }
    }

    mutating func location(_ location: SourceLocation) {
        string(location.file)
        integer(location.line)
        integer(location.column)
    }

    mutating func diagnostics(_ diagnostics: [Diagnostic]) {
        integer(diagnostics.count)
        for diagnostic in diagnostics {
            integer(diagnostic.severity == .error ? 1 : 0)
            location(diagnostic.location)
            string(diagnostic.message)
            optional(diagnostic.hint)
        }
    }
}

/// Reads what ``ByteWriter`` wrote; nil when the bytes end early or a count is out of range.
struct ByteReader {
    private let data: Data
    private var position: Data.Index

    init(_ data: Data) {
        self.data = data
        self.position = data.startIndex
    }

    var isAtEnd: Bool { position == data.endIndex }

    mutating func integer() -> Int? {
        guard data.endIndex - position >= 8 else { return nil }
        var value: UInt64 = 0
        for offset in 0..<8 { value |= UInt64(data[position + offset]) << (8 * UInt64(offset)) }
        position += 8
        guard value <= UInt64(Int32.max) else { return nil }
        return Int(value)
    }

    mutating func bytes() -> Data? {
        guard let count = integer(), data.endIndex - position >= count else { return nil }
        defer { position += count }
        return data[position..<(position + count)]
    }

    mutating func string() -> String? {
        bytes().flatMap { String(data: $0, encoding: .utf8) }
    }

    /// `.some(nil)` for an absent value, nil when the bytes are bad.
    mutating func optional() -> String?? {
        switch integer() {
        case 0: .some(nil)
        case 1: string().map { .some($0) }
        default: nil
        }
    }

    mutating func location() -> SourceLocation? {
        guard let file = string(), let line = integer(), let column = integer() else { return nil }
        return SourceLocation(file: file, line: line, column: column)
    }

    mutating func diagnostics() -> [Diagnostic]? {
        guard let count = integer() else { return nil }
        var diagnostics: [Diagnostic] = []
        for _ in 0..<count {
            guard let severity = integer(), let location = location(), let message = string(), let hint = optional() else { return nil }
            diagnostics.append(Diagnostic(severity == 1 ? .error : .warning, at: location, message, hint: hint))
        }
        return diagnostics
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
    /// The same digest, reading only files whose stamp differs from the one `known` recorded (or
    /// that changed too close to when it was recorded to be told apart by time); also the stamps
    /// to record for next time, and the bytes of the files it read, so a build need not read them again.
    public static func digest(
        files: [String], folders: [String], salt: String, fileSystem: some FileSystem, known: InputStamps
    ) -> (digest: String, stamps: InputStamps, contents: [String: Data])? {
        var paths = Set(files)
        for folder in folders {
            guard let found = try? fileSystem.files(under: folder, includeHidden: true) else { continue }
            paths.formUnion(found)
        }
        let sorted = paths.sorted()
        let entries = Parallel.map(sorted) { path -> (entry: InputStamps.Entry, data: Data?)? in
            let stamp = fileSystem.stamp(of: path)
            if let stamp, let entry = known.entries[path], entry.stamp == stamp, stamp.modified < known.trustedBefore {
                return (entry, nil)
            }
            guard let data = try? fileSystem.read(path) else { return nil }
            return (InputStamps.Entry(stamp: stamp ?? FileStamp(), digest: Digest.sha256(data)), data)
        }
        var text = salt + "\n"
        var stamps = InputStamps()
        var contents: [String: Data] = [:]
        for (path, found) in zip(sorted, entries) {
            guard let (entry, data) = found else { return nil }
            text += path + " " + entry.digest + "\n"
            if entry.stamp != FileStamp() { stamps.entries[path] = entry }
            if let data { contents[path] = data }
        }
        return (Digest.sha256(Data(text.utf8)), stamps, contents)
    }
}

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

/// The stamp and digest of every input file of the last build, as one line of text a file.
public struct InputStamps: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var stamp: FileStamp
        public var digest: String
    }

    public var entries: [String: Entry] = [:]
    /// Stamps modified at or after this time (ns) are not trusted: the file may have changed again
    /// within the same clock tick after it was read.
    public var trustedBefore: Int64 = .min

    public init() {}

    /// `digest size modified changed inode path` lines, sorted by path.
    public var text: String {
        var text = ""
        for (path, entry) in entries.sorted(by: { $0.key < $1.key }) {
            let stamp = entry.stamp
            text += "\(entry.digest) \(stamp.size) \(stamp.modified) \(stamp.changed) \(stamp.inode) \(path)\n"
        }
        return text
    }

    /// Reads ``text``; lines that do not parse are left out (their files are read again).
    public init(text: String, trustedBefore: Int64) {
        self.trustedBefore = trustedBefore
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: false)
            guard fields.count == 6, let size = Int64(fields[1]), let modified = Int64(fields[2]), let changed = Int64(fields[3]),
                let inode = UInt64(fields[4])
            else { continue }
            entries[String(fields[5])] = Entry(
                stamp: FileStamp(size: size, modified: modified, changed: changed, inode: inode), digest: String(fields[0]))
        }
    }
}
