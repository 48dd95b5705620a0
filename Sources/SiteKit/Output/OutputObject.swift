import Foundation

/// One file of the built site, in memory until it is written.
///
/// Its fields live in one shared, copy-on-write box: objects pass through many stages and
/// tables, and a copy costs one reference count instead of one per field.
@dynamicMemberLookup
public struct OutputObject: Sendable, Equatable {
    /// The fields, in one plain value.
    public struct Fields {
        /// The object key and path below `dist/`.
        public var key: String
        /// The bytes of the file.
        public var data: Data
        /// What the object is, which decides its `Cache-Control`.
        public var kind: ObjectKind
        /// The input it came from (a Markdown file, a template, a bundle file), for diagnostics.
        public var source: String
        /// The digests of `data`, when they are known already (a page from the cache): the manifest
        /// does not hash it again.
        public var digests: Digests?
    }

    private var storage: CopyOnWrite<Fields>

    /// Each field of ``Fields``, read and changed in place as if it were the outputobject's own.
    public subscript<Value>(dynamicMember field: WritableKeyPath<Fields, Value>) -> Value {
        get { storage.value[keyPath: field] }
        _modify { yield &storage.value[keyPath: field] }
    }

    /// SHA-256 and MD5 of an object's bytes, in hex.
    public struct Digests: Sendable, Equatable {
        /// The SHA-256, in hex, as the manifest lists it.
        public var sha256: String
        /// The MD5, in hex: S3's ETag for a single-part upload.
        public var md5: String

        /// Digests computed already, both in hex.
        public init(sha256: String, md5: String) {
            self.sha256 = sha256
            self.md5 = md5
        }
    }

    /// An object at `key` holding `data`; without `digests`, the manifest hashes `data` itself.
    public init(key: String, data: Data, kind: ObjectKind, source: String, digests: Digests? = nil) {
        storage = CopyOnWrite(Fields(key: key, data: data, kind: kind, source: source, digests: digests))
    }

    /// Objects are equal by what they hold; known digests are only a shortcut.
    public static func == (lhs: OutputObject, rhs: OutputObject) -> Bool {
        lhs.key == rhs.key && lhs.kind == rhs.kind && lhs.source == rhs.source && lhs.data == rhs.data
    }
}

extension Array where Element == OutputObject {
    /// The objects in key order; each key is read once (an object's fields live behind a reference,
    /// and a sort compares every element many times).
    /// Objects already in key order are given back as they are.
    public func sortedByKey() -> [OutputObject] {
        let keys = map(\.key)
        if zip(keys, keys.dropFirst()).allSatisfy({ $0 <= $1 }) { return self }
        return keys.indices.sorted { keys[$0] < keys[$1] }.map { self[$0] }
    }
}
