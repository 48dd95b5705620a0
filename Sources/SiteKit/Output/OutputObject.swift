import Foundation

/// One file of the built site, in memory until it is written.
public struct OutputObject: Sendable, Equatable {
    /// The object key and path below `dist/`.
    public var key: String
    public var data: Data
    public var kind: ObjectKind
    /// The input it came from (a Markdown file, a template, a bundle file), for diagnostics.
    public var source: String
    /// The digests of `data`, when they are known already (a page from the cache): the manifest
    /// does not hash it again.
    public var digests: Digests?

    /// SHA-256 and MD5 of an object's bytes, in hex.
    public struct Digests: Sendable, Equatable {
        public var sha256: String
        public var md5: String

        public init(sha256: String, md5: String) {
            self.sha256 = sha256
            self.md5 = md5
        }
    }

    public init(key: String, data: Data, kind: ObjectKind, source: String, digests: Digests? = nil) {
        self.key = key
        self.data = data
        self.kind = kind
        self.source = source
        self.digests = digests
    }

    /// Objects are equal by what they hold; known digests are only a shortcut.
    public static func == (lhs: OutputObject, rhs: OutputObject) -> Bool {
        lhs.key == rhs.key && lhs.kind == rhs.kind && lhs.source == rhs.source && lhs.data == rhs.data
    }
}
