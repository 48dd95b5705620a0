import Foundation

/// One file of the built site, in memory until it is written.
public struct OutputObject: Sendable, Equatable {
    /// The object key and path below `dist/`.
    public var key: String
    public var data: Data
    public var kind: ObjectKind
    /// The input it came from (a Markdown file, a template, a bundle file), for diagnostics.
    public var source: String

    public init(key: String, data: Data, kind: ObjectKind, source: String) {
        self.key = key
        self.data = data
        self.kind = kind
        self.source = source
    }
}
