import Foundation
import Yams

/// Parses YAML into nodes and reads them as typed values, reporting every problem with its location.
///
/// Unknown keys, wrong types and missing required values become diagnostics; reading goes on so
/// that one run reports them all.
public struct YAMLReader {
    /// The file the YAML came from, for locations.
    public let file: String
    /// Added to every line number: the line of the file where the YAML text starts, minus one.
    public let lineOffset: Int
    /// The problems found so far, in the order they were found.
    public private(set) var diagnostics = DiagnosticBag()

    /// A reader for YAML from `file` whose text starts on line `lineOffset + 1` of that file.
    public init(file: String, lineOffset: Int = 0) {
        self.file = file
        self.lineOffset = lineOffset
    }

    /// Parses `text` into a single root node; nil for an empty document.
    public func parse(_ text: String) throws(DiagnosticError) -> Node? {
        do {
            // The encoding is given: Yams' default reads the process environment on every parse.
            return try Yams.compose(yaml: text, .default, .default, .utf8)
        } catch let error as YamlError {
            throw DiagnosticError(diagnostic(for: error, text: text))
        } catch {
            throw DiagnosticError(.error(SourceLocation(file: file, line: lineOffset + 1), "cannot parse YAML: \(error)"))
        }
    }

    private func diagnostic(for error: YamlError, text: String) -> Diagnostic {
        func located(_ mark: Mark, _ problem: String, _ context: YamlError.Context?) -> Diagnostic {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let contextText = context?.text ?? ""
            // An unterminated quote is reported at the end of the text; point at where it starts.
            if contextText.contains("quoted scalar"), let start = context?.mark {
                return .error(
                    location(start), "invalid YAML: this quoted string is never closed",
                    hint: "add the closing quote, or remove the opening one")
            }
            var message = "invalid YAML: \(problem)"
            if !contextText.isEmpty { message += " \(contextText)" }
            var hint: String?
            if mark.line >= 1, mark.line <= lines.count, lines[mark.line - 1].contains("\t") {
                hint = "YAML indents with spaces; replace the tab characters on this line"
            }
            return .error(location(mark), message, hint: hint)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return located(mark, problem, context)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return .error(
                location(context.mark), "duplicate key \(keys) in the same mapping",
                hint: "keep one of them; YAML would silently use only the last")
        case .reader(let problem, let offset, _, _):
            var line = 1
            if let offset {
                line += text.utf8.prefix(offset).filter { $0 == 0x0A }.count
            }
            return .error(SourceLocation(file: file, line: lineOffset + line), "invalid YAML: \(problem)")
        default:
            return .error(SourceLocation(file: file, line: lineOffset + 1), "invalid YAML: \(error)")
        }
    }

    /// The location of `node` in the file.
    public func location(_ node: Node?) -> SourceLocation {
        guard let mark = node?.mark else { return SourceLocation(file: file, line: lineOffset + 1, column: 1) }
        return location(mark)
    }

    func location(_ mark: Mark) -> SourceLocation {
        SourceLocation(file: file, line: lineOffset + mark.line, column: mark.column)
    }

    /// Records an error at `node`, or at the start of the YAML text when `node` is nil.
    public mutating func error(_ node: Node?, _ message: String, hint: String? = nil) {
        diagnostics.error(location(node), message, hint: hint)
    }

    /// Adds findings made elsewhere about this file's values.
    public mutating func report(_ findings: [Diagnostic]) {
        diagnostics.append(contentsOf: findings)
    }

    // MARK: Typed reads

    /// The tags YAML gives values written without one: a value tagged so means what it reads.
    /// Any other tag (`!!binary`, `!!set`, an application's `!thing`) asks for a conversion site
    /// does not make, so the value would be published as something the author did not write.
    static let untaggedMeanings: Set<String> = [
        "", "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
    ]

    /// False, with a diagnostic, when `node` carries a tag that changes what it means.
    mutating func acceptsTag(of node: Node, path: String) -> Bool {
        let tag = node.tag.description
        if Self.untaggedMeanings.contains(tag) { return true }
        let written = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
        error(
            node, "'\(path)' is tagged \(written), which site does not read",
            hint: "remove the tag and write the value plain or in quotes")
        return false
    }

