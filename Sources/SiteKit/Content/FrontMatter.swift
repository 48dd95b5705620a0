import Foundation
import Yams

/// Splits a Markdown file into its YAML front matter and body, and reads the front matter.
public enum FrontMatter {
    static let keys = ["title", "description", "route", "effective", "updated", "template", "draft", "aliases", "toc", "params"]

    /// Front matter keys of Jekyll, Hugo, GitHub's docs and other tools, with what site calls the
    /// same thing: a document brought over gets the rename, not only "unknown key".
    static let keysOfOtherTools: [String: (message: String, hint: String)] = {
        let route = ("site calls the page's path 'route'", "rename it to 'route' and write the path, such as /terms")
        let updated = (
            "site reads 'effective' (the day the text takes effect) and 'updated'",
            "rename it to 'effective' or 'updated', written YYYY-MM-DD"
        )
        return [
            "redirect_from": (
                "site calls the old paths that redirect to a page 'aliases'",
                "rename it to 'aliases'; each path in it redirects here with a 301"
            ),
            "aliases_from": ("site calls the old paths that redirect to a page 'aliases'", "rename it to 'aliases'"),
            "permalink": route, "slug": route, "url": route,
            "layout": (
                "site calls the page's template 'template'", "rename it to 'template' and name a file of templates/ without .mustache"
            ),
            "date": updated, "lastmod": updated, "last_modified_at": updated, "last_updated": updated, "modified": updated,
            "summary": ("site calls the page's summary 'description'", "rename it to 'description'"),
            "excerpt": ("site calls the page's summary 'description'", "rename it to 'description'"),
            "published": ("site marks unpublished pages with 'draft: true'", "replace 'published: false' with 'draft: true', or remove it"),
            "lang": ("the language is the site's", "remove it; site.language in site.yml sets <html lang> for every page"),
            "language": ("the language is the site's", "remove it; site.language in site.yml sets <html lang> for every page"),
            "redirect_to": (
                "a page that only redirects is an alias of its target",
                "remove this page and list its path under 'aliases' of the page it points to"
            ),
            "versions": ("site publishes one version of each page", "remove it, or move it under 'params:' if a template reads it"),
        ]
    }()

    /// The raw parts of a file: the YAML text (nil when there is none) and where the body starts.
    public struct Split: Sendable, Equatable {
        /// The text between the opening `---` line and the closing `---` or `...` line; nil when
        /// the file does not start with `---`.
        public var yaml: String?
        /// The Markdown after the closing fence, or the whole file when it has no front matter.
        public var body: String
        /// 1-based line of the file where `body` starts.
        public var bodyLine: Int
    }

    /// Separates front matter fenced by `---` lines from the body.
    public static func split(_ text: String, file: String) throws(DiagnosticError) -> Split {
        // Walks line by line only up to the closing fence; the body is taken whole.
        var lines: [Substring] = []
        var rest = Substring(text)
        func nextLine() -> Substring? {
            guard !rest.isEmpty else { return nil }
            if let newline = rest.firstIndex(where: \.isLineBreak) {
                let line = rest[..<newline]
                rest = rest[rest.index(after: newline)...]
                return line
            }
            defer { rest = rest[rest.endIndex...] }
            return rest
        }
        guard let first = nextLine(), first.trimmingTrailingCR() == "---" else {
            return Split(yaml: nil, body: text, bodyLine: 1)
        }
        while let line = nextLine() {
            let trimmed = line.trimmingTrailingCR()
            if trimmed == "---" || trimmed == "..." {
                return Split(yaml: lines.joined(separator: "\n"), body: String(rest), bodyLine: lines.count + 3)
            }
            lines.append(line)
        }
        throw DiagnosticError(
            .error(
                SourceLocation(file: file, line: 1, column: 1), "front matter starts with '---' but is never closed",
                hint: "add a line with --- after the last front matter key"))
    }

    /// Reads a content file into a ``ContentPage``. `defaultRoute` comes from the file's path.
    ///
    /// A body that begins with a `# Title` line, as documents written for other tools do, gives
    /// the page its title when the front matter has none (or there is no front matter at all);
    /// the heading is then left out of the body, since the template renders the title as `<h1>`.
    public static func page(
        from text: String, file: String, defaultRoute: String, defaultTemplate: String
    ) throws(DiagnosticError) -> ContentPage {
        let split = try split(text, file: file)
        let heading = LeadingHeading(in: split.body)
        guard let yaml = split.yaml else {
            guard let heading else {
                throw DiagnosticError(
                    .error(
                        SourceLocation(file: file, line: 1, column: 1), "missing front matter",
                        hint: "start the file with ---, a line 'title: ...', and another ---, or with a '# Title' line"))
            }
            var page = ContentPage(
                source: file, route: defaultRoute, title: heading.text, description: "", effectiveDate: nil, updatedDate: nil,
                template: defaultTemplate, draft: false, aliases: [], showTOC: true, body: heading.bodyWithout(split.body),
                bodyLine: split.bodyLine, locations: [:])
            page.locations["title"] = SourceLocation(file: file, line: split.bodyLine + heading.line - 1, column: heading.column)
            return page
        }
        var page: ContentPage
        if let entries = SimpleFrontMatter.entries(yaml),
            let simple = SimpleFrontMatter.page(
                entries, split: split, file: file, defaultRoute: defaultRoute, defaultTemplate: defaultTemplate)
        {
            page = simple
        } else {
            page = try yamlPage(
                yaml, split: split, file: file, defaultRoute: defaultRoute, defaultTemplate: defaultTemplate, heading: heading)
        }
        if let heading, page.title == heading.text { page.body = heading.bodyWithout(split.body) }
        return page
    }

