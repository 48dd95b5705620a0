import CLibXML2
import Foundation

/// Keeps the raw HTML of a page to what legal text needs, and removes everything that could run
/// script, load another page, send data elsewhere or change where links go.
///
/// The HTML is read by libxml2's HTML parser (as SAX events, so no tree is built) and written out
/// again by this type from an allow-list: only the elements in ``elements`` with their allowed
/// attributes, and text. Because the output is written here and not copied, whatever libxml2
/// understood is exactly what a browser reads: tag names come from the allow-list, attribute
/// values are double-quoted with `&`, `<`, `>` and `"` escaped, and text has `&`, `<` and `>`
/// escaped. Entities are decoded before URLs are checked (`&#106;avascript:` is `javascript:`).
///
/// - Elements that run or embed code or other documents (`script`, `style`, `iframe`, `object`,
///   `embed`, `template`, `svg`, `math`, forms and their controls, ...) are removed with
///   everything inside them.
/// - `meta`, `base` and `link` are removed (they redirect, re-base links or load resources).
/// - Any other element not on the allow-list is removed, and its content kept.
/// - Event handlers (`on...`), `style` and `srcdoc` attributes, and attributes an element may not
///   have are removed; a URL attribute (`href`, `src`, `cite`) stays only with an http, https,
///   mailto or tel URL, a URL without a scheme, or (for `img`) the data URL of a PNG, GIF, JPEG or
///   WebP image: the rule of ``URLScheme``, which the Markdown link check uses too.
/// - Comments and processing instructions are never published.
///
/// A page's raw HTML comes in pieces (cmark gives each HTML block, and each inline tag, as its own
/// node, with Markdown between them), so a piece may open an element that a later piece closes.
/// ``sanitize(_:open:)`` takes the elements still open from earlier pieces and returns those open
/// after this one; see there.
public struct HTMLSanitizer: Sendable {
    /// An element a piece of raw HTML opened and did not close.
    public struct OpenElement: Sendable, Hashable {
        /// Lower-case tag name.
        public var name: String
        /// Whether the element is being removed with its content (`script`, `iframe`, ...): until
        /// it closes, nothing is published.
        public var dropping: Bool

        /// An element named `name` (lower-case) left open; `dropping` when nothing inside it is
        /// published.
        public init(name: String, dropping: Bool) {
            self.name = name
            self.dropping = dropping
        }
    }

    /// One thing removed, at a 1-based line of the sanitized text.
    public struct Removal: Sendable, Hashable {
        /// 1-based line within the piece given to ``HTMLSanitizer/sanitize(_:open:)``.
        public var line: Int
        /// What was removed and why, e.g. `removed the onerror attribute of <img>: event handlers run script`.
        public var message: String
    }

    /// The sanitized HTML, what was removed, and the elements left open.
    public struct Result: Sendable, Equatable {
        /// What may be published: well-formed unless elements are left open (see ``open``).
        public var html: String
        /// Everything removed, in the order it was read.
        public var removals: [Removal]
        /// The elements open at the end, outermost first: pass them to the next piece.
        public var open: [OpenElement]
        /// Whether a removed element is still open, so content that follows belongs to it.
        public var isDropping: Bool { open.contains { $0.dropping } }
    }

    /// How an element is treated.
    enum Rule: Equatable {
        /// Published, with these attributes besides the global ones.
        case keep(Set<String>)
        /// Removed with everything inside, for this reason.
        case drop(String)
        /// Removed, its content kept, for this reason.
        case unwrap(String)
    }

    /// Attributes every kept element may have.
    static let globalAttributes: Set<String> = [
        "id", "class", "title", "lang", "dir", "role", "aria-label", "aria-labelledby", "aria-describedby", "aria-hidden",
    ]

    /// Attributes that hold a URL, checked with ``URLScheme``.
    static let urlAttributes: Set<String> = ["href", "src", "cite"]

