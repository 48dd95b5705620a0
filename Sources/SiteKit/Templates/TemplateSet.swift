import Foundation
import Mustache

/// Stage 3: every Mustache template of the site, parsed once and checked, ready to render many pages.
public struct TemplateSet: Sendable {
    /// One template file.
    public struct Source: Sendable {
        /// The name partials use: the path below the templates folder without `.mustache`.
        public var name: String
        /// The file, relative to the project root.
        public var file: String
        /// Its tags in the order they appear, for checking names and partials before rendering.
        public var tags: [MustacheScanner.Tag]
        /// The template text, for finding where rendered output came from.
        public var text: String
    }

    /// A file under `templates/assets/`, published under a fingerprinted name.
    public struct Asset: Sendable, Equatable {
        /// The file, relative to the project root.
        public var source: String
        /// The object key in `dist/`, such as `assets/site-3fA9c2Lq.css`.
        public var key: String
        /// The template variable below `assets.` (`site.css` -> `site_css`).
        public var variable: String
        /// The file's bytes, published unchanged.
        public var data: Data
    }

    /// The extension of template files, without the dot; other files outside `assets/` are ignored.
    public static let fileExtension = "mustache"

    /// The templates folder, relative to the project root (`content.templates`).
    public let directory: String
    /// The templates, by name.
    public let sources: [String: Source]
    /// The theme files under the folder's `assets/`.
    public let assets: [Asset]
    private let library: MustacheLibrary

    /// Whether `name` names a file below the templates folder: no `..` or `.` segment, no leading
    /// `/`, no empty segment.
    public static func namesFileInside(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix("/") && !name.contains("\\")
            && name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    /// What to do about a template name no file answers: create the file, or, for a name that
    /// points outside the templates folder, how names are written.
    public func hintForUnknown(_ name: String) -> String {
        if Self.namesFileInside(name) { return "create \(directory)/\(name).\(Self.fileExtension)" }
        let example = sources.keys.sorted().first { $0.contains("/") } ?? sources.keys.sorted().first ?? "partials/footer"
        return "templates are named by their path below \(directory)/ without .\(Self.fileExtension), for example '\(example)'"
    }

    /// Reads, parses and scans every template below `directory`.
    public static func load(directory: String, from fileSystem: some FileSystem) throws(DiagnosticError) -> TemplateSet {
        let files: [String]
        do {
            files = try fileSystem.files(under: directory, includeHidden: false)
        } catch {
            guard case .notFound = error else { throw DiagnosticError(error.diagnostic) }
            throw DiagnosticError(
                .error(
                    SourceLocation(file: directory), "templates folder '\(directory)' does not exist",
                    hint: "create it with layout.mustache and legal.mustache, or set content.templates in site.yml"))
        }
        var bag = DiagnosticBag()
        var sources: [String: Source] = [:]
        var templates: [String: MustacheTemplate] = [:]
        var assets: [Asset] = []
        let assetPrefix = directory + "/assets/"
        for file in files {
            if file.hasPrefix(assetPrefix) {
                guard let data = bag.collect({ try readData(file, fileSystem) }) else { continue }
                assets.append(asset(file: file, relative: String(file.dropFirst(assetPrefix.count)), data: data))
                continue
            }
            guard file.hasSuffix("." + fileExtension) else { continue }
            let name = String(file.dropFirst(directory.count + 1).dropLast(fileExtension.count + 1))
            guard let text = bag.collect({ try fileSystem.readText(file) }) else { continue }
            do {
                let tags = try MustacheScanner.scan(text)
                _ = HTMLEscaping.registered
                templates[name] = try MustacheTemplate(string: HTMLEscaping.pragma + text)
                sources[name] = Source(name: name, file: file, tags: tags, text: text)
            } catch let problem as MustacheScanner.Problem {
                bag.error(SourceLocation(file: file, line: problem.line, column: problem.column), problem.message, hint: problem.hint)
            } catch let error as MustacheTemplate.ParserError {
                bag.error(
                    SourceLocation(file: file, line: max(1, error.context.lineNumber - 1), column: error.context.columnNumber),
                    "template syntax: \(describe(error.error))")
            } catch {
                bag.error(SourceLocation(file: file), "template syntax: \(error)")
            }
        }
        try bag.throwIfErrors()
        return TemplateSet(
            directory: directory, sources: sources, assets: assets, library: MustacheLibrary(templates: templates))
    }

    private static func readData(_ file: String, _ fileSystem: some FileSystem) throws -> Data {
        do { return try fileSystem.read(file) } catch { throw DiagnosticError(error.diagnostic) }
    }

    static func asset(file: String, relative: String, data: Data) -> Asset {
        let name = (relative as NSString).deletingPathExtension
        let ext = (relative as NSString).pathExtension
        let fingerprinted = "assets/\(name)-\(Digest.fingerprint(data))" + (ext.isEmpty ? "" : ".\(ext)")
        let variable = relative.map { $0.isLetter || $0.isNumber ? $0 : "_" }
        return Asset(source: file, key: fingerprinted, variable: String(variable), data: data)
    }

    private static func describe(_ error: Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect: "a section is closed with the wrong name"
        case .unfinishedName: "a tag is not finished"
        case .expectedSectionEnd: "a section is never closed"
        case .invalidSetDelimiter: "invalid set-delimiter tag"
        case .transformAppliedToInheritanceSection: "a transform cannot apply to an inheritance section"
        case .illegalTokenInsideInheritSection: "only {{$block}} overrides may stand inside {{<parent}}"
        case .textInsideInheritSection: "only {{$block}} overrides may stand inside {{<parent}}"
        case .invalidConfigVariableSyntax, .unrecognisedConfigVariable: "invalid {{% ... }} pragma"
        case .none: "\(error)"
        }
    }

