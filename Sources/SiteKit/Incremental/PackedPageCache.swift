import Foundation

/// A ``PageCache`` in one ``PackedStore`` outside `dist/` (`.site-cache/pages.bin`): read (mapped)
/// once when a build starts, the pages it rendered saved when it succeeds. A file from another
/// version of `site` is treated as empty (a new version may check pages differently); of a damaged
/// one, the entries before the damage are kept.
public final class PackedPageCache: PageCache, @unchecked Sendable {
    private let store: PackedStore<CachedPage>

    /// The cache in `file`, valid for `version` of `site`.
    public init(file: URL, version: String = "") {
        // Mapped: the HTML of a page that did not change is linked into the output, never read.
        store = PackedStore(file: PackedFile(file, header: "site page cache 4 \(version)\n"), mapped: true) { page, writer in
            writer.bytes(page.html)
            Self.encodeAfterHTML(page, into: &writer)
        }
    }

    /// The file.
    public var file: URL { store.file.url }

    /// The page stored under `key` by this build or an earlier one; nil when there is none or its
    /// entry does not parse.
    public func page(for key: String) -> CachedPage? {
        let (stored, encoded) = store.lookUp(key)
        if let stored { return stored }
        return encoded.flatMap { data in ByteReader.reading(data) { Self.decode(&$0) } }
    }

    /// Keeps `page` under `key` until ``save()``, replacing what the file holds for it.
    public func store(_ page: CachedPage, for key: String) {
        store.store(page, for: key)
    }

    /// Saves the pages stored since the file was read (see ``PackedStore/save()``).
    public func save() throws {
        try store.save()
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
