import Foundation

/// Pages read from Markdown files in earlier builds, by path and the digest of the file's bytes:
/// a file whose digest is known to be unchanged is neither read nor parsed again. The pages come
/// without their body, which is read only if the page has to be rendered.
public protocol ContentCache: Sendable {
    /// The page read from `source` when its bytes had `digest`, with `defaultTemplate` in force.
    func page(source: String, digest: String, defaultTemplate: String) -> ContentPage?
    func store(_ page: ContentPage, defaultTemplate: String)
}

/// A ``ContentCache`` in one file (`.site-cache/content.bin`), read once when a build starts.
/// When the build succeeds, the pages it read anew are appended (a later entry for a key wins);
/// the file is written anew, with only the entries that build used, once more than half of it is
/// entries no build used. A file that is damaged or from another version is treated as empty.
public final class PackedContentCache: ContentCache, @unchecked Sendable {
    public let file: URL
    /// Serializes saves.
    private let lock = NSLock()
    /// The entries of the file read at start (never changed after).
    private let entries: [String: Data]
    /// Keys looked up or stored by this build, and the entries it stored (not yet in the file).
    private let recent = KeyShards<Data>()
    /// The size of the file as read at start (nil: none, or not usable).
    private let loadedSize: Int?
    let header: [UInt8]

    public init(file: URL, version: String = "") {
        self.file = file
        self.header = Array("site content cache 2 \(version)\n".utf8)
        // The same layout as the page cache: keyed, length-prefixed entries after the header.
        if let data = try? DiskFileSystem.readFile(atPath: file.path), let found = PackedPageCache.entries(in: data, header: header), found.complete {
            entries = found.entries
            loadedSize = data.count
        } else {
            entries = [:]
            loadedSize = nil
        }
    }

    static func key(source: String, digest: String, defaultTemplate: String) -> String {
        source + "\u{0}" + defaultTemplate + "\u{0}" + digest
    }

    public func page(source: String, digest: String, defaultTemplate: String) -> ContentPage? {
        let key = Self.key(source: source, digest: digest, defaultTemplate: defaultTemplate)
        guard let entry = recent.use(key) ?? entries[key] else { return nil }
        let page = ByteReader.reading(entry) { reader in Self.decode(&reader).flatMap { reader.isAtEnd ? $0 : nil } }
        guard let page, page.source == source, page.sourceDigest == digest else { return nil }
        return page
    }

    public func store(_ page: ContentPage, defaultTemplate: String) {
        guard !page.sourceDigest.isEmpty else { return }
        var writer = ByteWriter()
        Self.encode(page, into: &writer)
        let key = Self.key(source: page.source, digest: page.sourceDigest, defaultTemplate: defaultTemplate)
        recent.store(writer.data, for: key)
    }

    /// Appends the entries stored since the file was read, or writes the file anew with the
    /// entries this build used when there is no usable file, it changed since it was read, or
    /// more than half of it is entries this build did not use.
    public func save() throws {
        lock.lock()
        defer { lock.unlock() }
        let (used, added) = recent.snapshot()
        if let loadedSize {
            var live = 0
            for key in used where added[key] == nil {
                if let entry = entries[key] { live += 16 + key.utf8.count + entry.count }
            }
            if live * 2 >= loadedSize - header.count {
                if added.isEmpty { return }
                var writer = ByteWriter()
                for key in added.keys.sorted() {
                    guard let entry = added[key] else { continue }
                    writer.string(key)
                    writer.bytes(entry)
                }
                if try Self.append(writer.data, to: file, expecting: loadedSize) { return }
            }
        }
        var writer = ByteWriter()
        writer.raw(header)
        for key in used.sorted() {
            guard let entry = added[key] ?? entries[key] else { continue }
            writer.string(key)
            writer.bytes(entry)
        }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try writer.data.write(to: file, options: .atomic)
    }