    /// A mapping's entries in order, or nil (with a diagnostic) when `node` is not a mapping.
    public mutating func mapping(_ node: Node, path: String) -> [(key: String, keyNode: Node, value: Node)]? {
        guard acceptsTag(of: node, path: path) else { return nil }
        guard case .mapping(let mapping) = node else {
            error(node, "'\(path)' must be a mapping of keys to values, found \(describe(node))")
            return nil
        }
        var entries: [(String, Node, Node)] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                error(key, "keys in '\(path)' must be plain names")
                continue
            }
            entries.append((scalar.string, key, value))
        }
        return entries
    }

    /// A string scalar (numbers and dates are taken as their text).
    public mutating func string(_ node: Node, path: String) -> String? {
        guard acceptsTag(of: node, path: path) else { return nil }
        guard case .scalar(let scalar) = node, !isNull(node) else {
            error(node, "'\(path)' must be text, found \(describe(node))")
            return nil
        }
        return scalar.string
    }

    /// A boolean scalar: `true` or `false`.
    public mutating func bool(_ node: Node, path: String) -> Bool? {
        guard acceptsTag(of: node, path: path) else { return nil }
        if case .scalar = node, let value = node.bool { return value }
        error(node, "'\(path)' must be true or false, found \(describe(node))")
        return nil
    }

    /// A whole number, at least `minimum`.
    public mutating func int(_ node: Node, path: String, minimum: Int = 0) -> Int? {
        guard acceptsTag(of: node, path: path) else { return nil }
        if case .scalar = node, let value = node.int {
            if value >= minimum { return value }
            error(node, "'\(path)' must be at least \(minimum), found \(value)")
            return nil
        }
        error(node, "'\(path)' must be a whole number, found \(describe(node))")
        return nil
    }

    /// A list of strings; a single string is accepted as a one-item list.
    public mutating func strings(_ node: Node, path: String) -> [(String, Node)]? {
        guard acceptsTag(of: node, path: path) else { return nil }
        switch node {
        case .sequence(let sequence):
            var result: [(String, Node)] = []
            for (index, item) in sequence.enumerated() {
                if let value = string(item, path: "\(path)[\(index)]") { result.append((value, item)) }
            }
            return result
        case .scalar where !isNull(node):
            return string(node, path: path).map { [($0, node)] }
        default:
            error(node, "'\(path)' must be a list of text values, found \(describe(node))")
            return nil
        }
    }

    /// Any YAML value as templates see it: mappings as objects (keys must be names a template can
    /// write: letters, digits, `_` and `-`), lists as lists, `true`/`false` as flags, everything
    /// else as its text; nil (with diagnostics) for a tag or a key a template could not name.
    public mutating func templateValue(_ node: Node, path: String) -> TemplateValue? {
        guard acceptsTag(of: node, path: path) else { return nil }
        switch node {
        case .mapping:
            guard let entries = mapping(node, path: path) else { return nil }
            var fields: [String: TemplateValue] = [:]
            var failed = false
            for entry in entries {
                let name = "\(path).\(entry.key)"
                guard Self.isTemplateName(entry.key) else {
                    error(
                        entry.keyNode, "'\(name)' cannot be named in a template",
                        hint: "use letters, digits, '_' and '-' in keys under \(path)")
                    failed = true
                    continue
                }
                if let value = templateValue(entry.value, path: name) { fields[entry.key] = value } else { failed = true }
            }
            return failed ? nil : .object(fields)
        case .sequence(let sequence):
            var items: [TemplateValue] = []
            for (index, item) in sequence.enumerated() {
                guard let value = templateValue(item, path: "\(path)[\(index)]") else { return nil }
                items.append(value)
            }
            return .list(items, shape: items.first ?? .text(""))
        case .scalar(let scalar):
            if isNull(node) { return .text("") }
            if scalar.style == .plain, let flag = node.bool { return .flag(flag) }
            return .text(scalar.string)
        case .alias:
            error(node, "'\(path)' is an alias, which site does not follow", hint: "write the value out")
            return nil
        }
    }

    static func isTemplateName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x5F || byte == 0x2D
            }
    }

    /// Reports every key of `entries` not in `known`, with a suggestion; `more` adds to the hint
    /// for a key (where keys of the author's own go, say).
    public mutating func rejectUnknown(
        _ entries: [(key: String, keyNode: Node, value: Node)], known: [String], path: String, more: ((String) -> String)? = nil
    ) {
        for entry in entries where !known.contains(entry.key) {
            let fullName = path.isEmpty ? entry.key : "\(path).\(entry.key)"
            error(
                entry.keyNode, "unknown key '\(fullName)'\(Suggestions.didYouMean(entry.key, in: known))",
                hint: "known keys\(path.isEmpty ? "" : " in '\(path)'"): \(known.sorted().joined(separator: ", "))"
                    + (more.map { "; " + $0(entry.key) } ?? ""))
        }
    }

    func isNull(_ node: Node) -> Bool { Self.isNull(node) }

    /// Whether `node` is a value written as nothing (`key:` alone, `~`, `null`).
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return node.null != nil || (scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string))
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            if isNull(node) { return "nothing" }
            return "'\(scalar.string)'"
        case .alias: return "an alias"
        }
    }
}
