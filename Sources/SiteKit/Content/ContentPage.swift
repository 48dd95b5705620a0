/// One Markdown source file with its front matter read and validated.
public struct ContentPage: Sendable, Equatable {
    /// The source file, relative to the project root (`content/terms.md`).
    public var source: String
    /// The canonical URL path (`/terms`): from front matter `route`, or from the file's path.
    public var route: String
    public var title: String
    public var description: String
    /// `YYYY-MM-DD`, when given.
    public var effectiveDate: String?
    /// `YYYY-MM-DD`, when given.
    public var updatedDate: String?
    /// The template name, relative to the templates folder without extension.
    public var template: String
    public var draft: Bool
    /// Other paths that redirect here (`/tos`).
    public var aliases: [String]
    /// Whether the page lists a table of contents.
    public var showTOC: Bool
    /// The Markdown after the front matter.
    public var body: String
    /// The line of the source file on which `body` starts (1-based).
    public var bodyLine: Int
    /// Where front matter keys were written, for later diagnostics (`route`, `aliases[0]`, ...).
    public var locations: [String: SourceLocation]
    /// SHA-256 (hex) of the source file's bytes, when it was read from a file.
    public var sourceDigest: String = ""

    /// The location of a front matter key, or the file itself.
    public func location(of key: String) -> SourceLocation {
        locations[key] ?? SourceLocation(file: source, line: 1, column: 1)
    }
}

/// A file under the content folder that is not Markdown: copied to `dist/` as it is.
public struct StaticFile: Sendable, Equatable {
    public var source: String
    /// The object key in `dist/`.
    public var key: String
}
