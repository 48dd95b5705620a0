import Foundation

/// A whole build as a list of named steps (``BuildStep``), from `site.yml` to the objects and
/// manifest of `dist/`.
///
/// The steps read through a ``FileSystem`` and fill a ``BuildContext``; only a step named for it
/// (``BuildStep/writeOutput(to:known:spare:)``) writes anything.
public struct BuildPipeline: Sendable {
    /// What a build needs to know besides the files.
    public struct Options: Sendable {
        /// The config file, relative to the project root.
        public var configPath: String = "site.yml"
        /// The environment to build (`--env`); nil: the config's `default_environment`.
        public var environment: String?
        /// Build the pages whose front matter says `draft: true` too; off, they are left out.
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

        /// Options for the config file at `configPath`, without a page cache or content cache.
        public init(configPath: String = "site.yml", includeDrafts: Bool = false, strict: Bool = false) {
            self.configPath = configPath
            self.includeDrafts = includeDrafts
            self.strict = strict
        }
    }

    /// Everything a build produced.
    public struct Result: Sendable {
        /// The config the build read.
        public var config: SiteConfig
        /// The content pages, sorted by route; drafts only when they were asked for.
        public var pages: [ContentPage]
        /// Every file of the output but the manifest, sorted by key.
        public var objects: [OutputObject]
        /// Every object with its size, digests and headers, and the routing table.
        public var manifest: Manifest
        /// The manifest's bytes, as `_site/manifest.json` holds them.
        public var manifestData: Data
        /// The warnings of every step, sorted.
        public var warnings: [Diagnostic]
        /// What the page checks looked at.
        public var check: SiteChecker.Report
    }

    /// What a build does, in order: every step from `site.yml` to the manifest. `site build`
    /// writes the output after these; `check`, `plan-infra` and `serve` run them with their own
    /// steps after.
    public static let steps: [BuildStep] = [
        .loadConfig, .loadContent, .loadTemplates, .readBundle, .planRoutes, .checkTemplates, .renderPages, .renderGeneratedFiles,
        .copyFiles, .checkPages, .assignKinds, .buildManifest, .storeRenderedPages,
    ]

    /// What the build was asked to do.
    public var options: Options

    /// A build with `options`.
    public init(options: Options = Options()) {
        self.options = options
    }

    /// Runs ``steps``; `progress` is told each step's number, the count and its name as it starts.
    public func run(
        fileSystem: some FileSystem, progress: (Int, Int, String) -> Void = { _, _, _ in }
    ) throws(DiagnosticError) -> Result {
        try run(Self.steps, fileSystem: fileSystem, progress: progress).result()
    }

    /// Runs `steps` in order over one context, and gives the context they filled. The errors of a
    /// step that fails carry its name (``DiagnosticError/step``); the steps after it do not run.
    public func run(
        _ steps: [BuildStep], fileSystem: some FileSystem, progress: (Int, Int, String) -> Void = { _, _, _ in }
    ) throws(DiagnosticError) -> BuildContext {
        var context = BuildContext(options: options, fileSystem: fileSystem)
        for (index, step) in steps.enumerated() {
            progress(index + 1, steps.count, step.name)
            do throws(DiagnosticError) {
                try step.run(&context)
            } catch {
                var failure = error
                failure.step = step.name
                throw failure
            }
        }
        return context
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
    static func check(
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
    static func copies(
        templates: TemplateSet, bundle: SPABundle?, staticFiles: [StaticFile], fileSystem: some FileSystem
    ) throws(DiagnosticError) -> [OutputObject] {
        var objects = templates.assets.map { OutputObject(key: $0.key, data: $0.data, kind: .asset, source: $0.source) }
        var sources: [(key: String, source: String, kind: ObjectKind)] = []
        for file in bundle?.files ?? [] { sources.append((file.key, file.source, file.fingerprinted ? .asset : .other)) }
        for file in staticFiles { sources.append((file.key, file.source, .other)) }
        let read = Parallel.map(sources) { entry -> Swift.Result<OutputObject, FileSystemError> in
            do throws(FileSystemError) {
                return .success(
                    OutputObject(key: entry.key, data: try fileSystem.read(entry.source), kind: entry.kind, source: entry.source))
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