    /// The elements legal text needs, with the attributes each may have besides the global ones.
    public static let elements: [String: Set<String>] = {
        var table: [String: Set<String>] = [:]
        let plain = [
            "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "b", "i", "u", "s", "sub", "sup", "small",
            "mark", "abbr", "cite", "code", "pre", "kbd", "samp", "var", "dfn", "wbr", "ul", "dl", "dt", "dd", "table",
            "thead", "tbody", "tfoot", "tr", "caption", "figure", "figcaption", "summary", "span", "div", "section",
            "article", "aside", "header", "footer", "nav", "address",
        ]
        for name in plain { table[name] = [] }
        table["a"] = ["href", "hreflang", "rel"]
        table["img"] = ["src", "alt", "width", "height", "loading"]
        table["blockquote"] = ["cite"]
        table["q"] = ["cite"]
        table["del"] = ["cite", "datetime"]
        table["ins"] = ["cite", "datetime"]
        table["time"] = ["datetime"]
        table["ol"] = ["start", "reversed", "type"]
        table["li"] = ["value"]
        table["th"] = ["colspan", "rowspan", "headers", "scope", "abbr"]
        table["td"] = ["colspan", "rowspan", "headers"]
        table["col"] = ["span"]
        table["colgroup"] = ["span"]
        table["details"] = ["open"]
        return table
    }()

    /// Elements removed with their content, and why.
    static let dropped: [String: String] = {
        var table: [String: String] = [:]
        func add(_ names: [String], _ reason: String) { for name in names { table[name] = reason } }
        add(["script"], "scripts run code")
        add(["style"], "style sheets can load URLs and hide or change text")
        add(["iframe", "frame", "frameset", "portal"], "it shows another page inside this one")
        add(["object", "embed", "applet"], "it embeds a plug-in or another document")
        add(["template"], "its content is markup for scripts, never shown as it is")
        add(["noscript", "noembed", "noframes"], "it is fallback content for scripts, plug-ins or frames")
        add(["svg", "math"], "SVG and MathML can carry scripts and links of their own")
        add(
            ["form", "input", "button", "select", "textarea", "option", "optgroup", "datalist", "output", "keygen"],
            "forms send what visitors type elsewhere; legal pages need none")
        add(["title"], "a page's title comes from its front matter")
        add(["xmp", "plaintext", "listing"], "it is an obsolete element whose content is not HTML")
        return table
    }()

    /// Elements removed (they have no content), and why.
    static let voidRemoved: [String: String] = [
        "meta": "it can redirect the page or change how it is read",
        "base": "it changes where every relative link on the page points",
        "link": "it loads style sheets and other resources",
        "source": "not an element legal text needs", "track": "not an element legal text needs",
        "area": "not an element legal text needs", "param": "not an element legal text needs",
    ]

    /// Elements without content (no end tag is written for them).
    static let voidElements: Set<String> = ["br", "hr", "img", "wbr", "col"]

    /// A sanitizer; it holds no state, so one value can serve any number of pieces.
    public init() {}

    /// How `name` is treated.
    static func rule(for name: String) -> Rule {
        if let attributes = elements[name] { return .keep(attributes) }
        if let reason = dropped[name] { return .drop(reason) }
        if let reason = voidRemoved[name] { return .unwrap(reason) }
        return .unwrap("not an element legal text needs")
    }

    /// Sanitizes a whole fragment: elements it leaves open are closed at its end.
    public func sanitize(_ html: String) -> Result {
        var result = sanitize(html, open: [])
        result.html += Self.closingTags(for: result.open)
        result.open = []
        return result
    }

    /// The end tags of the published elements in `open`, innermost first.
    public static func closingTags(for open: [OpenElement]) -> String {
        open.reversed().filter { !$0.dropping }.map { "</\($0.name)>" }.joined()
    }

    /// Sanitizes one piece of raw HTML that follows pieces which left `open` open.
    ///
    /// The piece is parsed after start tags for `open`, so an end tag in it closes an element an
    /// earlier piece opened, as a browser would read the page; elements it opens and does not close
    /// stay open (their end tags are not written) and come back in ``Result/open``. This is what
    /// lets `<span class="x">` and `</span>`, which cmark gives as two inline nodes with Markdown
    /// between them, keep or drop the same element consistently, and a `<div>` block close in a
    /// later block. An end tag with nothing to close is dropped.
    public func sanitize(_ html: String, open: [OpenElement]) -> Result {
        Self.sanitize(html, open: open, probing: false)
    }

