import Mustache

/// The data a template sees: text, flags, lists and objects.
///
/// Lists carry the shape of their items even when empty, so a template's variable names can be
/// checked against every page, not only the pages that happen to have items.
public indirect enum TemplateValue: Sendable, Equatable {
    /// Text; in a section it counts as false when empty.
    case text(String)
    /// A yes or no, such as `spa.enabled`: a section shows only when it is true.
    case flag(Bool)
    /// Items, and one item that shows their shape (used when checking names).
    case list([TemplateValue], shape: TemplateValue)
    /// Named fields, reached with dotted names such as `site.name`.
    case object([String: TemplateValue])

    /// The value at a dotted path (`site.legal_name`), or nil when any segment is missing.
    public func value(at path: some Collection<Substring>) -> TemplateValue? {
        var current = self
        for segment in path {
            guard case .object(let fields) = current, let next = fields[String(segment)] else { return nil }
            current = next
        }
        return current
    }

    /// Every dotted name below this value, for "did you mean" suggestions.
    public func names(prefix: String = "") -> [String] {
        guard case .object(let fields) = self else { return [] }
        return fields.keys.sorted().flatMap { key -> [String] in
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            return [name] + fields[key, default: .flag(false)].names(prefix: name)
        }
    }

    /// The names of both values: objects merged field by field, lists by their item shapes; where
    /// the two differ otherwise, this one.
    func merged(with other: TemplateValue) -> TemplateValue {
        switch (self, other) {
        case (.object(let mine), .object(let theirs)):
            return .object(mine.merging(theirs) { $0.merged(with: $1) })
        case (.list(let items, let mine), .list(_, let theirs)):
            return .list(items, shape: mine.merged(with: theirs))
        default:
            return self
        }
    }

    /// The text a variable tag writes for this value.
    public var text: String {
        switch self {
        case .text(let text): text
        case .flag(let flag): flag ? "true" : ""
        case .list, .object: ""
        }
    }

    /// The value as swift-mustache renders it: dictionaries, arrays, booleans and text that is
    /// false in a section when empty.
    var mustacheObject: Any {
        switch self {
        case .text(let text): MustacheText(value: text)
        case .flag(let flag): flag
        case .list(let items, _): items.map(\.mustacheObject)
        case .object(let fields): fields.mapValues(\.mustacheObject)
        }
    }
}

/// Text that renders as itself and counts as false in a section when empty, so
/// `{{#page.updated_date}}...{{/page.updated_date}}` shows only when there is a date.
struct MustacheText: MustacheCustomRenderable, CustomStringConvertible {
    let value: String
    var renderText: String { value }
    var isNull: Bool { value.isEmpty }
    var description: String { value }
}
