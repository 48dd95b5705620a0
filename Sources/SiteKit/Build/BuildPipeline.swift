import Foundation

/// A whole build as a list of named steps, from `site.yml` to the objects and manifest of `dist/`.
///
/// The pipeline reads through a ``FileSystem`` and returns values; it writes nothing. The caller
/// writes the result with ``OutputWriter``.
public struct BuildPipeline: Sendable {
    /// What a build needs to know besides the files.
    public struct Options: Sendable {
        /// The config file, relative to the project root.
        public var configPath: String = "site.yml"
        public var includeDrafts: Bool = false
        /// Treat warnings as errors.
        public var strict: Bool = false
        /// Rendered pages of earlier builds (nil: render everything).
        public var pageCache: (any PageCache)?
        /// Front matter of earlier builds, for files whose digest `knownDigests` gives.
        public var contentCache: (any ContentCache)?
        /// SHA-256 of input files known to be unchanged since they were hashed, by path.
        public var knownDigests: [String: String] = [:]
        /// Gather the links to other sites with their source lines, for `site check` to list
        /// (``SiteChecker/Report/externalLinks``); a build does not list them and skips the work.
        public var listsExternalLinks = true

        public init(configPath: String = "site.yml", includeDrafts: Bool = false, strict: Bool = false) {
            self.configPath = configPath
            self.includeDrafts = includeDrafts
            self.strict = strict
        }
    }

    /// Everything a build produced.
    public struct Result: Sendable {
        public var config: SiteConfig
        public var pages: [ContentPage]
        public var objects: [OutputObject]
        public var manifest: Manifest
        public var manifestData: Data
        public var warnings: [Diagnostic]
        /// What the page checks looked at.
        public var check: SiteChecker.Report
    }