    /// Appends `data` to `file` if it still has `size` bytes; false when it does not (or cannot be opened).
    static func append(_ data: Data, to file: URL, expecting size: Int) throws -> Bool {
        let descriptor = open(file.path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, Int(status.st_size) == size else { return false }
        guard OutputWriter.writeAll(data, to: descriptor) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
        return true
    }

    static func encode(_ page: ContentPage, into writer: inout ByteWriter) {
        writer.string(page.source)
        encodeFields(page, into: &writer)
        writer.integer(page.locations.count)
        for (key, location) in page.locations.sorted(by: { $0.key < $1.key }) {
            writer.string(key)
            writer.location(location)
        }
        writer.string(page.sourceDigest)
    }

    /// The page's front matter as it renders: route, title, description, dates, template, draft,
    /// aliases, table of contents and the line its body starts on (also part of a rendered
    /// page's cache key).
    static func encodeFields(_ page: ContentPage, into writer: inout ByteWriter) {
        writer.string(page.route)
        writer.string(page.title)
        writer.string(page.description)
        writer.optional(page.effectiveDate)
        writer.optional(page.updatedDate)
        writer.string(page.template)
        writer.integer(page.draft ? 1 : 0)
        writer.integer(page.aliases.count)
        for alias in page.aliases { writer.string(alias) }
        writer.integer(page.showTOC ? 1 : 0)
        writer.integer(page.bodyLine)
        encodeValue(page.params, into: &writer)
    }

    /// A template value as a kind (0 text, 1 flag, 2 list, 3 object) and its parts; object
    /// fields sorted, so equal values give equal bytes.
    static func encodeValue(_ value: TemplateValue, into writer: inout ByteWriter) {
        switch value {
        case .text(let text):
            writer.integer(0)
            writer.string(text)
        case .flag(let flag):
            writer.integer(1)
            writer.integer(flag ? 1 : 0)
        case .list(let items, let shape):
            writer.integer(2)
            encodeValue(shape, into: &writer)
            writer.integer(items.count)
            for item in items { encodeValue(item, into: &writer) }
        case .object(let fields):
            writer.integer(3)
            writer.integer(fields.count)
            for (key, field) in fields.sorted(by: { $0.key < $1.key }) {
                writer.string(key)
                encodeValue(field, into: &writer)
            }
        }
    }

    static func decodeValue(_ reader: inout ByteReader, depth: Int = 0) -> TemplateValue? {
        guard depth < 64, let kind = reader.integer() else { return nil }
        switch kind {
        case 0: return reader.string().map(TemplateValue.text)
        case 1: return reader.integer().map { .flag($0 == 1) }
        case 2:
            guard let shape = decodeValue(&reader, depth: depth + 1), let count = reader.integer(), count >= 0 else { return nil }
            var items: [TemplateValue] = []
            for _ in 0..<count {
                guard let item = decodeValue(&reader, depth: depth + 1) else { return nil }
                items.append(item)
            }
            return .list(items, shape: shape)
        case 3:
            guard let count = reader.integer(), count >= 0 else { return nil }
            var fields: [String: TemplateValue] = [:]
            for _ in 0..<count {
                guard let key = reader.string(), let field = decodeValue(&reader, depth: depth + 1) else { return nil }
                fields[key] = field
            }
            return .object(fields)
        default: return nil
        }
    }

    static func decode(_ reader: inout ByteReader) -> ContentPage? {
        guard let source = reader.string(), let route = reader.string(), let title = reader.string(),
            let description = reader.string(), let effectiveDate = reader.optional(), let updatedDate = reader.optional(),
            let template = reader.string(), let draft = reader.integer(), let aliasCount = reader.integer()
        else { return nil }
        var aliases: [String] = []
        for _ in 0..<aliasCount {
            guard let alias = reader.string() else { return nil }
            aliases.append(alias)
        }
        guard let showTOC = reader.integer(), let bodyLine = reader.integer(), let params = decodeValue(&reader),
            let locationCount = reader.integer()
        else { return nil }
        var locations: [String: SourceLocation] = [:]
        for _ in 0..<locationCount {
            guard let key = reader.string(), let location = reader.location() else { return nil }
            locations[key] = location
        }
        guard let digest = reader.string() else { return nil }
        return ContentPage(
            source: source, route: route, title: title, description: description, effectiveDate: effectiveDate,
            updatedDate: updatedDate, template: template, draft: draft == 1, aliases: aliases, showTOC: showTOC == 1, body: "",
            bodyLine: bodyLine, locations: locations, sourceDigest: digest, params: params)
    }
}
