import CCmarkGFM
import Foundation

/// Stage 4a: turns a page's Markdown into HTML with cmark-gfm (GitHub's CommonMark engine).
///
/// Tables, strikethrough, autolinks, task lists, tag filtering and footnotes are on. Every heading
/// gets a GitHub-compatible id, content variables are expanded in text and link targets (never
/// inside code), and raw HTML is dropped unless allowed, and then sanitized by ``HTMLSanitizer``.
public struct MarkdownRenderer: Sendable {
    /// The rendered page body.
    public struct Output: Sendable, Equatable {
        /// The page body as HTML, every heading with its id.
        public var html: String
        /// Every heading, in page order, for the table of contents.
        public var headings: [Heading]
        /// Warnings such as dropped raw HTML.
        public var warnings: [Diagnostic]
    }

    /// Keep raw HTML written in the Markdown, sanitized (`content.allow_raw_html`); otherwise it is
    /// dropped with a warning.
    public var allowRawHTML: Bool
    /// Keep cmark's `data-sourcepos="line:col-line:col"` on block elements, so checks can name the
    /// Markdown line an element came from. ``HTMLPostProcessor/stripSourcePositions(_:)`` removes them.
    public var keepSourcePositions: Bool

    /// A renderer that drops raw HTML and source positions unless asked to keep them.
    public init(allowRawHTML: Bool = false, keepSourcePositions: Bool = false) {
        self.allowRawHTML = allowRawHTML
        self.keepSourcePositions = keepSourcePositions
    }

    private static let extensionNames = ["table", "strikethrough", "autolink", "tasklist", "tagfilter"]
    private static let parseLock = NSLock()

    /// Registers the GFM extensions once per process (cmark-gfm's registry is global).
    private static let registered: Bool = {
        cmark_gfm_core_extensions_ensure_registered()
        return true
    }()

    /// Renders `markdown`, the body of `file` starting at line `firstLine`.
    public func render(
        _ markdown: String, file: String, firstLine: Int = 1, variables: ContentVariables? = nil
    ) throws(DiagnosticError) -> Output {
        // Everything cmark-gfm allocates for the page lives in this thread's arena until the end.
        try MarkdownArena.scoped { () throws(DiagnosticError) -> Output in
            try renderInArena(markdown, file: file, firstLine: firstLine, variables: variables)
        }
    }

    private func renderInArena(
        _ markdown: String, file: String, firstLine: Int, variables: ContentVariables?
    ) throws(DiagnosticError) -> Output {
        _ = Self.registered
        // No CMARK_OPT_VALIDATE_UTF8: a Swift string is valid UTF-8 already (cmark replaces NUL
        // bytes either way).
        var options = CMARK_OPT_SOURCEPOS | CMARK_OPT_FOOTNOTES
        if allowRawHTML { options |= CMARK_OPT_UNSAFE }
        guard let parser = cmark_parser_new_with_mem(options, MarkdownArena.memory) else {
            throw DiagnosticError(.error(SourceLocation(file: file), "cannot start the Markdown parser (out of memory)"))
        }
        defer { cmark_parser_free(parser) }
        for name in Self.extensionNames {
            if let syntax = cmark_find_syntax_extension(name) { cmark_parser_attach_syntax_extension(parser, syntax) }
        }
        var text = markdown
        text.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { bytes in
                if let base = bytes.baseAddress { cmark_parser_feed(parser, base, bytes.count) }
            }
        }
        // cmark-gfm adds and removes the extensions' special characters in one global table around
        // the inline pass of `finish`, so two at once lose autolinks and strikethroughs: finish one at
        // a time. Block parsing above does not read that table and runs on every core.
        Self.parseLock.lock()
        let finished = cmark_parser_finish(parser)
        Self.parseLock.unlock()
        guard let document = finished else {
            throw DiagnosticError(.error(SourceLocation(file: file), "cannot parse Markdown"))
        }
        // The tree is not freed node by node: the arena goes as a whole.
        cmark_consolidate_text_nodes(document)

