import Foundation

/// Stage 7: checks every rendered page before it ships.
///
/// Each page is parsed with libxml2 and must be sound HTML with what every page needs (doctype,
/// `<html lang>`, charset, viewport, a title, one `<h1>` on content pages, unique ids). Every
/// internal link must resolve through the routing table, fragments included. Findings name the
/// Markdown or template line the element came from.
public struct SiteChecker: Sendable {
    /// A rendered page to check (its fields in one copy-on-write box: pages are copied into
    /// every pass of the checks).
    @dynamicMemberLookup
    public struct Page: Sendable {
        /// The fields, in one plain value.
        public struct Fields {
            /// The object key, which is also its path below `dist/`.
            public var key: String
            /// `page` for content pages and the 404 page, `shell` for the app's shell.
            public var kind: ObjectKind
            /// The URL path the page is served at.
            public var path: String
            /// The rendered bytes (UTF-8).
            public var data: Data
            /// The Markdown it came from, for pages rendered from content.
            public var content: ContentPage?
            /// The template that rendered it.
            public var template: String
            /// What the first pass found on this same page in an earlier build (its HTML is then not parsed again).
            public var summary: PageSummary?
        }

        private var storage: CopyOnWrite<Fields>

        /// Each field of ``Fields``, read and changed in place as if it were the page's own.
        public subscript<Value>(dynamicMember field: WritableKeyPath<Fields, Value>) -> Value {
            get { storage.value[keyPath: field] }
            _modify { yield &storage.value[keyPath: field] }
        }

        /// The rendered text, made when a finding needs its lines.
        public var html: String { String(decoding: self.data, as: UTF8.self) }

        /// A page to check; with `summary`, its HTML is not parsed again.
        public init(
            key: String, kind: ObjectKind, path: String, data: Data, content: ContentPage?, template: String, summary: PageSummary? = nil
        ) {
            storage = CopyOnWrite(
                Fields(key: key, kind: kind, path: path, data: data, content: content, template: template, summary: summary))
        }
    }

    /// A link to another site: listed, never fetched.
    public struct ExternalLink: Sendable, Hashable, Codable, Comparable {
        /// The URL as written.
        public var url: String
        /// Where the link is written, in Markdown or a template.
        public var location: SourceLocation

        /// Links sort by URL, then by where they are written.
        public static func < (lhs: ExternalLink, rhs: ExternalLink) -> Bool {
            (lhs.url, lhs.location) < (rhs.url, rhs.location)
        }
    }

    /// What the checks found.
    public struct Report: Sendable, Equatable {
        /// Every finding of both passes, once each, sorted.
        public var diagnostics: [Diagnostic]
        /// How many pages were checked.
        public var pagesChecked: Int
        /// How many URLs the pages' elements hold (`href`, `src` and the like), of any site.
        public var linksChecked: Int
        /// What the first pass found on each page, and the keys of those pages, in the order checked.
        public var summaries: [PageSummary] = []
        /// The key of the page of each summary, in the same order.
        public var checkedKeys: [String] = []

        /// Every link to another site, once per URL and place, sorted (gathered when asked: a
        /// build does not list them).
        public var externalLinks: [ExternalLink] {
            Set(summaries.lazy.flatMap(\.external)).sorted()
        }
    }

    /// libxml2 error codes that are noise for HTML5: it knows only HTML4's elements.
    /// 801: unknown tag (libxml2 knows only HTML4's elements); 513: a repeated id, which the
    /// unique-id check reports with its source.
    static let ignoredParseErrors: Set<Int> = [801, 513]

    let routes: RoutingTable
    let baseURL: String
    let lowercasedBaseURL: String
    let locator: SourceLocator
    /// Reads a page's Markdown body again, for pages whose body was let go after rendering; only
    /// a link finding of the second pass, which needs the line and column, asks for it.
    public var markdown: (@Sendable (ContentPage) -> String?)?
    /// Whether links to other sites are gathered, each located in its source (the location
    /// costs a search of the page's Markdown); false leaves ``PageSummary/external`` empty.
    public var listsExternalLinks: Bool