    /// The step names, in order, as progress shows them.
    public static let steps = [
        "Load config", "Load content", "Load templates", "Read app bundle", "Plan routes", "Render pages", "Check pages",
        "Build manifest",
    ]

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Runs every step; `progress` is told each step's number and name as it starts.
    public func run(
        fileSystem: some FileSystem, progress: (Int, Int, String) -> Void = { _, _, _ in }
    ) throws(DiagnosticError) -> Result {
        var step = 0
        func begin() {
            progress(step + 1, Self.steps.count + 1, Self.steps[step])
            step += 1
        }

        begin()
        // Read once: parsed here, and part of the key of cached pages below.
        let configText = try fileSystem.readText(options.configPath)
        let config = try ConfigLoader.parse(configText, file: options.configPath)

        begin()
        var content = try ContentLoader.load(
            config: config, from: fileSystem, includeDrafts: options.includeDrafts, cache: options.contentCache,
            known: options.knownDigests)

        begin()
        let templates = try TemplateSet.load(directory: config.content.templates, from: fileSystem)

        begin()
        let bundle: SPABundle? =
            if let spa = config.spa { try SPABundle.load(spa, config: config, from: fileSystem) } else { nil }

        begin()
        let plan = try Router.plan(
            config: config, pages: content.pages, staticFiles: content.staticFiles, assets: templates.assets, bundle: bundle)

        begin()
        let renderer = SiteRenderer(config: config, templates: templates, context: TemplateContext(config: config, assets: templates.assets, bundle: bundle))
        let templateFindings = renderer.checkTemplates(pages: content.pages)
        if templateFindings.contains(where: { $0.severity == .error }) { throw DiagnosticError(templateFindings) }
        var pathByKey: [String: String] = [:]
        for entry in plan.table.entries where pathByKey[entry.key] == nil { pathByKey[entry.key] = entry.path }
        let paths = pathByKey
        // Bodies are let go as pages are rendered; a link finding that needs one reads it again.
        let checker = SiteChecker(
            routes: plan.table, templates: templates, baseURL: config.site.baseURL, listsExternalLinks: options.listsExternalLinks
        ) { page in
            try? Self.body(of: page, from: fileSystem)
        }
        var pages = try renderer.render(
            releasingBodiesOf: &content.pages, unread: content.unread,
            loadBody: { page throws(DiagnosticError) in try Self.body(of: page, from: fileSystem) }, keys: plan.pageKeys,
            cache: options.pageCache, sharedKey: renderer.renderKey(configText: configText)
        ) { rendered, page in
            // The checks' first pass needs the source positions; the published page does not.
            var finished = rendered
            let key = rendered.object.key
            finished.summary = checker.summarize(
                SiteChecker.Page(
                    key: key, kind: .page, path: paths[key] ?? "/" + key, data: rendered.object.data, content: page,
                    template: page.template))
            finished.object.data = HTMLPostProcessor.stripSourcePositions(rendered.object.data)
            return finished
        }
        var objects = pages.map(\.object)
        objects.append(renderer.renderNotFound())
        objects.append(renderer.renderSitemap(pages: content.pages))
        objects.append(renderer.renderRobots())
        if bundle != nil { objects.append(renderer.renderShell()) }
        objects += try copies(templates: templates, bundle: bundle, staticFiles: content.staticFiles, fileSystem: fileSystem)

        begin()
        // The first objects are the rendered pages', in order: what is known of each is found by position.
        let summaries = pages.map(\.summary)
        let report = check(objects: objects, pages: content.pages, plan: plan, paths: paths, checker: checker, summaries: summaries)
        var findings = report.diagnostics + RouteLint.check(config: config, routes: plan.table, pages: content.pages)
        // A page from the cache was scanned when it was stored: a build with a secret never saves its cache.
        let scanned = objects.indices.lazy.filter { $0 >= pages.count || !pages[$0].fromCache }.map { objects[$0] }
        let shared = templates.sources.values.sorted { $0.file < $1.file }.map { ($0.file, $0.text) } + [(options.configPath, configText)]
        findings += SecretScanner.scan(Array(scanned), fileSystem: fileSystem, sharedSources: shared)
        findings += pages.flatMap(\.warnings) + templateFindings
        if options.strict {
            findings = findings.map { Diagnostic(.error, at: $0.location, $0.message, hint: $0.hint) }
        }
        if findings.contains(where: { $0.severity == .error }) { throw DiagnosticError(findings) }

        begin()
        // Content pages are rendered as pages and claimed as pages: only the other claims can change a kind.
        // (By index: a claim is not copied to read its kind.)
        var kinds: [String: ObjectKind] = [:]
        for index in plan.claims.indices where plan.claims[index].kind != .page && kinds[plan.claims[index].key] == nil {
            kinds[plan.claims[index].key] = plan.claims[index].kind
        }
        for index in objects.indices {
            // Set only when it differs: an object shares its fields with the rendered page until changed.
            if let kind = kinds[objects[index].key], kind != objects[index].kind { objects[index].kind = kind }
        }
        // In key order, as the manifest lists them: the manifest's objects are then these, one for one.
        objects = objects.sortedByKey()
        let manifest = Manifest(objects: objects, routes: plan.table, baseURL: config.site.baseURL, cache: config.cache)
        // Every object carries the digests the manifest computed: the output's record lists them,
        // so that the next build can trust an unchanged file without reading it back.
        for index in objects.indices where objects[index].digests == nil {
            let described = manifest.objects[index]
            // (An object without digests is written and left out of the output's record.)
            guard described.key == objects[index].key else { continue }
            objects[index].digests = OutputObject.Digests(sha256: described.sha256, md5: described.md5)
        }
        // Pages rendered now go into the cache with the digests the manifest computed. Their
        // source positions are gone already: stripped right after rendering.
        if let cache = options.pageCache {
            // Only pages rendered now are stored (after a one-page change, one): the lookups
            // below hold just those.
            var stored: [String: Int] = [:]
            for index in pages.indices where pages[index].cacheKey != nil {
                let key = pages[index].object.key
                if stored[key] == nil { stored[key] = index }
            }
            var summaries: [String: SiteChecker.PageSummary] = [:]
            summaries.reserveCapacity(stored.count)
            for (key, summary) in zip(report.checkedKeys, report.summaries) where stored[key] != nil && summaries[key] == nil {
                summaries[key] = summary
            }
            var published: [String: (html: Data, digests: OutputObject.Digests?)] = [:]
            published.reserveCapacity(stored.count)
            for object in objects where stored[object.key] != nil && published[object.key] == nil {
                published[object.key] = (object.data, object.digests)
            }
            for (key, index) in stored {
                guard let cacheKey = pages[index].cacheKey, let summary = summaries[key], let (html, digests) = published[key], let digests
                else { continue }
                cache.store(CachedPage(html: html, warnings: pages[index].warnings, summary: summary, digests: digests), for: cacheKey)
            }
        }
        pages = []
        let manifestData: Data
        do {
            manifestData = try manifest.encoded()
        } catch {
            throw DiagnosticError(.error(SourceLocation(file: Manifest.key), "cannot encode the manifest: \(error)"))
        }
        return Result(
            config: config, pages: content.pages, objects: objects, manifest: manifest,
            manifestData: manifestData, warnings: findings.sorted(), check: report)
    }