    /// ``page(from:file:defaultRoute:defaultTemplate:)`` for front matter `yaml`, read with Yams.
    static func yamlPage(
        _ yaml: String, split: Split, file: String, defaultRoute: String, defaultTemplate: String, heading: LeadingHeading? = nil
    ) throws(DiagnosticError) -> ContentPage {
        var reader = YAMLReader(file: file, lineOffset: 1)
        let root = try reader.parse(yaml)
        var page = ContentPage(
            source: file, route: defaultRoute, title: "", description: "", effectiveDate: nil, updatedDate: nil,
            template: defaultTemplate, draft: false, aliases: [], showTOC: true, body: split.body,
            bodyLine: split.bodyLine, locations: [:])
        guard let root else {
            throw DiagnosticError(
                .error(SourceLocation(file: file, line: 1, column: 1), "front matter is empty", hint: "add at least 'title: ...'"))
        }
        guard let entries = reader.mapping(root, path: "front matter") else {
            throw DiagnosticError(reader.diagnostics.diagnostics)
        }
        for entry in entries where !keys.contains(entry.key) {
            if let meaning = keysOfOtherTools[entry.key] {
                reader.error(entry.keyNode, "'\(entry.key)' is not a site front matter key; \(meaning.message)", hint: meaning.hint)
            }
        }
        reader.rejectUnknown(entries.filter { keysOfOtherTools[$0.key] == nil }, known: keys, path: "") { key in
            "a key of your own goes under 'params:', where templates read it as page.params.\(key)"
        }
        for entry in entries where keys.contains(entry.key) {
            let key = entry.key
            let value = entry.value
            page.locations[key] = reader.location(value)
            switch key {
            case "draft": page.draft = reader.bool(value, path: key) ?? false
            case "toc": page.showTOC = reader.bool(value, path: key) ?? true
            case "params":
                guard case .mapping = value else {
                    reader.error(
                        value, "'params' must be a mapping of your own keys to values",
                        hint: "write params: then one 'key: value' per line, indented")
                    continue
                }
                if let params = reader.templateValue(value, path: key) { page.params = params }
            case "aliases":
                for (index, (alias, node)) in (reader.strings(value, path: key) ?? []).enumerated() {
                    page.locations["aliases[\(index)]"] = reader.location(node)
                    if let problem = URLPath.problem(in: alias) {
                        reader.error(
                            node, problem.message(naming: "alias"), hint: "write an absolute path such as /tos; it redirects to this page")
                    } else {
                        page.aliases.append(alias)
                    }
                }
            default:
                guard let text = reader.string(value, path: key) else { continue }
                switch key {
                case "title": page.title = text.trimmingSpaces()
                case "description": page.description = text.trimmingSpaces()
                case "template": page.template = text
                case "route":
                    if let problem = URLPath.problem(in: text) {
                        reader.error(value, problem.message, hint: "write an absolute path such as /terms")
                    } else if text != "/", text.hasSuffix("/") {
                        reader.error(
                            value, "route '\(text)' must not end with '/'",
                            hint: "write \(text.dropLast()); /\(text.dropFirst().dropLast())/ redirects to it")
                    } else {
                        page.route = text
                    }
                case "effective", "updated":
                    if !isDate(text) {
                        reader.error(value, "'\(key)' must be a date written YYYY-MM-DD, found '\(text)'")
                    } else if key == "effective" {
                        page.effectiveDate = text
                    } else {
                        page.updatedDate = text
                    }
                default: break
                }
            }
        }
        if page.title.isEmpty, !entries.contains(where: { $0.key == "title" }), let heading {
            page.title = heading.text
            page.locations["title"] = SourceLocation(file: file, line: split.bodyLine + heading.line - 1, column: heading.column)
        } else if page.title.isEmpty, !entries.contains(where: { $0.key == "title" }) {
            reader.error(
                root, "missing required key 'title'", hint: "add 'title: ...' to the front matter, or begin the text with a '# Title' line")
        } else if page.title.isEmpty, let value = entries.first(where: { $0.key == "title" })?.value, case .scalar = value,
            YAMLReader.untaggedMeanings.contains(value.tag.description)
        {
            reader.error(value, "'title' must not be empty")
        }
        try reader.diagnostics.throwIfErrors()
        return page
    }

    /// Whether `text` is a real calendar date written `YYYY-MM-DD`.
    public static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month)
        else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }
}

extension Character {
    /// `\n` or `\r\n` (a single Character in Swift).
    var isLineBreak: Bool { self == "\n" || self == "\r\n" }
}

extension Substring {
    func trimmingTrailingCR() -> Substring { hasSuffix("\r") ? dropLast() : self }
}
