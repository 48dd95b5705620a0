import Foundation

/// The steps of a build, each in the order ``BuildPipeline/steps`` runs them.
extension BuildStep {
    /// Reads `site.yml` once: parsed here, and part of the key of every cached page.
    public static let loadConfig = BuildStep("Load config") { context throws(DiagnosticError) in
        context.configText = try context.fileSystem.readText(context.options.configPath)
        context.config = try ConfigLoader.parse(
            context.configText, file: context.options.configPath, environment: context.options.environment)
    }

    /// Reads every page's front matter and finds the files to copy as they are.
    public static let loadContent = BuildStep("Load content") { context throws(DiagnosticError) in
        context.content = try ContentLoader.load(
            config: try context.needed(context.config, "config"), from: context.fileSystem, includeDrafts: context.options.includeDrafts,
            cache: context.options.contentCache, known: context.options.knownDigests)
    }

    /// Parses every template and reads the theme's assets.
    public static let loadTemplates = BuildStep("Load templates") { context throws(DiagnosticError) in
        let config = try context.needed(context.config, "config")
        context.templates = try TemplateSet.load(directory: config.content.templates, from: context.fileSystem)
    }

    /// Reads the app bundle's files and its `index.html`, when `spa:` is configured.
    public static let readBundle = BuildStep("Read app bundle") { context throws(DiagnosticError) in
        let config = try context.needed(context.config, "config")
        if let spa = config.spa { context.bundle = try SPABundle.load(spa, config: config, from: context.fileSystem) }
    }

    /// Makes the routing table: every path, the object that answers it, and every redirect.
    public static let planRoutes = BuildStep("Plan routes") { context throws(DiagnosticError) in
        let content = try context.needed(context.content, "content")
        context.plan = try Router.plan(
            config: try context.needed(context.config, "config"), pages: content.pages, staticFiles: content.staticFiles,
            assets: try context.needed(context.templates, "templates").assets, bundle: context.bundle)
        var pathByKey: [String: String] = [:]
        for entry in context.plan?.table.entries ?? [] where pathByKey[entry.key] == nil { pathByKey[entry.key] = entry.path }
        context.paths = pathByKey
    }

    /// Checks that the templates pages name exist and use only names that are defined.
    public static let checkTemplates = BuildStep("Check templates") { context throws(DiagnosticError) in
        let config = try context.needed(context.config, "config")
        let templates = try context.needed(context.templates, "templates")
        let renderer = SiteRenderer(
            config: config, templates: templates, context: TemplateContext(config: config, assets: templates.assets, bundle: context.bundle)
        )
        let findings = renderer.checkTemplates(pages: try context.needed(context.content, "content").pages)
        if findings.contains(where: { $0.severity == .error }) { throw DiagnosticError(findings) }
        context.templateFindings = findings
        context.renderer = renderer
    }

    /// Renders each content page (or takes it from the page cache). Each page is checked on its
    /// own right after it is rendered, while its HTML still carries the source positions that
    /// findings are located by, and published without them: no page's unfinished HTML waits in
    /// memory for the others.
    public static let renderPages = BuildStep("Render pages") { context throws(DiagnosticError) in
        let renderer = try context.needed(context.renderer, "renderer")
        let plan = try context.needed(context.plan, "route plan")
        let fileSystem = context.fileSystem
        let paths = context.paths
        // Bodies are let go as pages are rendered; a link finding that needs one reads it again.
        let checker = SiteChecker(
            routes: plan.table, templates: try context.needed(context.templates, "templates"),
            baseURL: try context.needed(context.config, "config").site.baseURL, listsExternalLinks: context.options.listsExternalLinks
        ) { page in
            try? BuildPipeline.body(of: page, from: fileSystem)
        }
        var content = try context.needed(context.content, "content")
        context.content = nil
        context.pages = try renderer.render(
            releasingBodiesOf: &content.pages, unread: content.unread,
            loadBody: { page throws(DiagnosticError) in try BuildPipeline.body(of: page, from: fileSystem) }, keys: plan.pageKeys,
            cache: context.options.pageCache, sharedKey: renderer.renderKey(configText: context.configText)
        ) { rendered, page in
            var finished = rendered
            let key = rendered.object.key
            finished.summary = checker.summarize(
                SiteChecker.Page(
                    key: key, kind: .page, path: paths[key] ?? "/" + key, data: rendered.object.data, content: page,
                    template: page.template))
            finished.object.data = HTMLPostProcessor.stripSourcePositions(rendered.object.data)
            return finished
        }
        context.content = content
        context.checker = checker
        context.objects = context.pages.map(\.object)
    }

    /// Renders the files made from the site as a whole: the 404 page, the sitemap, robots.txt and
    /// the app's shell.
    public static let renderGeneratedFiles = BuildStep("Render 404, sitemap, robots and shell") { context throws(DiagnosticError) in
        let renderer = try context.needed(context.renderer, "renderer")
        context.objects.append(renderer.renderNotFound())
        context.objects.append(renderer.renderSitemap(pages: try context.needed(context.content, "content").pages))
        context.objects.append(renderer.renderRobots())
        if context.bundle != nil { context.objects.append(renderer.renderShell()) }
    }

    /// Reads the theme's assets, the bundle's files and the content's other files, as they are.
    public static let copyFiles = BuildStep("Copy files") { context throws(DiagnosticError) in
        context.objects += try BuildPipeline.copies(
            templates: try context.needed(context.templates, "templates"), bundle: context.bundle,
            staticFiles: try context.needed(context.content, "content").staticFiles, fileSystem: context.fileSystem)
    }

