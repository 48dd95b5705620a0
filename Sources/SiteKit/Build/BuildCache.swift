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
/// starts; when it succeeds, the pages it rendered are appended (a later entry for a key wins). The
/// file is written anew, with only the entries that build used, once more than half of it is
/// entries no build used or newer entries replaced, so it never grows without end. A file from
/// another version is treated as empty; of a damaged one, the entries before the damage are kept.
public final class PackedPageCache: PageCache, @unchecked Sendable {
    public let file: URL
    /// Serializes saves.
    private let lock = NSLock()
    /// The entries of the file read at start, as encoded slices of it (never changed after).
    private let entries: [String: Data]
    /// Keys looked up or stored by this build, and the pages it stored (kept as values, sharing
    /// their bytes with the build's output, and encoded only when saved).
    private let recent = KeyShards<CachedPage>()

    private enum Entry {
        case encoded(Data)
        case page(CachedPage)
    }
    /// The file as read at start: its size, and whether every byte of it parsed.
    private let loaded: (size: Int, complete: Bool)?

    /// The first bytes of the file: the format and the version of `site` that wrote it (a new
    /// version may check pages differently, so its cache starts empty).
    let header: [UInt8]

    public init(file: URL, version: String = "") {
        self.file = file
        self.header = Array("site page cache 4 \(version)\n".utf8)
        // Mapped: the HTML of a page that did not change is linked into the output, never read.
        if let data = MappedFile.read(file.path), let found = Self.entries(in: data, header: header) {
            entries = found.entries
            loaded = (data.count, found.complete)
        } else {
            entries = [:]
            loaded = nil
        }
    }

    public func page(for key: String) -> CachedPage? {
        if let page = recent.use(key) { return page }
        guard let data = entries[key] else { return nil }
        return ByteReader.reading(data) { Self.decode(&$0) }
    }

    public func store(_ page: CachedPage, for key: String) {
        recent.store(page, for: key)
    }

    /// Appends the pages stored since the file was read, or writes the file anew when it is
    /// missing, damaged, changed by someone else since, or more than half garbage.
    public func save() throws {
        lock.lock()
        defer { lock.unlock() }
        let (used, stored) = recent.snapshot()
        var live = 0
        for key in used where stored[key] == nil {
            if let data = entries[key] { live += 16 + key.utf8.count + data.count }
        }
        guard let loaded, loaded.complete, live * 2 >= loaded.size - header.count else { return try rewrite(used: used, stored: stored) }
        var added = ByteWriter()
        for key in stored.keys.sorted() {
            guard let page = stored[key] else { continue }
            Self.write(key, .page(page), into: &added)
        }
        if added.buffer.isEmpty { return }
        if try !PackedContentCache.append(added.data, to: file, expecting: loaded.size) { try rewrite(used: used, stored: stored) }
    }

