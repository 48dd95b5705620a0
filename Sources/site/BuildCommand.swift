import ArgumentParser
import Foundation
import SiteKit

extension DiagnosticRenderer.Format: ExpressibleByArgument {}

/// `site build`: renders the site into `dist/`.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Render pages, the SPA shell, sitemap and manifest into the output folder.",
        discussion: """
            Reads site.yml, the Markdown under content/, the templates and the app bundle, and writes \
            everything to a fresh output folder that replaces the old one only when the build succeeds.
            Exit status: 0 built, 1 the input has errors (listed as file:line:col), 2 bad arguments.
            """
    )

    @OptionGroup var projectOptions: ProjectOptions

    @Option(
        name: .long,
        help: ArgumentHelp("The output folder (default: dist in the project root, dist/<env> with environments).", valueName: "dir"))
    var out: String?

    @Flag(name: .long, help: "Include pages marked draft: true.")
    var drafts = false

    @OptionGroup var reporting: ReportingOptions

    @Flag(name: .long, help: "Ignore and rebuild the cache in .site-cache (render every page).")
    var noCache = false

    func run() throws {
        let project = projectOptions.location
        let console = reporting.console(for: project)
        var options = IncrementalBuild.Options(
            projectRoot: project.root, output: out.map { URL(fileURLWithPath: $0) } ?? project.folders.dist)
        options.configName = project.configName
        options.environment = project.environment
        options.includeDrafts = drafts
        options.strict = reporting.strict
        options.usesCache = !noCache
        options.version = CacheFolder.version(release: SiteCommand.version)
        do throws(DiagnosticError) {
            let outcome = try IncrementalBuild(options: options).run(progress: console.progress)
            KeptUntilExit.keep(outcome)
            console.report(outcome.warnings)
            let elapsed = console.elapsed
            guard let result = outcome.result else {
                return console.line("Up to date: no input changed since the last build (\(elapsed)) -> \(options.output.path)")
            }
            let pages = result.objects.filter { $0.kind == .page || $0.kind == .shell }.count
            let bytes = result.manifest.totalBytes + result.manifestData.count
            console.line("Built \(pages) pages, \(result.objects.count + 1) files, \(bytes) bytes in \(elapsed) -> \(options.output.path)")
        } catch {
            throw console.failure(error)
        }
    }
}