    /// Checks every page's HTML, links and fragments, the routes, and every file for secrets;
    /// with `strict`, warnings are errors.
    public static let checkPages = BuildStep("Check pages") { context throws(DiagnosticError) in
        let config = try context.needed(context.config, "config")
        let plan = try context.needed(context.plan, "route plan")
        let content = try context.needed(context.content, "content")
        let templates = try context.needed(context.templates, "templates")
        let pages = context.pages
        let objects = context.objects
        let report = BuildPipeline.check(
            objects: objects, pages: content.pages, plan: plan, paths: context.paths,
            checker: try context.needed(context.checker, "checker"),
            summaries: pages.map(\.summary))
        var findings = report.diagnostics + RouteLint.check(config: config, routes: plan.table, pages: content.pages)
        // A page from the cache was scanned when it was stored: a build with a secret never saves its cache.
        let scanned = objects.indices.lazy.filter { $0 >= pages.count || !pages[$0].fromCache }.map { objects[$0] }
        let shared =
            templates.sources.values.sorted { $0.file < $1.file }.map { ($0.file, $0.text) } + [
                (context.options.configPath, context.configText)
            ]
        findings += SecretScanner.scan(Array(scanned), fileSystem: context.fileSystem, sharedSources: shared)
        findings += pages.flatMap(\.warnings) + context.templateFindings
        if config.site.isPending {
            let deployed = ProjectFolders.infraPath(config.environment) + "/" + DeployScript.deployedEnv
            let domain = (try? context.fileSystem.readText(deployed)).flatMap(FirstDeploy.domain(inDeployedEnv:))
            findings += FirstDeploy.findings(config: config, deployedDomain: domain)
        }
        if context.options.strict {
            findings = findings.map { Diagnostic(.error, at: $0.location, $0.message, hint: $0.hint) }
        }
        if findings.contains(where: { $0.severity == .error }) { throw DiagnosticError(findings) }
        context.report = report
        context.warnings = findings.sorted()
    }

    /// Gives each object the kind its route claims (a page may be the 404 page or the shell).
    public static let assignKinds = BuildStep("Assign object kinds") { context throws(DiagnosticError) in
        let plan = try context.needed(context.plan, "route plan")
        // Content pages are rendered as pages and claimed as pages: only the other claims can change a kind.
        // (By index: a claim is not copied to read its kind.)
        var kinds: [String: ObjectKind] = [:]
        for index in plan.claims.indices where plan.claims[index].kind != .page && kinds[plan.claims[index].key] == nil {
            kinds[plan.claims[index].key] = plan.claims[index].kind
        }
        for index in context.objects.indices {
            // Set only when it differs: an object shares its fields with the rendered page until changed.
            if let kind = kinds[context.objects[index].key], kind != context.objects[index].kind { context.objects[index].kind = kind }
        }
    }

    /// Sorts the objects by key and makes the manifest: every object's digests and headers, and
    /// the routing table. Each object keeps the digests the manifest computed, so that the output's
    /// record lists them and the next build trusts an unchanged file without reading it back.
    public static let buildManifest = BuildStep("Build manifest") { context throws(DiagnosticError) in
        let config = try context.needed(context.config, "config")
        // In key order, as the manifest lists them: the manifest's objects are then these, one for one.
        context.objects = context.objects.sortedByKey()
        let manifest = Manifest(
            objects: context.objects, routes: try context.needed(context.plan, "route plan").table, baseURL: config.site.baseURL,
            cache: config.cache)
        for index in context.objects.indices where context.objects[index].digests == nil {
            let described = manifest.objects[index]
            // (An object without digests is written and left out of the output's record.)
            guard described.key == context.objects[index].key else { continue }
            context.objects[index].digests = OutputObject.Digests(sha256: described.sha256, md5: described.md5)
        }
        do {
            context.manifestData = try manifest.encoded()
        } catch {
            throw DiagnosticError(.error(SourceLocation(file: Manifest.key), "cannot encode the manifest: \(error)"))
        }
        context.manifest = manifest
    }

    /// Puts the pages rendered by this build into the page cache, with the digests the manifest
    /// computed and their source positions gone; nothing without a cache.
    public static let storeRenderedPages = BuildStep("Store rendered pages") { context throws(DiagnosticError) in
        defer { context.pages = [] }
        guard let cache = context.options.pageCache else { return }
        let pages = context.pages
        let report = try context.needed(context.report, "page check report")
        // Only pages rendered now are stored (after a one-page change, one): the lookups below hold just those.
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
        for object in context.objects where stored[object.key] != nil && published[object.key] == nil {
            published[object.key] = (object.data, object.digests)
        }
        for (key, index) in stored {
            guard let cacheKey = pages[index].cacheKey, let summary = summaries[key], let (html, digests) = published[key], let digests
            else { continue }
            cache.store(CachedPage(html: html, warnings: pages[index].warnings, summary: summary, digests: digests), for: cacheKey)
        }
    }

    /// Writes the objects and the manifest into the output folder, replacing it at once
    /// (``OutputWriter``); `known` is what the last build wrote there, `spare` where the replaced
    /// output is kept for the next build to start from.
    public static func writeOutput(to folder: URL, known: WrittenFiles? = nil, spare: URL? = nil) -> BuildStep {
        BuildStep("Write \(folder.lastPathComponent)") { context throws(DiagnosticError) in
            context.written = try OutputWriter.write(
                objects: context.objects, manifest: context.manifestData, to: folder, known: known, spare: spare)
        }
    }
}
