import Foundation

/// What a build knows so far: its options and file system, and what each step has made.
///
/// Each ``BuildStep`` reads the fields of the steps before it and fills its own. A field a step
/// needs that no earlier step filled is an error naming both (``needed(_:_:)``), never a crash.
public struct BuildContext: Sendable {
    /// What the build was asked to do.
    public var options: BuildPipeline.Options
    /// Where every input is read from.
    public let fileSystem: any FileSystem

    /// The text of `site.yml` (also part of every rendered page's cache key).
    public var configText = ""
    /// The parsed config (Load config).
    public var config: SiteConfig?
    /// The pages and static files under `content/` (Load content).
    public var content: ContentLoader.Result?
    /// The templates and theme assets (Load templates).
    public var templates: TemplateSet?
    /// The app bundle, when `spa:` is configured (Read app bundle).
    public var bundle: SPABundle?
    /// Every path the site answers and the object behind it (Plan routes).
    public var plan: Router.Plan?
    /// Renders pages and generated files (Check templates).
    public var renderer: SiteRenderer?
    /// What the template check found that is not an error.
    public var templateFindings: [Diagnostic] = []
    /// Checks pages as they are rendered and again once all are (Render pages).
    public var checker: SiteChecker?
    /// The URL path of each object key, the first route that names it.
    public var paths: [String: String] = [:]
    /// The content pages rendered or taken from the cache, in the order of `content.pages`.
    public var pages: [SiteRenderer.RenderedPage] = []
    /// Every file of the output but the manifest: pages first, then generated and copied files;
    /// sorted by key once the manifest is built.
    public var objects: [OutputObject] = []
    /// What the page checks looked at (Check pages).
    public var report: SiteChecker.Report?
    /// The warnings of every step, sorted once the pages are checked.
    public var warnings: [Diagnostic] = []
    /// The manifest and its bytes as written (Build manifest).
    public var manifest: Manifest?
    /// The manifest's bytes, as the output folder and the publish plan hold them.
    public var manifestData = Data()
    /// What the output folder holds once written (Write output).
    public var written: WrittenFiles?
    /// The S3 and CloudFront plan (`site plan-infra`).
    public var infra: PlannedInfra?

    /// A context for a build with `options`, reading from `fileSystem`.
    public init(options: BuildPipeline.Options, fileSystem: any FileSystem) {
        self.options = options
        self.fileSystem = fileSystem
    }

    /// `value`, or an error saying that `what` is made by a step that has not run: a list of
    /// steps in the wrong order.
    public func needed<Value>(_ value: Value?, _ what: String) throws(DiagnosticError) -> Value {
        guard let value else {
            throw DiagnosticError(
                .error(
                    SourceLocation(file: options.configPath), "the build has no \(what) yet",
                    hint: "a step that makes it must come earlier in the list of build steps"))
        }
        return value
    }

    /// What the build produced, once the manifest is built.
    public func result() throws(DiagnosticError) -> BuildPipeline.Result {
        BuildPipeline.Result(
            config: try needed(config, "config"), pages: try needed(content, "content").pages, objects: objects,
            manifest: try needed(manifest, "manifest"), manifestData: manifestData, warnings: warnings,
            check: try needed(report, "page check report"))
    }
}
