import Mustache

/// A page's template context as swift-mustache reads it: the names every page shares (`site`,
/// `legal`, `assets`, `spa`) and the page's own (`page`, `content`, `has_toc`, `toc`), found by
/// name instead of through a dictionary built for each page. The table of contents is made only
/// when a template asks for it.
///
/// It renders as the dictionary ``TemplateContext/value(for:content:headings:)`` describes: a
/// transform (`count`, `enumerated`, ...) or `{{.}}` sees that dictionary.
struct PageContextObject: MustacheParent, MustacheTransformable, CustomStringConvertible {
    /// The values every page shares, as swift-mustache renders them.
    let constants: [String: Any]
    let page: PageObject
    let content: MustacheText
    let headings: [Heading]
    /// The deepest heading level the table of contents lists.
    let tocDepth: Int

    func child(named name: String) -> Any? {
        switch name {
        case "page": page
        case "content": content
        case "has_toc": headings.contains { $0.level >= 2 && $0.level <= tocDepth }
        case "toc": TemplateContext.tableOfContents(headings, depth: tocDepth).map(\.mustacheObject)
        default: constants[name]
        }
    }

    /// The same values as one dictionary.
    var fields: [String: Any] {
        var fields = constants
        for name in ["page", "content", "has_toc", "toc"] where fields[name] == nil {
            if let value = child(named: name) { fields[name] = name == "page" ? page.fields : value }
        }
        return fields
    }

    func transform(_ name: String) -> Any? { fields.transform(name) }

    var description: String { String(describing: fields) }
}

/// `page` in a template: the page's title, description, route, URL and dates.
struct PageObject: MustacheParent, MustacheTransformable, CustomStringConvertible {
    let info: TemplateContext.PageInfo
    /// The site's base URL, which `url` starts with.
    let baseURL: String

    /// Every name `page` has.
    static let names = ["title", "description", "route", "url", "effective_date", "updated_date"]

    /// The text of field `name` (empty for a date the page does not have), or nil for an unknown name.
    func text(_ name: String) -> String? {
        switch name {
        case "title": info.title
        case "description": info.description
        case "route": info.route
        case "url": baseURL + (info.route == "/" ? "/" : info.route)
        case "effective_date": info.effectiveDate ?? ""
        case "updated_date": info.updatedDate ?? ""
        default: nil
        }
    }

    func child(named name: String) -> Any? {
        if name == "params" { return info.params.mustacheObject }
        return text(name).map { MustacheText(value: $0) }
    }

    /// The same values as one dictionary.
    var fields: [String: Any] {
        var fields: [String: Any] = [:]
        for name in Self.names + ["params"] { fields[name] = child(named: name) }
        return fields
    }

    func transform(_ name: String) -> Any? { fields.transform(name) }

    var description: String { String(describing: fields) }
}