        var walker = TreeWalker(file: file, firstLine: firstLine, markdown: markdown, variables: variables, allowRawHTML: allowRawHTML)
        walker.walk(document)
        walker.applyEdits()
        try DiagnosticBag(Array(Set(walker.bag.diagnostics))).throwIfErrors()

        guard let rendered = cmark_render_html_with_mem(document, options, cmark_parser_get_syntax_extensions(parser), MarkdownArena.memory)
        else {
            throw DiagnosticError(.error(SourceLocation(file: file), "cannot render Markdown"))
        }
        let html = HTMLPostProcessor.process(
            UnsafeRawBufferPointer(start: rendered, count: strlen(rendered)), headingIDs: walker.headingIDs,
            keepPositions: keepSourcePositions)
        let headings = walker.headings.map {
            Heading(level: $0.level, title: $0.title, id: $0.id, line: $0.line + firstLine - 1)
        }
        return Output(html: html, headings: headings, warnings: Set(walker.bag.diagnostics.filter { $0.severity == .warning }).sorted())
    }
}

/// Walks the cmark tree once: expands variables, collects headings and their ids.
struct TreeWalker {
    let file: String
    let firstLine: Int
    let markdown: String
    /// The source lines, split only when a finding needs a position.
    lazy var lines: [Substring] = markdown.split(omittingEmptySubsequences: false, whereSeparator: \.isLineBreak)
    let variables: ContentVariables?
    let allowRawHTML: Bool
    var bag = DiagnosticBag()
    var slugger = Slugger()
    var headings: [Heading] = []
    /// `line:column` of each heading's start (as cmark writes `data-sourcepos`) -> id.
    var headingIDs: [String: String] = [:]
    /// The elements raw HTML left open, by the node the raw HTML sits in: the next raw HTML there
    /// may close them, and those still open when the node ends are closed there.
    var openHTML: [OpaquePointer: OpenHTML] = [:]
    /// Nodes to take out of the tree once the walk is done (the iterator must not see it change).
    var unlinked: [OpaquePointer] = []
    /// End tags to add as the last child of a node once the walk is done.
    var closings: [(parent: OpaquePointer, literal: String, inline: Bool)] = []
    /// A node being left out with everything below it, until its exit.
    var skipping: OpaquePointer?

    /// Raw HTML elements open in one node.
    struct OpenHTML {
        var elements: [HTMLSanitizer.OpenElement]
        /// Whether they were opened by inline HTML (the node holds inlines) or by HTML blocks.
        var inline: Bool
    }

    init(file: String, firstLine: Int, markdown: String, variables: ContentVariables?, allowRawHTML: Bool) {
        self.file = file
        self.firstLine = firstLine
        self.markdown = markdown
        self.variables = variables
        self.allowRawHTML = allowRawHTML
    }