    /// A checker that resolves links through `routes`, treats URLs below `baseURL` as this site's
    /// and locates findings in `templates`; `markdown` reads a body that was let go.
    public init(
        routes: RoutingTable, templates: TemplateSet, baseURL: String, listsExternalLinks: Bool = true,
        markdown: (@Sendable (ContentPage) -> String?)? = nil
    ) {
        self.listsExternalLinks = listsExternalLinks
        self.routes = routes
        self.baseURL = baseURL
        self.lowercasedBaseURL = baseURL.lowercased()
        self.locator = SourceLocator(templates: templates)
        self.markdown = markdown
    }

    /// Checks `pages` in two passes over every core. The first parses each page, checks what needs
    /// only that page, and keeps its ids and links; no parsed page outlives it, and a page whose
    /// summary is known is not parsed at all. The second checks the links between pages.
    public func check(_ pages: [Page]) -> Report {
        let summaries = Parallel.map(pages) { page in
            page.summary ?? checkPage(page, HTMLDocument(parsing: page.data))
        }
        // A page's ids come sorted (the first pass sorts them): searched in place, not put in a set.
        var collected: [String: [String]] = [:]
        collected.reserveCapacity(pages.count)
        for (page, summary) in zip(pages, summaries) {
            let sorted = zip(summary.ids, summary.ids.dropFirst()).allSatisfy { $0 < $1 }
            collected[page.key] = sorted ? summary.ids : summary.ids.sorted()
        }
        let ids = collected
        let linkFindings = Parallel.map(Array(zip(pages, summaries))) { page, summary in
            checkLinks(summary.links, page: page, ids: ids)
        }
        var diagnostics = Set<Diagnostic>()
        var links = 0
        for (summary, findings) in zip(summaries, linkFindings) {
            diagnostics.formUnion(summary.diagnostics)
            diagnostics.formUnion(findings)
            links += summary.linkCount
        }
        return Report(
            diagnostics: diagnostics.sorted(), pagesChecked: pages.count,
            linksChecked: links, summaries: summaries, checkedKeys: pages.map(\.key))
    }

    /// The first pass on one page: parses it and checks what needs only this page.
    public func summarize(_ page: Page) -> PageSummary {
        checkPage(page, HTMLDocument(parsing: page.data))
    }

    /// A link to this site, with what locating it later needs.
    public struct Link: Sendable, Equatable {
        /// As written.
        public var value: String
        /// The path and fragment below the site's base URL.
        public var target: String
        /// The `data-sourcepos` of the nearest element that has one.
        public var sourcepos: String?
    }

    /// What the first pass found on one page: all that the second pass and later builds need.
    public struct PageSummary: Sendable, Equatable {
        /// What the checks of this page alone found.
        public var diagnostics: [Diagnostic] = []
        /// Every id (and `<a name>`), sorted.
        public var ids: [String] = []
        /// Links to this site, checked in the second pass.
        public var links: [Link] = []
        /// Links to other sites, located.
        public var external: [ExternalLink] = []
        /// Every link the page has.
        public var linkCount = 0
    }

    /// Every attribute that holds a URL, by element.
    static let linkAttributes: [String: [String]] = [
        "a": ["href"], "area": ["href"], "link": ["href"], "script": ["src"], "img": ["src"], "source": ["src"],
        "iframe": ["src"], "video": ["src", "poster"], "audio": ["src"], "form": ["action"],
    ]

    /// The page's Markdown lines, indexed once and only when a link needs a position.
    private func lines(of page: Page) -> () -> LineIndex {
        var index: LineIndex?
        let markdown = markdown
        return {
            if let index { return index }
            var body = page.content?.body ?? ""
            if body.isEmpty, let content = page.content, let reread = markdown?(content) { body = reread }
            let made = LineIndex(body)
            index = made
            return made
        }
    }

