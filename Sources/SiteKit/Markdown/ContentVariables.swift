/// Expands `{{name}}` tags in the text of a Markdown page with values from the site and the page.
///
/// Only plain variables are allowed in content: sections and partials belong in templates. An
/// unknown name is an error, never an empty string. Expanded values are text, never Markdown or HTML.
public struct ContentVariables: Sendable {
    /// The values tags may name (`site`, `page`, ...).
    public var scope: TemplateValue

    /// Expands tags with the values of `scope`, such as `site` and `page`.
    public init(scope: TemplateValue) {
        self.scope = scope
    }

    /// A tag that could not be expanded.
    public struct Failure: Sendable, Equatable {
        /// The tag as written.
        public var tag: String
        /// What is wrong, as the diagnostic's message.
        public var message: String
        /// How to fix it; nil when the message says enough.
        public var hint: String?
    }

    /// Whether `text` may hold a tag at all (a fast path for the common case).
    public static func mayContainTags(_ text: String) -> Bool {
        // `{{` or `{%`.
        text.utf8.withContiguousStorageIfAvailable { buffer in
            buffer.indices.dropLast().contains { buffer[$0] == 0x7B && (buffer[$0 + 1] == 0x7B || buffer[$0 + 1] == 0x25) }
        } ?? (text.contains("{{") || text.contains("{%"))
    }

    /// Liquid tags (`{% include x %}`, `{% data variables.x %}`), which documents written for
    /// Jekyll or GitHub's docs carry: site runs no Liquid, so each would be published as written.
    static func liquidTags(in text: String) -> [Failure] {
        var failures: [Failure] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{%") {
            let close = rest[open.upperBound...].range(of: "%}")
            let tag = String(rest[open.lowerBound..<(close?.upperBound ?? rest.endIndex)].prefix(60))
            failures.append(
                Failure(
                    tag: tag, message: "'\(tag)' is a Liquid tag, which site does not run: it would be published as written",
                    hint: "write the text it stands for, or a variable such as {{site.name}}; to show the tag itself, put it in `backticks`"
                ))
            rest = rest[(close?.upperBound ?? rest.endIndex)...]
        }
        return failures
    }

    /// The names that hold text, for hints.
    var leafNames: [String] {
        scope.names().filter { name in
            if case .object = scope.value(at: name.split(separator: ".")) { return false }
            return true
        }
    }

    /// `text` with every tag replaced, plus the tags that failed (left as written).
    public func expand(_ text: String) -> (text: String, failures: [Failure]) {
        guard Self.mayContainTags(text) else { return (text, []) }
        var output = ""
        var failures: [Failure] = text.contains("{%") ? Self.liquidTags(in: text) : []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            let triple = rest[open.upperBound...].hasPrefix("{")
            let closing = triple ? "}}}" : "}}"
            let innerStart = triple ? rest.index(after: open.upperBound) : open.upperBound
            guard let close = rest[innerStart...].range(of: closing) else {
                failures.append(
                    Failure(
                        tag: String(rest[open.lowerBound...].prefix(40)), message: "'{{' is never closed with '}}'",
                        hint: "close the tag, or put the text in `backticks` to show it as code"))
                output += rest[open.lowerBound...]
                rest = rest[rest.endIndex...]
                break
            }
            let tag = String(rest[open.lowerBound..<close.upperBound])
            var name = rest[innerStart..<close.lowerBound].trimmingSpaces()
            rest = rest[close.upperBound...]
            if name.hasPrefix("&") { name = String(name.dropFirst()).trimmingCharacters(in: .whitespaces) }
            if let first = name.first, "#^/>!<$=%".contains(first) {
                if first == "!" { continue }
                failures.append(
                    Failure(
                        tag: tag, message: "'\(tag)': only variables such as {{site.name}} can be used in content",
                        hint: "move sections and partials into a template"))
                output += tag
                continue
            }
            let segments = name.split(separator: ".")
            if let value = scope.value(at: segments), !segments.isEmpty {
                switch value {
                case .text, .flag:
                    output += value.text
                case .list, .object:
                    failures.append(
                        Failure(
                            tag: tag, message: "'\(name)' is a group of values, not text",
                            hint: "name one of: \(value.names(prefix: name).prefix(8).joined(separator: ", "))"))
                    output += tag
                }
            } else {
                failures.append(
                    Failure(
                        tag: tag, message: "unknown variable '\(name)'\(Suggestions.didYouMean(name, in: scope.names()))",
                        hint: "content can use: \(leafNames.joined(separator: ", "))"))
                output += tag
            }
        }
        output += rest
        return (output, failures)
    }
}
