import Foundation

/// Stage 6: renders every page, the SPA shell, the 404 page, `sitemap.xml` and `robots.txt`, and
/// gathers the files that are copied as they are.
public struct SiteRenderer: Sendable {
    /// The config the pages are rendered for.
    public let config: SiteConfig
    /// The templates and theme assets pages are rendered through.
    public let templates: TemplateSet
    /// The values templates and content see.
    public let context: TemplateContext
    /// Renders page bodies, keeping raw HTML only when `content.allow_raw_html` is set.
    public let markdown: MarkdownRenderer

    /// A renderer for `config`'s pages through `templates`, with the values of `context`.
    public init(config: SiteConfig, templates: TemplateSet, context: TemplateContext) {
        self.config = config
        self.templates = templates
        self.context = context
        self.markdown = MarkdownRenderer(allowRawHTML: config.content.allowRawHTML, keepSourcePositions: true)
    }

    /// A rendered page and the warnings its Markdown gave.
    public struct RenderedPage: Sendable {
        /// The page's HTML file, keyed where it is written below `dist/`.
        public var object: OutputObject
        /// What the page's Markdown warned about, also when the page came from the cache.
        public var warnings: [Diagnostic]
        /// Set when the page came from the cache: its checks need not run again.
        public var summary: SiteChecker.PageSummary?
        /// The key to store the page under once it is checked (nil without a cache or for a hit).
        public var cacheKey: String?
        /// Whether the page came from the cache.
        public var fromCache = false
    }

    /// Checks that the templates pages name exist and use only known names.
    public func checkTemplates(pages: [ContentPage]) -> [Diagnostic] {
        var findings = templates.check(shape: context.shape(params: pages.map(\.params)))
        var required = ["404"]
        if config.spa != nil { required.append("spa") }
        for name in required where !templates.has(name) {
            findings.append(
                .error(
                    SourceLocation(file: templates.file(of: name)), "missing template '\(name)'",
                    hint: "create \(templates.file(of: name))"))
        }
        for page in pages where !templates.has(page.template) {
            findings.append(
                .error(
                    page.locations["template"] ?? SourceLocation(file: page.source, line: 1, column: 1),
                    "unknown template '\(page.template)'\(templates.suggestion(for: page.template))",
                    hint: TemplateSet.namesFileInside(page.template)
                        ? "create \(templates.file(of: page.template)), or name one of: \(templates.sources.keys.sorted().joined(separator: ", "))"
                        : templates.hintForUnknown(page.template)))
        }
        return findings
    }

    /// Renders one content page through its template.
    public func render(_ page: ContentPage, key: String? = nil) throws(DiagnosticError) -> RenderedPage {
        let info = TemplateContext.PageInfo(page)
        let variables = ContentVariables(scope: context.contentScope(for: info))
        let body = try markdown.render(page.body, file: page.source, firstLine: page.bodyLine, variables: variables)
        let html = templates.render(
            page.template, context: context.mustacheObject(for: info, content: body.html, headings: page.showTOC ? body.headings : []))
        let object = OutputObject(key: key ?? URLPath.key(for: page.route), data: Data(html.utf8), kind: .page, source: page.source)
        return RenderedPage(object: object, warnings: body.warnings)
    }

    /// Everything a page's HTML depends on besides the page itself, as one digest.
    public func renderKey(configText: String) -> String {
        var text = "site render 1\n" + configText + "\n"
        for name in templates.sources.keys.sorted() {
            text += "template \(name)\n" + (templates.sources[name]?.text ?? "") + "\n"
        }
        for asset in templates.assets { text += "asset \(asset.key)\n" }
        if let bundle = context.bundle {
            text += "bundle \(bundle.scripts) \(bundle.styles) \(bundle.modulePreloads)\n"
        }
        return Digest.sha256(Data(text.utf8))
    }

    /// The cache key of one page: the shared key, the page's source and fields, its object key,
    /// and the digest of its source file (or, for a page not read from a file, its body).
    /// Every field is written with its length before it (a text may hold any character), into
    /// one buffer that is hashed once.
    static func cacheKey(_ page: ContentPage, key: String, shared: String) -> String {
        var writer = ByteWriter()
        writer.reserve(400 + page.title.utf8.count + page.description.utf8.count)
        writer.string(shared)
        writer.string(page.source)
        writer.string(key)
        page.encodeFields(into: &writer)
        // A page read from a file is known by the file's digest; any other by its body.
        writer.optional(page.sourceDigest.isEmpty ? nil : page.sourceDigest)
        if page.sourceDigest.isEmpty { writer.string(page.body) }
        return Digest.sha256(writer.buffer)
    }

    /// Renders every page, in parallel, keeping the input order. Collects all errors. Pages found
    /// in `cache` under the same key are not rendered again; the caller stores the others once
    /// they are checked.
    ///
    /// `finish` runs on each page rendered here (not on those from the cache) right after it is
    /// rendered, on the same core: the build checks and strips it there, so that no page's
    /// unfinished HTML waits in memory for the others.
    public func render(
        _ pages: [ContentPage], keys: [String: String] = [:], cache: (any PageCache)? = nil, sharedKey: String = "",
        finish: @Sendable (RenderedPage, ContentPage) -> RenderedPage = { rendered, _ in rendered }
    ) throws(DiagnosticError) -> [RenderedPage] {
        try render(
            pages, bodies: nil, unread: [], loadBody: { $0.body }, keys: keys, cache: cache, sharedKey: sharedKey, finish: finish)
    }

