import ArgumentParser
import Foundation
import SiteKit

/// `site check`: every check of a build, without writing anything.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check config, content, templates, routes and pages without writing the output folder.",
        discussion: """
            Runs the same stages and checks as build, for CI and editors. Findings are printed as \
            file:line:col: error|warning: message, all at once and sorted.
            Exit status: 0 no errors, 1 errors (or warnings with --strict), 2 bad arguments.
            """
    )

    @OptionGroup var projectOptions: ProjectOptions

    @Flag(name: .long, help: "Include pages marked draft: true.")
    var drafts = false

    @Flag(name: .long, help: "List the external links found (they are never fetched).")
    var external = false

    @OptionGroup var reporting: ReportingOptions

    func run() throws {
        let project = projectOptions.location
        let console = reporting.console(for: project)
        let pipeline = BuildPipeline(options: project.buildOptions(includeDrafts: drafts, strict: reporting.strict))
        do throws(DiagnosticError) {
            let context = try pipeline.run(BuildPipeline.steps + [.checkDeployment], fileSystem: DiskFileSystem(root: project.root))
            KeptUntilExit.keep(context)
            let report = try context.needed(context.report, "page check report")
            console.report(context.warnings)
            if external {
                for link in report.externalLinks {
                    console.line("\(project.displayPrefix)\(DiagnosticRenderer.position(link.location)): external: \(link.url)")
                }
            }
            let environment = context.config?.environment.map { " of \($0)" } ?? ""
            console.line(
                "Checked \(report.pagesChecked) pages\(environment), \(report.linksChecked) links (\(report.externalLinks.count) external, not fetched) in \(console.elapsed): \(DiagnosticRenderer.summary(context.warnings))"
            )
        } catch {
            throw console.failure(error)
        }
    }
}