    init(directory: String, sources: [String: Source], assets: [Asset], library: MustacheLibrary) {
        self.directory = directory
        self.sources = sources
        self.assets = assets
        self.library = library
    }

    /// The file of template `name`, for diagnostics.
    public func file(of name: String) -> String {
        sources[name]?.file ?? "\(directory)/\(name).\(Self.fileExtension)"
    }

    /// Renders template `name` with `context`.
    public func render(_ name: String, context: Any) -> String {
        library.render(context, withTemplate: name) ?? ""
    }

    // MARK: Checks

    /// Checks every template against `shape`, the context every page gets: unknown variables,
    /// sections and partials, and partials that include themselves.
    public func check(shape: TemplateValue) -> [Diagnostic] {
        var referenced = Set<String>()
        for source in sources.values {
            for tag in source.tags where tag.kind == .partial || tag.kind == .parent { referenced.insert(tag.name) }
        }
        var findings = Set<Diagnostic>()
        for name in sources.keys.sorted() where !referenced.contains(name) {
            check(name, scopes: [shape], chain: [], into: &findings)
        }
        // Partials that only reach each other (a cycle with no entry point) are checked too.
        for name in sources.keys.sorted() where referenced.contains(name) {
            check(name, scopes: [shape], chain: [], into: &findings, reportNames: false)
        }
        return findings.sorted()
    }

    /// Reports when `name` is missing from the set (for a page's `template:`).
    public func has(_ name: String) -> Bool { sources[name] != nil }

    /// "did you mean" over template names.
    public func suggestion(for name: String) -> String { Suggestions.didYouMean(name, in: sources.keys) }

    private func check(
        _ name: String, scopes: [TemplateValue], chain: [String], into findings: inout Set<Diagnostic>,
        reportNames: Bool = true
    ) {
        guard let source = sources[name] else { return }
        var stack = scopes
        var pushed: [Bool] = []
        let chain = chain + [name]
        for tag in source.tags {
            let location = SourceLocation(file: source.file, line: tag.line, column: tag.column)
            switch tag.kind {
            case .variable, .unescaped, .section, .inverted:
                let value = resolve(tag.name, in: stack)
                if value == nil, reportNames {
                    let candidates = stack.reversed().flatMap { $0.names() }
                    let what = tag.kind == .section || tag.kind == .inverted ? "section" : "variable"
                    findings.insert(
                        .error(
                            location, "unknown \(what) '\(tag.name)'\(Self.suggestion(for: tag.name, in: stack))",
                            hint: "templates can use: \(Self.summary(of: candidates))"))
                }
                if tag.kind == .section {
                    switch value {
                    case .list(_, let shape):
                        stack.append(shape)
                        pushed.append(true)
                    case .object:
                        stack.append(value ?? .flag(false))
                        pushed.append(true)
                    default:
                        pushed.append(false)
                    }
                } else if tag.kind == .inverted {
                    pushed.append(false)
                }
            case .partial, .parent:
                if tag.kind == .parent { pushed.append(false) }
                let kind = tag.kind == .parent ? "parent template" : "partial"
                if sources[tag.name] == nil {
                    findings.insert(
                        .error(
                            location, "unknown \(kind) '\(tag.name)'\(suggestion(for: tag.name))",
                            hint: hintForUnknown(tag.name)))
                } else if let start = chain.firstIndex(of: tag.name) {
                    let loop = chain[start...] + [tag.name]
                    let message =
                        loop.count == 2
                        ? "\(kind) '\(tag.name)' includes itself; rendering would never end"
                        : "templates include each other in a loop (\(loop.joined(separator: " -> "))); rendering would never end"
                    findings.insert(.error(location, message, hint: "remove the inclusion that closes the loop"))
                } else {
                    check(tag.name, scopes: stack, chain: chain, into: &findings, reportNames: reportNames)
                }
            case .block:
                pushed.append(false)
            case .close:
                if pushed.popLast() == true { stack.removeLast() }
            case .comment, .pragma, .delimiters:
                break
            }
        }
    }

    private func resolve(_ name: String, in stack: [TemplateValue]) -> TemplateValue? {
        if name == "." { return stack.last }
        let segments = name.split(separator: ".")
        guard let first = segments.first else { return nil }
        for scope in stack.reversed() {
            if case .object(let fields) = scope, let head = fields[String(first)] {
                return head.value(at: segments.dropFirst())
            }
        }
        return nil
    }

    /// "did you mean", preferring names of the innermost section.
    private static func suggestion(for name: String, in stack: [TemplateValue]) -> String {
        for scope in stack.reversed() {
            let text = Suggestions.didYouMean(name, in: scope.names())
            if !text.isEmpty { return text }
        }
        return ""
    }

    private static func summary(of names: [String]) -> String {
        let unique = Array(Set(names)).sorted()
        let shown = unique.prefix(24).joined(separator: ", ")
        return unique.count > 24 ? shown + ", ..." : shown
    }
}