    private func checkLinks(_ links: [Link], page: Page, ids: [String: [String]]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let body = lines(of: page)
        for link in links {
            checkLink(link, page: page, body: body, ids: ids, into: &diagnostics)
        }
        return diagnostics
    }

    private func checkPage(_ page: Page, _ document: HTMLDocument) -> PageSummary {
        var result = PageSummary()
        // An empty page lacks everything a page needs; the one fix is in its template, not in the
        // layout where the missing tags would otherwise be looked for.
        // By bytes: the first one that is not white space ends the test, and no text is made of the page.
        if page.data.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x0C }) {
            let file = locator.templates.file(of: page.template)
            result.diagnostics.append(
                .error(
                    SourceLocation(file: file, line: 1, column: 1), "the template renders nothing, so the pages made with it are empty",
                    hint: "write the page in it, for example {{<layout}}{{$main}}<h1>{{page.title}}</h1>{{{content}}}{{/main}}{{/layout}}"))
            return result
        }
        // One pass over the elements gathers what the checks below look at.
        var html: Int?
        var hasCharset = false, hasViewport = false, hasTitleText = false
        var headings: [Int] = []
        var identified: [(index: Int, id: String)] = []
        var names: [String] = []
        var urls: [(index: Int, value: String)] = []
        for index in document.elements.indices {
            let element = document.elements[index]
            var mayLink = false, hasID = false
            for attribute in element.attributes {
                switch attribute.name {
                case "id":
                    // The first, as `element["id"]` reads it.
                    if !hasID { identified.append((index, attribute.value)) }
                    hasID = true
                case "href", "src", "poster", "action": mayLink = true
                default: break
                }
            }
            switch element.name {
            case "html": if html == nil { html = index }
            case "meta":
                if element["charset"] != nil { hasCharset = true }
                if element["name"]?.lowercased() == "viewport" { hasViewport = true }
            case "title": if !hasTitleText, !Self.isBlank(element.text ?? "", newlines: true) { hasTitleText = true }
            case "h1": headings.append(index)
            case "a": if let name = element["name"] { names.append(name) }
            default: break
            }
            guard mayLink, let attributes = Self.linkAttributes[element.name] else { continue }
            for attribute in attributes {
                guard let value = element[attribute]?.trimmingSpaces(), !value.isEmpty else { continue }
                urls.append((index, value))
            }
        }
        result.ids = Set(identified.map(\.id) + names).sorted()
        let templateFile = locator.templates.file(of: page.template)
        /// A missing element is reported at the template line that writes the enclosing tag.
        func structural(_ message: String, near tag: String, hint: String) {
            let location = locator.inTemplates(tag, page: page)
            let text = location.line > 0 ? message : "page \(page.path): \(message)"
            result.diagnostics.append(.error(location.line > 0 ? location : SourceLocation(file: templateFile), text, hint: hint))
        }

        // Parse errors that matter.
        let renderedLines =
            errorsThatMatter(document).isEmpty ? [] : page.html.split(omittingEmptySubsequences: false, whereSeparator: \.isLineBreak)
        for error in errorsThatMatter(document) {
            let message = Self.describe(error)
            let index = document.elements.lastIndex { $0.line <= error.line }
            if let index, let content = page.content, let position = document.nearest("data-sourcepos", from: index),
                let lines = SourceLocator.lines(position)
            {
                let location = SourceLocation(file: content.source, line: lines.lowerBound + content.bodyLine - 1, column: 0)
                result.diagnostics.append(.error(location, "\(message) on page \(page.path)", hint: "fix the markup where it is written"))
            } else if error.line >= 1, error.line <= renderedLines.count,
                let location = locator.templateLine(matching: String(renderedLines[error.line - 1]), column: error.column, page: page)
            {
                result.diagnostics.append(.error(location, message, hint: "fix the markup in the template"))
            } else {
                result.diagnostics.append(
                    .error(
                        SourceLocation(file: templateFile), "\(message) on page \(page.path), line \(error.line) of the rendered HTML",
                        hint: "fix the markup in the template or its partials"))
            }
        }

        // What every page needs.
        if !document.hasHTML5Doctype {
            structural(
                "the page does not start with <!DOCTYPE html>", near: "<html", hint: "put <!DOCTYPE html> on the template's first line")
        }
        if Self.isBlank(html.flatMap { document.elements[$0]["lang"] } ?? "", newlines: false) {
            structural("<html> has no lang attribute", near: "<html", hint: "write <html lang=\"{{site.language}}\">")
        }
        if !hasCharset {
            structural("<head> has no <meta charset>", near: "<head", hint: "add <meta charset=\"utf-8\"> first in <head>")
        }
        if !hasViewport {
            structural(
                "<head> has no viewport <meta>", near: "<head",
                hint: "add <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        }
        if !hasTitleText {
            structural("<head> has no <title> text", near: "<head", hint: "add <title>{{page.title}}</title> to <head>")
        }
        if page.kind == .page {
            if headings.isEmpty {
                // The title is the page template's to write: point there, at the block it fills
                // in the layout, unless the template writes <main> itself.
                let own = locator.templates.sources[page.template]?.text ?? ""
                if !own.contains("<main"), !own.isEmpty {
                    let lines = own.split(omittingEmptySubsequences: false, whereSeparator: \.isLineBreak)
                    let line = (lines.firstIndex { $0.contains("{{$main}}") }).map { $0 + 1 } ?? 1
                    result.diagnostics.append(
                        .error(
                            SourceLocation(file: templateFile, line: line, column: 1), "the page has no <h1>",
                            hint: "render the title as <h1>{{page.title}}</h1>"))
                } else {
                    structural("the page has no <h1>", near: "<main", hint: "render the title as <h1>{{page.title}}</h1>")
                }
            } else if headings.count > 1 {
                for index in headings.dropFirst() {
                    let location = locator.locate("", element: index, in: document, page: page)
                    result.diagnostics.append(
                        .error(
                            location, "page \(page.path) has more than one <h1>",
                            hint: "the template renders the title as <h1>; start content sections at ##"))
                }
            }
        }
        var seenIDs: Set<String> = []
        for (index, id) in identified {
            if id.isEmpty || Self.hasWhitespace(id) {
                result.diagnostics.append(
                    .error(
                        locator.locate("id=\"\(id)\"", element: index, in: document, page: page),
                        "id '\(id)' is empty or has spaces on page \(page.path)"))
            } else if !seenIDs.insert(id).inserted {
                result.diagnostics.append(
                    .error(
                        locator.locate("", element: index, in: document, page: page), "the id '\(id)' is used twice on page \(page.path)",
                        hint: "ids must be unique on a page; give the heading another id with {#other-id}, or rename the element"))
            }
        }

        // Links, with the source position of the block they sit in.
        let body = lines(of: page)
        for (index, value) in urls {
            result.linkCount += 1
            classify(value, sourcepos: document.nearest("data-sourcepos", from: index), page: page, body: body, into: &result)
        }
        return result
    }

    /// Whether `text` is empty or only white space (with line breaks when `newlines`), as
    /// Foundation's trimming sees it; checked by bytes when the first one decides.
    static func isBlank(_ text: String, newlines: Bool) -> Bool {
        guard let first = text.utf8.first else { return true }
        if first > 0x20, first < 0x80 { return false }
        return text.trimmingCharacters(in: newlines ? .whitespacesAndNewlines : .whitespaces).isEmpty
    }

    /// Whether `text` has a white-space character; checked by bytes when it is ASCII.
    static func hasWhitespace(_ text: String) -> Bool {
        var ascii = true
        for byte in text.utf8 {
            if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) { return true }
            if byte >= 0x80 { ascii = false }
        }
        return ascii ? false : text.contains(where: \.isWhitespace)
    }

    private func errorsThatMatter(_ document: HTMLDocument) -> [HTMLDocument.ParseError] {
        document.errors.filter { !Self.ignoredParseErrors.contains($0.code) }
    }

    /// Where a link goes: a script URL is an error, another site's URL is listed, a link to this
    /// site is kept for the second pass.
    private func classify(
        _ value: String, sourcepos: String?, page: Page, body: () -> LineIndex, into result: inout PageSummary
    ) {
        func location() -> SourceLocation { locator.locate(value, sourcepos: sourcepos, page: page, body: body) }
        // Only a `j` or a non-ASCII first letter can lower-case to `javascript:`.
        let first = value.utf8.first ?? 0
        if first >= 0x80 || first | 0x20 == UInt8(ascii: "j"), value.lowercased().hasPrefix("javascript:") {
            let at = location()
            result.diagnostics.append(
                .error(
                    at, "javascript: URL in a link\(on(at, page))", hint: "use a real URL; inline script breaks the Content-Security-Policy"
                ))
            return
        }
        var target = value
        if let scheme = Self.scheme(of: value) {
            guard scheme == "http" || scheme == "https" else { return }  // mailto:, tel:, data: ...
            let lowercased = value.lowercased()
            guard lowercased.hasPrefix(lowercasedBaseURL + "/") || lowercased == lowercasedBaseURL else {
                if listsExternalLinks { result.external.append(ExternalLink(url: value, location: location())) }
                return
            }
            target = String(value.dropFirst(baseURL.count))
            if target.isEmpty { target = "/" }
        } else if value.hasPrefix("//") {
            if listsExternalLinks { result.external.append(ExternalLink(url: value, location: location())) }
            return
        }
        result.links.append(Link(value: value, target: target, sourcepos: sourcepos))
    }

    /// Links written in a template are reported once for all pages; links in content name their page.
    private func on(_ location: SourceLocation, _ page: Page) -> String {
        location.file.hasPrefix(locator.templates.directory + "/") ? "" : " on page \(page.path)"
    }

    private func checkLink(
        _ link: Link, page: Page, body: () -> LineIndex, ids: [String: [String]], into diagnostics: inout [Diagnostic]
    ) {
        // Finding the source is slow next to checking a link: done only for findings.
        var found: SourceLocation?
        func location() -> SourceLocation {
            if let found { return found }
            let located = locator.locate(link.value, sourcepos: link.sourcepos, page: page, body: body)
            found = located
            return located
        }
        var on: String { self.on(location(), page) }
        let target = link.target
        let (path, fragment) = Self.split(target, relativeTo: page.path)
        if path == nil {
            // A fragment on the same page.
            if let fragment, !fragment.isEmpty, !(ids[page.key].map { Self.sortedContains($0, fragment) } ?? false) {
                diagnostics.append(
                    .error(
                        location(),
                        "link to #\(fragment)\(on), which has no element with that id\(Suggestions.didYouMean(fragment, in: ids[page.key] ?? []))",
                        hint: "link to one of the page's heading ids"))
            }
            return
        }
        guard let path else { return }
        switch routes.resolve(path) {
        case .object(let key):
            checkFragment(fragment, key: key, path: path, ids: ids, location: location, on: { on }, into: &diagnostics)
        case .redirect(let to, _):
            diagnostics.append(
                .warning(location(), "link to \(path)\(on) goes through a redirect to \(to)", hint: "link to \(to) directly"))
            if case .object(let key) = routes.resolve(to) {
                checkFragment(fragment, key: key, path: to, ids: ids, location: location, on: { on }, into: &diagnostics)
            }
        case .spa, .api:
            break
        case .notFound:
            let candidates = routes.entries.map(\.path) + routes.redirects.map(\.from)
            diagnostics.append(
                .error(
                    location(), "broken link to \(path)\(on)\(Suggestions.didYouMean(path, in: candidates))",
                    hint: "no page, file, redirect or SPA route answers it; fix the link or add the page"))
        }
    }

    private func checkFragment(
        _ fragment: String?, key: String, path: String, ids: [String: [String]], location: () -> SourceLocation, on: () -> String,
        into diagnostics: inout [Diagnostic]
    ) {
        guard let fragment, !fragment.isEmpty, let targetIDs = ids[key] else { return }
        if !Self.sortedContains(targetIDs, fragment) {
            diagnostics.append(
                .error(
                    location(),
                    "link to \(path)#\(fragment)\(on()), but \(path) has no element with id '\(fragment)'\(Suggestions.didYouMean(fragment, in: targetIDs))",
                    hint: "heading ids are GitHub-style slugs of the heading text"))
        }
    }

    /// Whether `sorted` (ascending) holds `value`: a binary search.
    static func sortedContains(_ sorted: [String], _ value: String) -> Bool {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == value
    }

    /// The URL scheme, lower-case, if `value` has one.
    static func scheme(of value: String) -> String? {
        // Nearly every link is ASCII up to its first colon: decided on bytes, with the answer the
        // character rules below give (ASCII letters and digits are letters and numbers to them).
        let utf8 = value.utf8
        guard let byteColon = utf8.firstIndex(of: 0x3A) else { return nil }
        let afterColon = utf8.index(after: byteColon)
        if utf8[..<byteColon].allSatisfy({ $0 < 0x80 }), afterColon == utf8.endIndex || utf8[afterColon] < 0x80 {
            let bytes = utf8[..<byteColon]
            func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
            guard let first = bytes.first, isLetter(first),
                bytes.allSatisfy({ isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E })
            else { return nil }
            return String(value[..<byteColon]).lowercased()
        }
        guard let colon = value.firstIndex(of: ":") else { return nil }
        let scheme = value[..<colon]
        guard let first = scheme.first, first.isLetter,
            scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) })
        else { return nil }
        return scheme.lowercased()
    }

    /// The absolute path (nil for a bare fragment) and fragment of a link on the page at `base`.
    static func split(_ link: String, relativeTo base: String) -> (path: String?, fragment: String?) {
        var rest = Substring(link)
        var fragment: String?
        if let hash = rest.firstIndex(of: "#") {
            fragment = percentDecoded(String(rest[rest.index(after: hash)...]))
            rest = rest[..<hash]
        }
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        if rest.isEmpty { return (nil, fragment) }
        var path = percentDecoded(String(rest)) ?? String(rest)
        if !path.hasPrefix("/") {
            let directory = base.hasSuffix("/") ? base : String(base[...(base.lastIndex(of: "/") ?? base.startIndex)])
            path = directory + path
        }
        return (normalize(path), fragment)
    }

    /// `text` with its percent escapes decoded; nil when they do not make UTF-8. Text without a
    /// `%` (nearly every link) is given back as it is, without a trip through Foundation.
    static func percentDecoded(_ text: String) -> String? {
        text.utf8.contains(UInt8(ascii: "%")) ? text.removingPercentEncoding : text
    }

    /// Removes `.` and `..` segments.
    static func normalize(_ path: String) -> String {
        var segments: [Substring] = []
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (index, part) in parts.enumerated() {
            if part == "." { if index == parts.count - 1 { segments.append("") }; continue }
            if part == ".." {
                if !segments.isEmpty { segments.removeLast() }
                if index == parts.count - 1 { segments.append("") }
                continue
            }
            segments.append(part)
        }
        return "/" + segments.joined(separator: "/")
    }

    static func describe(_ error: HTMLDocument.ParseError) -> String {
        switch error.code {
        case 23: "a bare '&' (write &amp;)"
        case 42: error.message.replacingOccurrences(of: "redefined", with: "appears twice on one element")
        case 76: "\(error.message) (tags are mismatched)"
        default: error.message
        }
    }
}