    /// Whether a start tag `new` closes an open `old` element, as libxml2 (and a browser) reads
    /// it: asked of libxml2 itself, once per pair of names.
    static func closes(_ new: String, _ old: String) -> Bool {
        let key = "\(new) \(old)"
        closingLock.lock()
        let known = closingPairs[key]
        closingLock.unlock()
        if let known { return known }
        let answer = sanitize("<\(new)>", open: [OpenElement(name: old, dropping: false)], probing: true).html.hasPrefix("</\(old)>")
        closingLock.lock()
        closingPairs[key] = answer
        closingLock.unlock()
        return answer
    }

    private static let closingLock = NSLock()
    nonisolated(unsafe) private static var closingPairs: [String: Bool] = [:]

    private static func sanitize(_ html: String, open: [OpenElement], probing: Bool) -> Result {
        // The wrapper puts the piece inside <body>, where libxml2 adds no implied elements; the
        // comment after it marks the end, so that elements libxml2 closes only because the input
        // ended are told from those closed by the piece itself.
        var prefix = "<html><body>"
        for element in open { prefix += "<\(element.name)>" }
        let input = Array(prefix.utf8) + Array(html.utf8) + Array("<!---->".utf8)
        let collector = Collector(
            open: open, prefixLength: prefix.utf8.count, boundary: prefix.utf8.count + html.utf8.count, probing: probing)
        var handler = htmlSAXHandler()
        handler.startElement = { context, name, attributes in
            guard let (collector, position) = Collector.from(context), let name else { return }
            collector.start(String(cString: name).lowercased(), attributes: attributes, at: position)
        }
        handler.endElement = { context, name in
            guard let (collector, position) = Collector.from(context), let name else { return }
            collector.end(String(cString: name).lowercased(), at: position)
        }
        handler.characters = { context, characters, length in
            guard let characters, let (collector, position) = Collector.from(context) else { return }
            collector.text(UnsafeBufferPointer(start: characters, count: Int(length)), at: position)
        }
        handler.ignorableWhitespace = handler.characters
        // Script and style text: always inside an element removed with its content.
        handler.cdataBlock = { _, _, _ in }
        handler.processingInstruction = { context, _, _ in
            guard let (collector, position) = Collector.from(context) else { return }
            collector.instruction(at: position)
        }
        // Comments are never published; libxml2's complaints about the HTML are not findings.
        handler.comment = nil
        handler.serror = { context, error in
            guard let error, let (collector, position) = Collector.from(context) else { return }
            collector.error(error.pointee, at: position)
        }
        let options =
            HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_IGNORE_ENC.rawValue
        input.withUnsafeBytes { HTMLSAXParser.parse($0, owner: collector, options: Int32(options), handler: handler) }
        return Result(html: String(decoding: collector.output, as: UTF8.self), removals: collector.removals, open: collector.openElements)
    }

    /// The attributes of a kept element `element` that may be published, and the removals of the rest.
    static func attributes(
        _ attributes: [(name: String, value: String?)], of element: String, allowed: Set<String>
    ) -> (kept: [(name: String, value: String)], removed: [String]) {
        var kept: [(name: String, value: String)] = []
        var removed: [String] = []
        var seen: Set<String> = []
        for (name, value) in attributes where seen.insert(name).inserted {
            let reason: String?
            if name.hasPrefix("on") {
                reason = "event handlers run script"
            } else if name == "style" {
                reason = "inline styles are blocked by the site's Content-Security-Policy, and can load URLs"
            } else if name == "srcdoc" {
                reason = "it holds a whole HTML page"
            } else if !globalAttributes.contains(name) && !allowed.contains(name) {
                reason = "not an attribute legal text needs"
            } else if urlAttributes.contains(name), let value {
                reason = urlProblem(value, image: element == "img" && name == "src")
            } else {
                reason = nil
            }
            if let reason {
                removed.append("removed the \(name) attribute of <\(element)>: \(reason)")
            } else {
                kept.append((name, value ?? ""))
            }
        }
        return (kept, removed)
    }

    /// Why `url` may not be published, or nil when it may.
    static func urlProblem(_ url: String, image: Bool) -> String? {
        if let scheme = URLScheme.dangerous(url) { return "a \(scheme): URL would run code or read local files" }
        guard let scheme = URLScheme.scheme(of: url), !URLScheme.publishable.contains(scheme) else { return nil }
        if image && scheme == "data" && URLScheme.isImageData(url) { return nil }
        return "only http, https, mailto and tel URLs and relative ones are published, not \(scheme):"
    }