    /// Writes the entries this build used into a temporary file that replaces the old one when complete.
    private func rewrite(used: [String], stored: [String: CachedPage]) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: Data(header))
            // Encoded on every core, a window of chunks at a time (so that only a few megabytes
            // wait in memory), and written in order.
            let keys = used.sorted()
            let chunks = stride(from: 0, to: keys.count, by: 64).map { $0..<min($0 + 64, keys.count) }
            for window in stride(from: 0, to: chunks.count, by: 8) {
                let encoded = Parallel.map(Array(chunks[window..<min(window + 8, chunks.count)])) { range -> [UInt8] in
                    var writer = ByteWriter()
                    for key in keys[range] {
                        guard let entry = stored[key].map(Entry.page) ?? self.entries[key].map(Entry.encoded) else { continue }
                        Self.write(key, entry, into: &writer)
                    }
                    return writer.buffer
                }
                for data in encoded { try handle.write(contentsOf: data) }
            }
            try handle.close()
            guard rename(temporary.path, file.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// One entry of the file: its key, then its bytes (a page is encoded here, on its way out).
    private static func write(_ key: String, _ entry: Entry, into writer: inout ByteWriter) {
        writer.string(key)
        switch entry {
        case .encoded(let data): writer.bytes(data)
        case .page(let page):
            // The same bytes as encoding the page apart and appending that, without copying its HTML twice.
            var rest = ByteWriter()
            encodeAfterHTML(page, into: &rest)
            writer.integer(8 + page.html.count + rest.data.count)
            writer.bytes(page.html)
            writer.raw(rest.buffer)
        }
    }

    /// The entries of a cache file, later ones replacing earlier ones of the same key, up to the
    /// first that does not parse (an interrupted append); nil when the header is not `header`.
    static func entries(in data: Data, header: [UInt8]) -> (entries: [String: Data], complete: Bool)? {
        guard data.starts(with: header) else { return nil }
        return ByteReader.reading(data[(data.startIndex + header.count)...]) { reader in
            var entries: [String: Data] = [:]
            while !reader.isAtEnd {
                guard let key = reader.string(), let entry = reader.bytes() else { return (entries, false) }
                entries[key] = entry
            }
            return (entries, true)
        }
    }

    /// Everything of an encoded page after its HTML (length-prefixed first, as ``decode(_:)`` reads it).
    private static func encodeAfterHTML(_ page: CachedPage, into writer: inout ByteWriter) {
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
    /// What was written. Kept as an array: appending to `Data` a few bytes at a time goes through
    /// its storage checks on every call.
    private(set) var buffer: [UInt8] = []

    /// What was written, as `Data` (a copy).
    var data: Data { Data(buffer) }

    /// Makes room for `count` more bytes.
    mutating func reserve(_ count: Int) {
        buffer.reserveCapacity(buffer.count + count)
    }

    /// Bytes as they are, without a length before them.
    mutating func raw(_ more: some Collection<UInt8>) {
        buffer.append(contentsOf: more)
    }

    mutating func integer(_ value: Int) {
        withUnsafeBytes(of: UInt64(truncatingIfNeeded: value).littleEndian) { buffer.append(contentsOf: $0) }
    }

    mutating func bytes(_ more: Data) {
        integer(more.count)
        buffer.append(contentsOf: more)
    }

    mutating func string(_ text: String) {
        integer(text.utf8.count)
        buffer.append(contentsOf: text.utf8)
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
///
/// A reader lives only while ``reading(_:_:)`` runs, and reads the bytes where they lie (caches
/// hold hundreds of thousands of numbers and strings; through `Data` each read would go through
/// its storage checks).
struct ByteReader {
    private let data: Data
    /// The bytes of `data`, valid while ``reading(_:_:)`` runs.
    private let raw: UnsafeRawBufferPointer
    private var offset = 0

    private init(data: Data, raw: UnsafeRawBufferPointer) {
        self.data = data
        self.raw = raw
    }

    /// Calls `body` with a reader of `data`; what it reads must not outlive it.
    static func reading<Result>(_ data: Data, _ body: (inout ByteReader) -> Result) -> Result {
        data.withUnsafeBytes { raw in
            var reader = ByteReader(data: data, raw: raw)
            return body(&reader)
        }
    }

    var isAtEnd: Bool { offset == raw.count }

    mutating func integer() -> Int? {
        guard raw.count - offset >= 8 else { return nil }
        let value = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        offset += 8
        guard value <= UInt64(Int32.max) else { return nil }
        return Int(value)
    }

    /// Bytes, as a slice of the data read (sharing its storage).
    mutating func bytes() -> Data? {
        guard let count = integer(), raw.count - offset >= count else { return nil }
        defer { offset += count }
        return data[(data.startIndex + offset)..<(data.startIndex + offset + count)]
    }

    /// A string; invalid UTF-8 (a damaged file) reads as nil.
    mutating func string() -> String? {
        guard let count = integer(), raw.count - offset >= count else { return nil }
        let bytes = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + count)]).assumingMemoryBound(to: UInt8.self)
        offset += count
        // Nearly every string is ASCII, valid UTF-8 as it is: made without the validating
        // initializer, which is generic and looks up its types at run time on every call.
        if Self.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Whether every byte is below 0x80.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var high: UInt8 = 0
        for byte in bytes { high |= byte }
        return high < 0x80
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
    /// to record for next time, and the bytes of the files it read, so a build need not read them
    /// again; and the files found under each folder, so a build need not list them again.
    public static func digest(
        files: [String], folders: [String], salt: String, fileSystem: some FileSystem, known: InputStamps
    ) -> (digest: String, stamps: InputStamps, contents: [String: Data], listings: [String: [String]])? {
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
        return (Digest.sha256(Data(text)), stamps, contents, listings)
    }
}

/// What the last successful build recorded: the fingerprint of its inputs and output, and its
/// warnings (shown again when nothing changed). Stored as bytes: thousands of warnings take
/// Foundation's JSON coders tens of milliseconds.
public struct BuildRecord: Sendable, Equatable {
    public var fingerprint: InputFingerprint
    public var warnings: [Diagnostic]

    static let header = Array("site build record 1\n".utf8)

    public init(fingerprint: InputFingerprint, warnings: [Diagnostic]) {
        self.fingerprint = fingerprint
        self.warnings = warnings
    }

    /// Reads what ``encoded`` wrote; nil for anything else.
    public init?(data: Data) {
        guard data.starts(with: Self.header) else { return nil }
        let read = ByteReader.reading(data[(data.startIndex + Self.header.count)...]) { reader -> BuildRecord? in
            guard let inputs = reader.string(), let manifest = reader.string(), let warnings = reader.diagnostics(), reader.isAtEnd
            else { return nil }
            return BuildRecord(fingerprint: InputFingerprint(inputs: inputs, manifest: manifest), warnings: warnings)
        }
        guard let read else { return nil }
        self = read
    }

    /// The fingerprint alone of a record ``encoded`` wrote, without reading its warnings (a
    /// build that finds its inputs changed never shows them); nil when it is not such a record.
    public static func fingerprint(in data: Data) -> InputFingerprint? {
        guard data.starts(with: header) else { return nil }
        return ByteReader.reading(data[(data.startIndex + header.count)...]) { reader in
            guard let inputs = reader.string(), let manifest = reader.string() else { return nil }
            return InputFingerprint(inputs: inputs, manifest: manifest)
        }
    }

    public var encoded: Data {
        var writer = ByteWriter()
        writer.raw(Self.header)
        writer.string(fingerprint.inputs)
        writer.string(fingerprint.manifest)
        writer.diagnostics(warnings)
        return writer.data
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
        var out: [UInt8] = []
        out.reserveCapacity(entries.count * 160)
        for (path, entry) in entries.sorted(by: { $0.key < $1.key }) {
            let stamp = entry.stamp
            out.appendRecordLine(entry.digest, stamp.size, stamp.modified, stamp.changed, stamp.inode, path: path)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads ``text``; lines that do not parse are left out (their files are read again).
    public init(text: String, trustedBefore: Int64) {
        self.trustedBefore = trustedBefore
        FieldLine.forEach(in: text, fields: 5) { line in
            if let (path, entry) = Self.entry(line) { entries[path] = entry }
        }
    }

    /// One line: five space-separated fields, then the path (which may hold spaces).
    private static func entry(_ line: FieldLine) -> (String, Entry)? {
        guard let size = line.number(1), let modified = line.number(2), let changed = line.number(3),
            let inode = line.number(4), size <= Int64.max, modified <= Int64.max, changed <= Int64.max
        else { return nil }
        let digest = line.text(0)
        let path = line.path
        return (
            path,
            Entry(
                stamp: FileStamp(size: Int64(size), modified: Int64(modified), changed: Int64(changed), inode: inode), digest: digest)
        )
    }
}
