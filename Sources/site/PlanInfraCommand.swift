import ArgumentParser
import Foundation
import SiteKit

/// `site plan-infra`: the S3 + CloudFront configuration, the deploy script and the backend's values.
struct PlanInfraCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan-infra",
        abstract: "Write the S3 + CloudFront inputs for the AWS CLI, a deploy script and the API backend's values.",
        discussion: """
            Builds the site in memory (with every check), then writes the plan to the output folder, \
            replacing it only when everything succeeded. See the README for the aws command that \
            consumes each file.
            Exit status: 0 planned, 1 the input has errors, 2 bad arguments.
            """
    )

    @OptionGroup var projectOptions: ProjectOptions

    @Option(
        name: .long,
        help: ArgumentHelp("The output folder (default: infra in the project root, infra/<env> with environments).", valueName: "dir"))
    var out: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The manifest of the last deploy (from previous-manifest.sh); missing or absent means the first deploy.", valueName: "file"))
    var previous: String?

    @Flag(name: .long, help: "Allow a deploy that deletes more than infra.max_deletes objects, or every object.")
    var allowMassDelete = false

    @OptionGroup var reporting: ReportingOptions

    func run() throws {
        let project = projectOptions.location
        let console = reporting.console(for: project)
        let folders = project.folders
        let outputURL = out.map { URL(fileURLWithPath: $0) } ?? folders.infra
        var options = project.buildOptions(strict: reporting.strict)
        options.listsExternalLinks = false
        let steps =
            BuildPipeline.steps + [
                .planInfra(
                    previous: previous, infra: outputURL, dist: folders.dist,
                    allowMassDelete: allowMassDelete),
                .writeInfra(to: outputURL),
            ]
        do throws(DiagnosticError) {
            let context = try BuildPipeline(options: options).run(steps, fileSystem: DiskFileSystem(root: project.root))
            KeptUntilExit.keep(context)
            console.report(context.warnings)
            guard let infra = context.infra else { return }
            console.line("Publish plan: \(infra.publish.summary)")
            console.line("Planned \(infra.files.count) files for bucket \(infra.bucket) in \(console.elapsed) -> \(outputURL.path)")
        } catch {
            throw console.failure(error)
        }
    }
}
