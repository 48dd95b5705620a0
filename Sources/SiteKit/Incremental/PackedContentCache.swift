import Foundation

/// A ``ContentCache`` in one ``PackedStore`` (`.site-cache/content.bin`), read once when a build
/// starts, the pages it read anew saved when it succeeds. A file from another version of `site`
/// is treated as empty.
public final class PackedContentCache: ContentCache, @unchecked Sendable {
    private let store: PackedStore<ContentPage>

    /// The cache in `file`, valid for `version` of `site`.
    public init(file: URL, version: String = "") {
        store = PackedStore(file: PackedFile(file, header: "site content cache 2 \(version)\n")) { page, writer in
            page.encode(into: &writer)
        }
    }

    /// The file.
    public var file: URL { store.file.url }

    /// The key of a page: its path, the template pages use by default, and the digest of its bytes.
    static func key(source: String, digest: String, defaultTemplate: String) -> String {
        source + "\u{0}" + defaultTemplate + "\u{0}" + digest
    }

    /// The page read from `source` when its bytes had `digest`, with `defaultTemplate` in force;
    /// nil when the cache holds no such page or its entry does not parse.
    public func page(source: String, digest: String, defaultTemplate: String) -> ContentPage? {
        let (stored, encoded) = store.lookUp(Self.key(source: source, digest: digest, defaultTemplate: defaultTemplate))
        let page =
            stored
            ?? encoded.flatMap { data in
                ByteReader.reading(data) { reader in ContentPage.decode(&reader).flatMap { reader.isAtEnd ? $0 : nil } }
            }
        guard let page, page.source == source, page.sourceDigest == digest else { return nil }
        return page
    }

    /// Keeps `page` without its body until ``save()``; a page without the digest of its file is
    /// not kept.
    public func store(_ page: ContentPage, defaultTemplate: String) {
        guard !page.sourceDigest.isEmpty else { return }
        // Kept without its body, as a page read back from the file comes.
        var kept = page
        kept.body = ""
        store.store(kept, for: Self.key(source: page.source, digest: page.sourceDigest, defaultTemplate: defaultTemplate))
    }

    /// Saves the pages stored since the file was read (see ``PackedStore/save()``).
    public func save() throws {
        try store.save()
    }
}
