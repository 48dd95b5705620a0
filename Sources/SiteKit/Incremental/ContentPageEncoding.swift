import Foundation

/// How the content cache, and the key of a rendered page, write a page read from Markdown.
extension ContentPage {
    /// The page as the content cache holds it: its front matter and where each key of it is, without its body.
    func encode(into writer: inout ByteWriter) {
        writer.string(self.source)
        encodeFields(into: &writer)
        writer.integer(self.locations.count)
        for (key, location) in self.locations.sorted(by: { $0.key < $1.key }) {
            writer.string(key)
            writer.location(location)
        }
        writer.string(self.sourceDigest)
    }

    /// The page's front matter as it renders: route, title, description, dates, template, draft,
    /// aliases, table of contents and the line its body starts on (also part of a rendered
    /// page's cache key).
    func encodeFields(into writer: inout ByteWriter) {
        writer.string(self.route)
        writer.string(self.title)
        writer.string(self.description)
        writer.optional(self.effectiveDate)
        writer.optional(self.updatedDate)
        writer.string(self.template)
        writer.integer(self.draft ? 1 : 0)
        writer.integer(self.aliases.count)
        for alias in self.aliases { writer.string(alias) }
        writer.integer(self.showTOC ? 1 : 0)
        writer.integer(self.bodyLine)
        self.params.encode(into: &writer)
    }

    /// Reads what ``encode(into:)`` wrote; nil for anything else. The page comes without its body.
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
        guard let showTOC = reader.integer(), let bodyLine = reader.integer(), let params = TemplateValue.decode(&reader),
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

/// How the content cache writes a page's `params:`.
extension TemplateValue {
    /// A template value as a kind (0 text, 1 flag, 2 list, 3 object) and its parts; object
    /// fields sorted, so equal values give equal bytes.
    func encode(into writer: inout ByteWriter) {
        switch self {
        case .text(let text):
            writer.integer(0)
            writer.string(text)
        case .flag(let flag):
            writer.integer(1)
            writer.integer(flag ? 1 : 0)
        case .list(let items, let shape):
            writer.integer(2)
            shape.encode(into: &writer)
            writer.integer(items.count)
            for item in items { item.encode(into: &writer) }
        case .object(let fields):
            writer.integer(3)
            writer.integer(fields.count)
            for (key, field) in fields.sorted(by: { $0.key < $1.key }) {
                writer.string(key)
                field.encode(into: &writer)
            }
        }
    }

    /// Reads what ``encode(into:)`` wrote; nil for bytes it cannot have written (or nested deeper than 64).
    static func decode(_ reader: inout ByteReader, depth: Int = 0) -> TemplateValue? {
        guard depth < 64, let kind = reader.integer() else { return nil }
        switch kind {
        case 0: return reader.string().map(TemplateValue.text)
        case 1: return reader.integer().map { .flag($0 == 1) }
        case 2:
            guard let shape = decode(&reader, depth: depth + 1), let count = reader.integer(), count >= 0 else { return nil }
            var items: [TemplateValue] = []
            for _ in 0..<count {
                guard let item = decode(&reader, depth: depth + 1) else { return nil }
                items.append(item)
            }
            return .list(items, shape: shape)
        case 3:
            guard let count = reader.integer(), count >= 0 else { return nil }
            var fields: [String: TemplateValue] = [:]
            for _ in 0..<count {
                guard let key = reader.string(), let field = decode(&reader, depth: depth + 1) else { return nil }
                fields[key] = field
            }
            return .object(fields)
        default: return nil
        }
    }
}