    /// `text` with `&`, `<` and `>` escaped (and `"` in attribute values), appended to `output`.
    static func appendEscaped<Bytes: Sequence<UInt8>>(_ text: Bytes, to output: inout [UInt8], attribute: Bool) {
        for byte in text {
            switch byte {
            case UInt8(ascii: "&"): output += Array("&amp;".utf8)
            case UInt8(ascii: "<"): output += Array("&lt;".utf8)
            case UInt8(ascii: ">"): output += Array("&gt;".utf8)
            case UInt8(ascii: "\"") where attribute: output += Array("&quot;".utf8)
            default: output.append(byte)
            }
        }
    }
}

/// Receives libxml2's SAX events for one piece and writes what may be published.
private final class Collector {
    /// Where libxml2 is in the input when it reports an event: byte offset, line, and the byte there.
    typealias Position = (offset: Int, line: Int, byte: UInt8)

    /// What was done with an element libxml2 opened.
    enum Frame {
        /// The `<html>` and `<body>` around the piece.
        case wrapper(String)
        /// Published; its end tag is written when it closes (never for void elements).
        case kept(String, void: Bool)
        /// Opened by an earlier piece and published there.
        case earlier(String)
        /// Removed with its content (also when opened by an earlier piece).
        case dropped(String)
        /// Removed, content kept; or inside removed content.
        case skipped(String)

        var name: String {
            switch self {
            case .wrapper(let name), .kept(let name, _), .earlier(let name), .dropped(let name), .skipped(let name): name
            }
        }
    }

    var output: [UInt8] = []
    var removals: [HTMLSanitizer.Removal] = []
    private var frames: [Frame] = []
    private var earlier: [HTMLSanitizer.OpenElement]
    private var earlierSeen = 0
    private var wrappersSeen = 0
    /// How many removed-with-content elements are open: while above zero nothing is written.
    private var dropDepth = 0
    /// Set while finding out what libxml2 implies (see ``HTMLSanitizer/closes(_:_:)``).
    var probing = false
    private let prefixLength: Int
    /// Where the piece ends in the input; events past it come from the end of the input.
    private let boundary: Int

    init(open: [HTMLSanitizer.OpenElement], prefixLength: Int, boundary: Int, probing: Bool) {
        self.probing = probing
        self.earlier = open
        self.prefixLength = prefixLength
        self.boundary = boundary
    }

    /// The collector, and the parser's byte offset and line, of a parser context.
    static func from(_ context: UnsafeMutableRawPointer?) -> (Collector, Position)? {
        guard let parser = HTMLSAXParser.context(context), let collector = HTMLSAXParser.owner(context, as: Collector.self) else {
            return nil
        }
        guard let input = parser.pointee.input, let current = input.pointee.cur, let base = input.pointee.base else {
            return (collector, (Int.max, 0, 0))
        }
        // libxml2 reads from its own copy and may discard what it has read: `consumed` counts that.
        return (collector, (Int(input.pointee.consumed) + (current - base), Int(input.pointee.line), current.pointee))
    }

    /// The elements open now that may be closed by a later piece, outermost first.
    var openElements: [HTMLSanitizer.OpenElement] {
        frames.compactMap { frame in
            switch frame {
            case .kept(let name, void: false), .earlier(let name): HTMLSanitizer.OpenElement(name: name, dropping: false)
            case .dropped(let name): HTMLSanitizer.OpenElement(name: name, dropping: true)
            default: nil
            }
        }
    }

    private func remove(_ message: String, line: Int) {
        removals.append(HTMLSanitizer.Removal(line: max(line, 1), message: message))
    }