    /// The Markdown body of a page whose body was not kept (it came from the content cache, or
    /// was let go after rendering), read again and refused if the file changed since it was loaded.
    static func body(of page: ContentPage, from fileSystem: some FileSystem) throws(DiagnosticError) -> String {
        let data: Data
        do throws(FileSystemError) {
            data = try fileSystem.read(page.source)
        } catch {
            throw DiagnosticError(error.diagnostic)
        }
        guard Digest.sha256(data) == page.sourceDigest else {
            throw DiagnosticError(
                .error(SourceLocation(file: page.source), "the file changed while the site was being built", hint: "run the build again"))
        }
        return try FrontMatter.split(TextDecoding.text(data, path: page.source), file: page.source).body
    }

    /// Checks every HTML object: structure, links, fragments. Pages with a summary (checked when
    /// rendered, or from the cache) are not parsed again.
    private func check(
        objects: [OutputObject], pages: [ContentPage], plan: Router.Plan, paths: [String: String], checker: SiteChecker,
        summaries: [SiteChecker.PageSummary?]
    ) -> SiteChecker.Report {
        // The first objects are the content pages' own, in order (keys are unique, or the routes
        // would have failed): each finds its page by position; the rest (404, shell) have none.
        let indices = objects.indices.filter { objects[$0].kind == .page || objects[$0].kind == .shell }
        let checked = Parallel.map(indices) { index in
            let object = objects[index]
            let content: ContentPage? =
                index < pages.count && (plan.pageKeys[pages[index].route] ?? URLPath.key(for: pages[index].route)) == object.key
                ? pages[index] : nil
            let template = content?.template ?? (object.kind == .shell ? "spa" : "404")
            return SiteChecker.Page(
                key: object.key, kind: object.kind, path: paths[object.key] ?? "/" + object.key,
                data: object.data, content: content, template: template,
                summary: index < summaries.count ? summaries[index] : nil)
        }
        return checker.check(checked)
    }

    /// Theme assets, bundle files and content files, read as they are.
    private func copies(
        templates: TemplateSet, bundle: SPABundle?, staticFiles: [StaticFile], fileSystem: some FileSystem
    ) throws(DiagnosticError) -> [OutputObject] {
        var objects = templates.assets.map { OutputObject(key: $0.key, data: $0.data, kind: .asset, source: $0.source) }
        var sources: [(key: String, source: String, kind: ObjectKind)] = []
        for file in bundle?.files ?? [] { sources.append((file.key, file.source, file.fingerprinted ? .asset : .other)) }
        for file in staticFiles { sources.append((file.key, file.source, .other)) }
        let read = Parallel.map(sources) { entry -> Swift.Result<OutputObject, FileSystemError> in
            do throws(FileSystemError) {
                return .success(OutputObject(key: entry.key, data: try fileSystem.read(entry.source), kind: entry.kind, source: entry.source))
            } catch {
                return .failure(error)
            }
        }
        var bag = DiagnosticBag()
        for result in read {
            switch result {
            case .success(let object): objects.append(object)
            case .failure(let error): bag.append(error.diagnostic)
            }
        }
        try bag.throwIfErrors()
        return objects
    }
}