    mutating func walk(_ document: OpaquePointer) {
        guard let iterator = cmark_iter_new(document) else { return }
        defer { cmark_iter_free(iterator) }
        var blockLine = 1
        var pendingHeadings: [OpaquePointer] = []
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            guard let node = cmark_iter_get_node(iterator) else { continue }
            if let skipped = skipping {
                if node == skipped && event == CMARK_EVENT_EXIT { skipping = nil }
                continue
            }
            let type = cmark_node_get_type(node)
            if allowRawHTML {
                if event == CMARK_EVENT_ENTER, type != CMARK_NODE_HTML_BLOCK, type != CMARK_NODE_HTML_INLINE,
                    let parent = cmark_node_parent(node), openHTML[parent]?.elements.contains(where: \.dropping) == true
                {
                    // Markdown between <iframe> and </iframe> (or after an unclosed <script>) is their content.
                    unlinked.append(node)
                    if !Self.isLeaf(type) { skipping = node }
                    continue
                }
                if event == CMARK_EVENT_EXIT, let open = openHTML.removeValue(forKey: node) {
                    let literal = HTMLSanitizer.closingTags(for: open.elements)
                    if !literal.isEmpty { closings.append((node, literal + (open.inline ? "" : "\n"), open.inline)) }
                }
            }
            if event == CMARK_EVENT_ENTER, cmark_node_get_start_line(node) > 0, isBlock(type) {
                blockLine = Int(cmark_node_get_start_line(node))
            }
            switch type {
            case CMARK_NODE_TEXT where event == CMARK_EVENT_ENTER:
                expandLiteral(node, near: blockLine)
            case CMARK_NODE_LINK where event == CMARK_EVENT_ENTER, CMARK_NODE_IMAGE where event == CMARK_EVENT_ENTER:
                expandURL(node, near: blockLine)
                checkScheme(node, near: blockLine)
            case CMARK_NODE_HEADING where event == CMARK_EVENT_EXIT:
                pendingHeadings.append(node)
            case CMARK_NODE_HTML_BLOCK where event == CMARK_EVENT_ENTER, CMARK_NODE_HTML_INLINE where event == CMARK_EVENT_ENTER:
                let literal = cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
                if allowRawHTML {
                    sanitize(node, literal, inline: type == CMARK_NODE_HTML_INLINE, near: blockLine)
                } else if Self.isOnlyComments(literal) {
                    // Nothing visible is lost, and a comment's notes are not for the public: left out quietly.
                    unlinked.append(node)
                } else {
                    let line = Int(cmark_node_get_start_line(node))
                    bag.append(
                        .warning(
                            location(line: line > 0 ? line : blockLine, column: 0), "raw HTML dropped from the page",
                            hint: "write it in Markdown, or set content.allow_raw_html: true in site.yml"))
                }
            default:
                break
            }
        }
        // Ids are given after variables are expanded, so a heading's id matches its visible text.
        for node in pendingHeadings { addHeading(node) }
    }

    /// Replaces the raw HTML of `node` with what ``HTMLSanitizer`` keeps of it, given what earlier
    /// raw HTML in the same parent left open, and reports each removal at its line of the file.
    private mutating func sanitize(_ node: OpaquePointer, _ literal: String, inline: Bool, near blockLine: Int) {
        guard let parent = cmark_node_parent(node) else { return }
        let result = HTMLSanitizer().sanitize(literal, open: openHTML[parent]?.elements ?? [])
        openHTML[parent] = result.open.isEmpty ? nil : OpenHTML(elements: result.open, inline: inline)
        let start = Int(cmark_node_get_start_line(node))
        let column = Int(cmark_node_get_start_column(node))
        for removal in result.removals {
            // The node's column on its first line; on later lines, the line alone.
            let place =
                start > 0
                ? location(line: start + removal.line - 1, column: removal.line == 1 ? column : 0)
                : location(line: blockLine, column: 0)
            bag.append(.warning(place, removal.message))
        }
        if result.html.allSatisfy(\.isWhitespace) {
            // Nothing left but the line breaks around what was removed.
            unlinked.append(node)
        } else if result.html != literal {
            cmark_node_set_literal(node, result.html)
        }
    }

    /// Takes out the nodes left out during the walk, and adds the end tags of raw HTML elements
    /// still open where their parent ends, so the page stays well-formed.
    mutating func applyEdits() {
        for node in unlinked { cmark_node_unlink(node) }
        for closing in closings {
            guard let node = cmark_node_new_with_mem(closing.inline ? CMARK_NODE_HTML_INLINE : CMARK_NODE_HTML_BLOCK, MarkdownArena.memory)
            else { continue }
            cmark_node_set_literal(node, closing.literal)
            if cmark_node_append_child(closing.parent, node) == 0 { cmark_node_unlink(node) }
        }
    }

    /// Whether raw HTML is nothing but comments and white space.
    static func isOnlyComments(_ literal: String) -> Bool {
        let bytes = Array(literal.utf8)
        let open = Array("<!--".utf8)
        let close = Array("-->".utf8)
        var index = 0
        var sawComment = false
        while index < bytes.count {
            if [0x20, 0x09, 0x0A, 0x0D, 0x0C].contains(bytes[index]) {
                index += 1
                continue
            }
            guard bytes[index...].starts(with: open), let end = ByteSearch.first(close, in: bytes, from: index + open.count) else {
                return false
            }
            sawComment = true
            index = end + close.count
        }
        return sawComment
    }

    /// Node types the iterator enters without exiting.
    static func isLeaf(_ type: cmark_node_type) -> Bool {
        [
            CMARK_NODE_HTML_BLOCK, CMARK_NODE_THEMATIC_BREAK, CMARK_NODE_CODE_BLOCK, CMARK_NODE_TEXT, CMARK_NODE_SOFTBREAK,
            CMARK_NODE_LINEBREAK, CMARK_NODE_CODE, CMARK_NODE_HTML_INLINE,
        ].contains(type)
    }

    private func isBlock(_ type: cmark_node_type) -> Bool {
        (UInt32(type.rawValue) & UInt32(CMARK_NODE_TYPE_BLOCK)) != 0
    }

    private func location(line: Int, column: Int) -> SourceLocation {
        SourceLocation(file: file, line: line + firstLine - 1, column: column)
    }

    /// Finds where `tag` is written outside code spans: at or after the block's first line, else
    /// anywhere (a link reference definition may stand above its use).
    private mutating func locate(_ tag: String, near line: Int) -> SourceLocation {
        let start = min(max(line - 1, 0), lines.count)
        for index in Array(start..<lines.count) + Array(0..<start) {
            if let column = Self.column(of: tag, outsideCodeIn: lines[index]) {
                return location(line: index + 1, column: column)
            }
        }
        return location(line: line, column: 0)
    }

    /// The 1-based column of the first `needle` in `line` that is not inside a backtick code span.
    static func column(of needle: String, outsideCodeIn line: Substring) -> Int? {
        var searchStart = line.startIndex
        while let range = line[searchStart...].range(of: needle) {
            let before = line[..<range.lowerBound]
            if before.filter({ $0 == "`" }).count % 2 == 0 { return before.count + 1 }
            searchStart = range.upperBound
        }
        return nil
    }

    private mutating func report(_ failures: [ContentVariables.Failure], near line: Int) {
        for failure in failures {
            bag.error(locate(failure.tag, near: line), failure.message, hint: failure.hint)
        }
    }

    /// Whether C text holds `{{` or `{%`: one walk over its `{`s (most text has none).
    static func mayHoldTag(_ text: UnsafePointer<CChar>) -> Bool {
        var cursor = text
        while let brace = strchr(cursor, 0x7B) {
            let next = brace.advanced(by: 1).pointee
            if next == 0x7B || next == 0x25 { return true }
            if next == 0 { return false }
            cursor = UnsafePointer(brace.advanced(by: 1))
        }
        return false
    }

    private mutating func expandLiteral(_ node: OpaquePointer, near line: Int) {
        guard let variables, let literal = cmark_node_get_literal(node), Self.mayHoldTag(literal) else { return }
        let text = String(cString: literal)
        let (expanded, failures) = variables.expand(text)
        report(failures, near: line)
        if expanded != text { cmark_node_set_literal(node, expanded) }
    }

    private mutating func expandURL(_ node: OpaquePointer, near line: Int) {
        guard let variables else { return }
        if let url = cmark_node_get_url(node), strstr(url, "{{") != nil {
            // cmark keeps `{` and `}` in link targets as written; expand them before rendering escapes them.
            let (expanded, failures) = variables.expand(String(cString: url))
            report(failures, near: line)
            cmark_node_set_url(node, expanded)
        }
        if let title = cmark_node_get_title(node), strstr(title, "{{") != nil {
            let (expanded, failures) = variables.expand(String(cString: title))
            report(failures, near: line)
            cmark_node_set_title(node, expanded)
        }
    }

    /// Links and images whose URL would run code or read local files are errors: cmark would
    /// quietly publish them as `href=""`. Data URLs of the images cmark keeps are fine.
    private mutating func checkScheme(_ node: OpaquePointer, near line: Int) {
        guard let url = cmark_node_get_url(node), let scheme = Self.dangerousScheme(String(cString: url)) else { return }
        let start = Int(cmark_node_get_start_line(node))
        let column = Int(cmark_node_get_start_column(node))
        let what = cmark_node_get_type(node) == CMARK_NODE_IMAGE ? "an image" : "a link"
        bag.error(
            location(line: start > 0 ? start : line, column: start > 0 ? column : 0),
            "\(scheme): URL in \(what): it would run code or read local files, and is never published",
            hint: "link to a page or an https:// URL instead")
    }

    /// The scheme (`javascript`, `vbscript`, `file` or `data`) of a URL a browser would treat as
    /// dangerous, read as browsers read it: any letter case, tabs and line breaks removed, leading
    /// spaces and control characters ignored; nil for anything else and for data URLs of PNG, GIF,
    /// JPEG and WebP images.
    static func dangerousScheme(_ url: String) -> String? {
        URLScheme.dangerous(url)
    }

    private mutating func addHeading(_ node: OpaquePointer) {
        let line = Int(cmark_node_get_start_line(node))
        let column = Int(cmark_node_get_start_column(node))
        var title = Self.plainText(of: node).trimmingSpaces()
        var id: String
        if let explicit = Self.explicitID(in: title) {
            title = explicit.title
            id = explicit.id
            Self.stripExplicitID(from: node)
            if !slugger.claim(id) {
                bag.error(
                    location(line: line, column: column), "heading id '\(id)' is used twice on this page",
                    hint: "give this heading another {#id}, or drop the {#id} to get a numbered one")
            }
        } else {
            id = slugger.id(for: title)
        }
        headingIDs["\(line):\(column)"] = id
        headings.append(Heading(level: Int(cmark_node_get_heading_level(node)), title: title, id: id, line: line))
    }

    /// The text of a heading without markup: text, code and the text of links.
    static func plainText(of node: OpaquePointer) -> String {
        var text = ""
        var child = cmark_node_first_child(node)
        while let current = child {
            let type = cmark_node_get_type(current)
            if type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE, let literal = cmark_node_get_literal(current) {
                text += String(cString: literal)
            } else if type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK {
                text += " "
            } else {
                text += plainText(of: current)
            }
            child = cmark_node_next(current)
        }
        return text
    }

    /// `Title {#custom-id}` -> ("Title", "custom-id").
    static func explicitID(in title: String) -> (title: String, id: String)? {
        guard title.hasSuffix("}"), let open = title.range(of: "{#", options: .backwards) else { return nil }
        let id = String(title[open.upperBound..<title.index(before: title.endIndex)])
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        return (String(title[..<open.lowerBound]).trimmingSpaces(), id)
    }

    /// Removes a trailing `{#id}` from the heading's last text, which may sit inside emphasis.
    static func stripExplicitID(from node: OpaquePointer) {
        var last = cmark_node_last_child(node)
        while let current = last, cmark_node_get_type(current) != CMARK_NODE_TEXT {
            last = cmark_node_last_child(current)
        }
        guard let last, let literal = cmark_node_get_literal(last) else { return }
        let text = String(cString: literal)
        guard let open = text.range(of: "{#", options: .backwards) else { return }
        var kept = String(text[..<open.lowerBound])
        while kept.hasSuffix(" ") { kept.removeLast() }
        cmark_node_set_literal(last, kept)
    }
}
