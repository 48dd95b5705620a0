import Foundation

/// Finds the tags of a Mustache template with their positions, so names, partials and sections can
/// be checked before rendering (swift-mustache renders a missing name as an empty string).
public struct MustacheScanner {
    /// One `{{...}}` tag.
    public struct Tag: Sendable, Equatable {
        /// What a tag does, told by the character after its `{{`.
        public enum Kind: Sendable, Equatable {
            /// In order: `{{name}}`, `{{{name}}}` or `{{&name}}`, `{{#name}}`, `{{^name}}`,
            /// `{{/name}}`, `{{>name}}`, `{{<name}}`, `{{$name}}`, `{{! comment }}`, `{{=<% %>=}}`
            /// and `{{% pragma }}`.
            case variable, unescaped, section, inverted, close, partial, parent, block, comment, delimiters, pragma
        }

        /// What the tag does, from its first character (`#`, `^`, `>`, ...).
        public var kind: Kind
        /// The name inside the tag, trimmed; for `{{ upper(name) }}` the argument `name`.
        public var name: String
        /// The tag as written, for messages.
        public var source: String
        /// 1-based line and column of the opening `{{`.
        public var line: Int
        /// The 1-based column of the opening `{{`, in characters.
        public var column: Int
    }

    /// A tag problem: where and what.
    public struct Problem: Error, Sendable, Equatable {
        /// The 1-based line of the tag at fault.
        public var line: Int
        /// The 1-based column of the tag at fault, in characters.
        public var column: Int
        /// What is wrong, as the diagnostic's message.
        public var message: String
        /// How to fix it; nil when the message says enough.
        public var hint: String?
    }

    /// The tags of `text`, in order; sections are checked to be balanced.
    public static func scan(_ text: String) throws(Problem) -> [Tag] {
        let bytes = Array(text.utf8)
        var tags: [Tag] = []
        var open: [Tag] = []
        var index = 0
        var line = 1
        var lineStart = 0
        func column(_ offset: Int) -> Int {
            String(decoding: bytes[lineStart..<offset], as: UTF8.self).count + 1
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A {
                line += 1
                lineStart = index + 1
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "{"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "{") else {
                index += 1
                continue
            }
            let start = index
            let startLine = line
            let startColumn = column(start)
            let triple = index + 2 < bytes.count && bytes[index + 2] == UInt8(ascii: "{")
            let closing: [UInt8] = triple ? Array("}}}".utf8) : Array("}}".utf8)
            var end = index + (triple ? 3 : 2)
            var found = false
            while end + closing.count <= bytes.count {
                if Array(bytes[end..<end + closing.count]) == closing {
                    found = true
                    break
                }
                if bytes[end] == 0x0A, bytes[start + 2] != UInt8(ascii: "!") {
                    break
                }
                end += 1
            }
            guard found else {
                throw Problem(
                    line: startLine, column: startColumn, message: "tag '\(triple ? "{{{" : "{{")' is never closed",
                    hint: "close it with \(triple ? "}}}" : "}}") on the same line")
            }
            let inner = String(decoding: bytes[(start + (triple ? 3 : 2))..<end], as: UTF8.self)
            if inner.contains("{{") {
                throw Problem(
                    line: startLine, column: startColumn, message: "tag '\(triple ? "{{{" : "{{")' is not closed before the next '{{'",
                    hint: "close it with \(triple ? "}}}" : "}}")")
            }
            let source = String(decoding: bytes[start..<end + closing.count], as: UTF8.self)
            // Comments may span lines: keep counting them.
            for offset in start..<end where bytes[offset] == 0x0A {
                line += 1
                lineStart = offset + 1
            }
            index = end + closing.count
            var tag = classify(inner, triple: triple, source: source, line: startLine, column: startColumn)
            if tag.kind == .delimiters {
                throw Problem(
                    line: startLine, column: startColumn, message: "set-delimiter tags are not supported",
                    hint: "keep the default {{ }} delimiters")
            }
            switch tag.kind {
            case .section, .inverted, .parent, .block:
                open.append(tag)
            case .close:
                guard let last = open.popLast() else {
                    throw Problem(
                        line: startLine, column: startColumn, message: "'\(source)' closes a section that was never opened",
                        hint: "remove it, or open the section with {{#\(tag.name)}}")
                }
                if last.name != tag.name {
                    throw Problem(
                        line: startLine, column: startColumn,
                        message: "'\(source)' closes '\(last.name)', opened at line \(last.line), column \(last.column)",
                        hint: "close sections in the reverse order they were opened: {{/\(last.name)}} comes first")
                }
                tag.kind = .close
            default:
                break
            }
            if tag.name.isEmpty, ![.comment, .pragma].contains(tag.kind) {
                throw Problem(line: startLine, column: startColumn, message: "tag '\(source)' has no name")
            }
            tags.append(tag)
        }
        if let unclosed = open.last {
            throw Problem(
                line: unclosed.line, column: unclosed.column, message: "section '\(unclosed.source)' is never closed",
                hint: "add {{/\(unclosed.name)}} where it ends")
        }
        return tags
    }

    static func classify(_ inner: String, triple: Bool, source: String, line: Int, column: Int) -> Tag {
        var body = Substring(inner)
        var kind = Tag.Kind.variable
        if triple {
            kind = .unescaped
        } else if let first = body.first {
            let kinds: [Character: Tag.Kind] = [
                "#": .section, "^": .inverted, "/": .close, ">": .partial, "<": .parent, "$": .block,
                "!": .comment, "&": .unescaped, "=": .delimiters, "%": .pragma,
            ]
            if let match = kinds[first] {
                kind = match
                body = body.dropFirst()
            }
        }
        var name = body.trimmingCharacters(in: .whitespaces)
        // Transforms: `upper(name)` checks `name`.
        if [.variable, .unescaped, .section, .inverted].contains(kind), name.hasSuffix(")"),
            let open = name.firstIndex(of: "(")
        {
            name = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
                .trimmingCharacters(in: .whitespaces)
        }
        return Tag(kind: kind, name: name, source: source, line: line, column: column)
    }
}
