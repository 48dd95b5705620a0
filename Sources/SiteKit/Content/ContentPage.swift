/// One Markdown source file with its front matter read and validated.
///
/// A value type whose fields live in one shared, copy-on-write box: a build hands each page
/// through many stages and tables, and a copy costs one reference count instead of one per field.
public struct ContentPage: Sendable, Equatable {
    /// The fields, as one plain value.
    struct Fields: Equatable {
        var source: String
        var route: String
        var title: String
        var description: String
        var effectiveDate: String?
        var updatedDate: String?
        var template: String
        var draft: Bool
        var aliases: [String]
        var showTOC: Bool
        var body: String
        var bodyLine: Int
        var locations: [String: SourceLocation]
        var sourceDigest: String
        var params: TemplateValue
    }

    private var storage: CopyOnWrite<Fields>

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

    /// The source file, relative to the project root (`content/terms.md`).
    public var source: String {
        get { storage.value.source }
        _modify { yield &storage.value.source }
    }
    /// The canonical URL path (`/terms`): from front matter `route`, or from the file's path.
    public var route: String {
        get { storage.value.route }
        _modify { yield &storage.value.route }
    }
    public var title: String {
        get { storage.value.title }
        _modify { yield &storage.value.title }
    }
    public var description: String {
        get { storage.value.description }
        _modify { yield &storage.value.description }
    }
    /// `YYYY-MM-DD`, when given.
    public var effectiveDate: String? {
        get { storage.value.effectiveDate }
        _modify { yield &storage.value.effectiveDate }
    }
    /// `YYYY-MM-DD`, when given.
    public var updatedDate: String? {
        get { storage.value.updatedDate }
        _modify { yield &storage.value.updatedDate }
    }
    /// The template name, relative to the templates folder without extension.
    public var template: String {
        get { storage.value.template }
        _modify { yield &storage.value.template }
    }
    public var draft: Bool {
        get { storage.value.draft }
        _modify { yield &storage.value.draft }
    }
    /// Other paths that redirect here (`/tos`).
    public var aliases: [String] {
        get { storage.value.aliases }
        _modify { yield &storage.value.aliases }
    }
    /// Whether the page lists a table of contents.
    public var showTOC: Bool {
        get { storage.value.showTOC }
        _modify { yield &storage.value.showTOC }
    }
    /// The Markdown after the front matter.
    public var body: String {
        get { storage.value.body }
        _modify { yield &storage.value.body }
    }
    /// The line of the source file on which `body` starts (1-based).
    public var bodyLine: Int {
        get { storage.value.bodyLine }
        _modify { yield &storage.value.bodyLine }
    }
    /// Where front matter keys were written, for later diagnostics (`route`, `aliases[0]`, ...).
    public var locations: [String: SourceLocation] {
        get { storage.value.locations }
        _modify { yield &storage.value.locations }
    }
    /// SHA-256 (hex) of the source file's bytes, when it was read from a file.
    public var sourceDigest: String {
        get { storage.value.sourceDigest }
        _modify { yield &storage.value.sourceDigest }
    }

    /// The author's own values from front matter `params:`, which templates and content read as
    /// `page.params.*` (an empty object when the page has none).
    public var params: TemplateValue {
        get { storage.value.params }
        _modify { yield &storage.value.params }
    }

    public static func == (lhs: ContentPage, rhs: ContentPage) -> Bool {
        lhs.storage == rhs.storage
    }

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