    func start(_ name: String, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, at position: Position) {
        if position.offset < prefixLength {
            // The wrapper, then the elements earlier pieces left open, in the order written.
            if wrappersSeen < 2 {
                wrappersSeen += 1
                frames.append(.wrapper(name))
            } else if earlierSeen < earlier.count, earlier[earlierSeen].name == name {
                let element = earlier[earlierSeen]
                earlierSeen += 1
                if element.dropping {
                    dropDepth += 1
                    frames.append(.dropped(name))
                } else {
                    frames.append(.earlier(name))
                }
            } else {
                frames.append(.skipped(name))
            }
            return
        }
        if dropDepth > 0 {
            frames.append(.skipped(name))
            return
        }
        // libxml2 reports a start tag on its `>` (or `/>`); anywhere else the element is one it
        // implied (a <p> around text after a stray </body>), or a tag without its `>`.
        if position.byte != UInt8(ascii: ">") && position.byte != UInt8(ascii: "/") || position.offset >= boundary {
            if !["p", "html", "head", "body"].contains(name) {
                remove("removed <\(name)>: its tag is not closed with >", line: position.line)
            }
            frames.append(.skipped(name))
            return
        }
        switch HTMLSanitizer.rule(for: name) {
        case .keep(let allowed):
            var list: [(name: String, value: String?)] = []
            if var pair = attributes {
                while let attributeName = pair.pointee {
                    let value = pair.advanced(by: 1).pointee.map { String(cString: $0) }
                    list.append((String(cString: attributeName).lowercased(), value))
                    pair = pair.advanced(by: 2)
                }
            }
            closeImplicitly(before: name)
            let (kept, removed) = HTMLSanitizer.attributes(list, of: name, allowed: allowed)
            for message in removed { remove(message, line: position.line) }
            output += Array("<\(name)".utf8)
            for attribute in kept {
                output += Array(" \(attribute.name)=\"".utf8)
                HTMLSanitizer.appendEscaped(attribute.value.utf8, to: &output, attribute: true)
                output.append(UInt8(ascii: "\""))
            }
            output.append(UInt8(ascii: ">"))
            frames.append(.kept(name, void: HTMLSanitizer.voidElements.contains(name)))
        case .drop(let reason):
            remove("removed <\(name)> and its content: \(reason)", line: position.line)
            dropDepth += 1
            frames.append(.dropped(name))
        case .unwrap(let reason):
            if HTMLSanitizer.voidRemoved[name] != nil {
                remove("removed <\(name)>: \(reason)", line: position.line)
            } else {
                remove("removed <\(name)>, keeping its content: \(reason)", line: position.line)
            }
            frames.append(.skipped(name))
        }
    }

    /// Writes the end tags a browser would imply before `name`. libxml2 implies them too, but
    /// only against the innermost element; when that one was removed (`<p><x-y><div>`), the
    /// published element below it would otherwise stay open around `name`.
    private func closeImplicitly(before name: String) {
        guard probing == false, let top = frames.last, case .skipped = top else { return }
        var index = frames.count - 1
        while index >= 0 {
            switch frames[index] {
            case .kept(let open, void: false), .earlier(let open):
                guard HTMLSanitizer.closes(name, open) else { return }
                output += Array("</\(open)>".utf8)
                frames[index] = .skipped(open)
            case .skipped:
                break
            default:
                return
            }
            index -= 1
        }
    }

    func end(_ name: String, at position: Position) {
        // Closed only because the input ended: still open for the next piece.
        guard position.offset <= boundary else { return }
        // libxml2 closes in order; a frame it popped without an event (a broken tag) goes with the next.
        guard frames.contains(where: { $0.name == name }) else { return }
        while let frame = frames.popLast() {
            switch frame {
            case .kept(let kept, let void):
                if !void { output += Array("</\(kept)>".utf8) }
            case .earlier(let kept):
                output += Array("</\(kept)>".utf8)
            case .dropped:
                dropDepth -= 1
            case .wrapper, .skipped:
                break
            }
            if frame.name == name { break }
        }
    }

    func text(_ characters: UnsafeBufferPointer<xmlChar>, at position: Position) {
        guard dropDepth == 0, position.offset <= boundary else { return }
        HTMLSanitizer.appendEscaped(characters, to: &output, attribute: false)
    }

    /// libxml2 drops a second <html>, <head> or <body> with its attributes, and says so only here.
    func error(_ error: xmlError, at position: Position) {
        guard dropDepth == 0, position.offset > prefixLength, position.offset <= boundary,
            error.code == Int32(XML_HTML_STRUCURE_ERROR.rawValue), let message = error.message,
            String(cString: message).hasPrefix("htmlParseStartTag: misplaced"), let name = error.str1
        else { return }
        remove("removed <\(String(cString: name).lowercased())>: the page's template writes it", line: Int(error.line))
    }

    func instruction(at position: Position) {
        guard dropDepth == 0, position.offset <= boundary else { return }
        remove("removed a processing instruction (<?...>): it is not HTML", line: position.line)
    }
}