    /// ``render(_:keys:cache:sharedKey:finish:)``, leaving `pages` without their Markdown bodies:
    /// each body is let go as soon as its page is rendered, so the Markdown of the whole site and
    /// its HTML are never in memory together. Pages whose source is in `unread` came without their
    /// body (from the content cache): `loadBody` reads it when the page must be rendered.
    public func render(
        releasingBodiesOf pages: inout [ContentPage], unread: Set<String> = [],
        loadBody: @Sendable (ContentPage) throws(DiagnosticError) -> String = { $0.body }, keys: [String: String] = [:],
        cache: (any PageCache)? = nil, sharedKey: String = "",
        finish: @Sendable (RenderedPage, ContentPage) -> RenderedPage = { rendered, _ in rendered }
    ) throws(DiagnosticError) -> [RenderedPage] {
        let bodies = TakeOnce(pages.map(\.body))
        // Only bodies there are: setting a field copies the page's fields when they are shared.
        for index in pages.indices where !pages[index].body.isEmpty { pages[index].body = "" }
        return try render(
            pages, bodies: bodies, unread: unread, loadBody: loadBody, keys: keys, cache: cache, sharedKey: sharedKey, finish: finish)
    }

    private func render(
        _ pages: [ContentPage], bodies: TakeOnce<String>?, unread: Set<String>,
        loadBody: @Sendable (ContentPage) throws(DiagnosticError) -> String, keys: [String: String],
        cache: (any PageCache)?, sharedKey: String, finish: @Sendable (RenderedPage, ContentPage) -> RenderedPage
    ) throws(DiagnosticError) -> [RenderedPage] {
        let results = Parallel.map(Array(pages.indices)) { index in
            var page = pages[index]
            if let body = bodies?.take(index), !body.isEmpty { page.body = body }
            return Result { () throws(DiagnosticError) -> RenderedPage in
                let objectKey = keys[page.route] ?? URLPath.key(for: page.route)
                var cacheKey: String?
                if let cache {
                    let key = Self.cacheKey(page, key: objectKey, shared: sharedKey)
                    if let hit = cache.page(for: key) {
                        let object = OutputObject(key: objectKey, data: hit.html, kind: .page, source: page.source, digests: hit.digests)
                        return RenderedPage(object: object, warnings: hit.warnings, summary: hit.summary, fromCache: true)
                    }
                    cacheKey = key
                }
                if unread.contains(page.source) { page.body = try loadBody(page) }
                var rendered = try render(page, key: objectKey)
                rendered.cacheKey = cacheKey
                return finish(rendered, page)
            }
        }
        // When a page fails (or has an error among its findings), the error lists every page's
        // findings, warnings too.
        let failed = results.contains { result in
            switch result {
            case .success(let page): page.warnings.contains { $0.severity == .error }
            case .failure: true
            }
        }
        if failed {
            var bag = DiagnosticBag()
            for result in results {
                switch result {
                case .success(let page): bag.append(contentsOf: page.warnings)
                case .failure(let error): bag.append(contentsOf: error.diagnostics)
                }
            }
            try bag.throwIfErrors()
        }
        var rendered: [RenderedPage] = []
        rendered.reserveCapacity(results.count)
        for case .success(let page) in results { rendered.append(page) }
        return rendered
    }

    /// The SPA shell, `index.html`.
    public func renderShell() -> OutputObject {
        let spa = config.spa
        let info = TemplateContext.PageInfo(
            title: spa?.title.isEmpty == false ? spa?.title ?? config.site.name : config.site.name,
            description: spa?.description ?? "", route: "/")
        let html = templates.render("spa", context: context.mustacheObject(for: info))
        return OutputObject(key: "index.html", data: Data(html.utf8), kind: .shell, source: templates.file(of: "spa"))
    }

    /// The page for unknown URLs, `404.html`.
    public func renderNotFound() -> OutputObject {
        let info = TemplateContext.PageInfo(
            title: "Page not found", description: "The page you asked for does not exist.", route: "/404.html")
        let html = templates.render("404", context: context.mustacheObject(for: info))
        return OutputObject(key: "404.html", data: Data(html.utf8), kind: .page, source: templates.file(of: "404"))
    }

    /// `sitemap.xml`: the shell and every page, with `lastmod` from front matter (never the clock).
    public func renderSitemap(pages: [ContentPage]) -> OutputObject {
        var entries: [(String, String?)] = []
        if config.spa != nil { entries.append(("/", nil)) }
        for page in pages { entries.append((page.route, page.updatedDate ?? page.effectiveDate)) }
        var xml: [UInt8] = []
        xml.reserveCapacity(100 + entries.count * (90 + config.site.baseURL.utf8.count))
        xml += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".utf8
        xml += "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n".utf8
        let baseURL = XMLText.escape(config.site.baseURL)
        for (route, lastmod) in entries.sorted(by: { $0.0 < $1.0 }) {
            xml += "  <url>\n    <loc>".utf8
            xml += baseURL.utf8
            xml += XMLText.escape(route).utf8
            xml += "</loc>\n".utf8
            if let lastmod {
                xml += "    <lastmod>".utf8
                xml += lastmod.utf8
                xml += "</lastmod>\n".utf8
            }
            xml += "  </url>\n".utf8
        }
        xml += "</urlset>\n".utf8
        return OutputObject(key: "sitemap.xml", data: Data(xml), kind: .other, source: config.file)
    }

    /// `robots.txt`: everything may be crawled except the API, and where the sitemap is.
    public func renderRobots() -> OutputObject {
        var text = "User-agent: *\n"
        if let api = config.api { text += "Disallow: \(api.pathPattern.path)\n" }
        text += "Disallow: /\(Manifest.reservedPrefix)\n"
        text += "Allow: /\n\nSitemap: \(config.site.baseURL)/sitemap.xml\n"
        return OutputObject(key: "robots.txt", data: Data(text.utf8), kind: .other, source: config.file)
    }
}
