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

    @Option(name: .long, help: ArgumentHelp("The config file; its folder is the project root.", valueName: "path"))
    var config = "site.yml"

    @Option(name: .long, help: ArgumentHelp("The output folder (default: dist in the project root).", valueName: "dir"))
    var out: String?

    @Flag(name: .long, help: "Include pages marked draft: true.")
    var drafts = false

    @OptionGroup var reporting: ReportingOptions

    func run() throws {
        let start = DispatchTime.now()
        let project = ProjectLocation(configPath: config)
        let console = Console(quiet: reporting.quiet, format: reporting.format, pathPrefix: project.displayPrefix)
        let fileSystem = DiskFileSystem(root: project.root)
        let pipeline = BuildPipeline(
            options: .init(configPath: project.configName, includeDrafts: drafts, strict: reporting.strict))
        let outputURL = out.map { URL(fileURLWithPath: $0) } ?? project.root.appendingPathComponent("dist")
        do {
            let result = try pipeline.run(fileSystem: fileSystem, progress: console.progress)
            console.progress(BuildPipeline.steps.count + 1, BuildPipeline.steps.count + 1, "Write \(outputURL.lastPathComponent)")
            try OutputWriter.write(objects: result.objects, manifest: result.manifestData, to: outputURL)
            console.report(result.warnings)
            let milliseconds = (DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000
            let pages = result.objects.filter { $0.kind == .page || $0.kind == .shell }.count
            console.line(
                "Built \(pages) pages, \(result.objects.count + 1) files, \(result.manifest.totalBytes + result.manifestData.count) bytes in \(milliseconds) ms -> \(outputURL.path)")
        } catch {
            console.report(error.diagnostics)
            throw BuildFailure()
        }
    }
}
