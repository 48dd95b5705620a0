/// One Markdown source file with its front matter read and validated.
///
/// A value type whose fields live in one shared, copy-on-write box: a build hands each page
/// through many stages and tables, and a copy costs one reference count instead of one per field.
@dynamicMemberLookup
public struct ContentPage: Sendable, Equatable {
    /// The fields, as one plain value.
    public struct Fields: Equatable {
        /// The source file, relative to the project root (`content/terms.md`).
        public var source: String
        /// The canonical URL path (`/terms`): from front matter `route`, or from the file's path.
        public var route: String
        /// From front matter `title`, or else the body's leading `# Title` line.
        public var title: String
        /// The meta description, from front matter `description`; empty when there is none.
        public var description: String
        /// `YYYY-MM-DD`, when given.
        public var effectiveDate: String?
        /// `YYYY-MM-DD`, when given.
        public var updatedDate: String?
        /// The template name, relative to the templates folder without extension.
        public var template: String
        /// Front matter `draft: true`: the page is left out unless drafts are asked for.
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
        public var sourceDigest: String
        /// The author's own values from front matter `params:`, which templates and content read as
        /// `page.params.*` (an empty object when the page has none).
        public var params: TemplateValue
    }

    private var storage: CopyOnWrite<Fields>

    /// Each field of ``Fields``, read and changed in place as if it were the contentpage's own.
    public subscript<Value>(dynamicMember field: WritableKeyPath<Fields, Value>) -> Value {
        get { storage.value[keyPath: field] }
        _modify { yield &storage.value[keyPath: field] }
    }

    init(
        source: String, route: String, title: String, description: String, effectiveDate: String?, updatedDate: String?,
        template: String, draft: Bool, aliases: [String], showTOC: Bool, body: String, bodyLine: Int,
        locations: [String: SourceLocation], sourceDigest: String = "", params: TemplateValue = .object([:])
    ) {
        storage = CopyOnWrite(
            Fields(
                source: source, route: route, title: title, description: description, effectiveDate: effectiveDate,
                updatedDate: updatedDate, template: template, draft: draft, aliases: aliases, showTOC: showTOC, body: body,
                bodyLine: bodyLine, locations: locations, sourceDigest: sourceDigest, params: params))
    }

    /// Pages are equal when all their fields are.
    public static func == (lhs: ContentPage, rhs: ContentPage) -> Bool {
        lhs.storage == rhs.storage
    }

    /// The location of a front matter key, or the file itself.
    public func location(of key: String) -> SourceLocation {
        self.locations[key] ?? SourceLocation(file: self.source, line: 1, column: 1)
    }
}

/// A file under the content folder that is not Markdown: copied to `dist/` as it is.
public struct StaticFile: Sendable, Equatable {
    /// The file, relative to the project root (`content/logo.png`).
    public var source: String
    /// The object key in `dist/`.
    public var key: String
}
