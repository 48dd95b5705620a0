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

    @Option(name: .long, help: ArgumentHelp("The config file; its folder is the project root.", valueName: "path"))
    var config = "site.yml"

    @Option(name: .long, help: ArgumentHelp("The output folder (default: infra in the project root).", valueName: "dir"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("The manifest of the last deploy (from previous-manifest.sh); missing or absent means the first deploy.", valueName: "file"))
    var previous: String?

    @Flag(name: .long, help: "Allow a deploy that deletes more than infra.max_deletes objects, or every object.")
    var allowMassDelete = false

    @OptionGroup var reporting: ReportingOptions

    func run() throws {
        let start = DispatchTime.now()
        let project = ProjectLocation(configPath: config)
        let console = Console(quiet: reporting.quiet, format: reporting.format, pathPrefix: project.displayPrefix)
        let outputURL = out.map { URL(fileURLWithPath: $0) } ?? project.root.appendingPathComponent("infra")
        do throws(DiagnosticError) {
            var options = BuildPipeline.Options(configPath: project.configName, strict: reporting.strict)
            options.listsExternalLinks = false
            let result = try BuildPipeline(options: options).run(fileSystem: DiskFileSystem(root: project.root))
            KeptUntilExit.keep(result)
            let notFound = result.objects.first { $0.key == result.manifest.routes.notFound }
                .map { String(decoding: $0.data, as: UTF8.self) }
            let planner = try InfraPlanner(config: result.config, manifest: result.manifest, notFoundPage: notFound)
            let previousManifest = try readPrevious()
            let publish: PublishPlan
            do {
                publish = try PublishPlanner.plan(
                    current: result.manifest, previous: previousManifest, settings: result.config.infra,
                    allowMassDelete: allowMassDelete, store: planner.routeStore)
            } catch {
                throw DiagnosticError(.error(SourceLocation(file: previous ?? result.config.file), error.message, hint: error.hint))
            }
            var files: [String: Data]
            do {
                files = try planner.files()
                let dist = Self.relativePath(from: outputURL, to: project.root.appendingPathComponent("dist"))
                files.merge(
                    try PublishFiles.files(for: publish, dist: dist, encoded: (result.manifest, result.manifestData))
                ) { first, _ in first }
            } catch {
                throw DiagnosticError(.error(SourceLocation(file: outputURL.path), "cannot encode the plan: \(error)"))
            }
            KeptUntilExit.keep((publish, files, planner))
            try OutputWriter.write(
                files: files, executable: [InfraLayout.deployScript, InfraLayout.previousManifestScript], to: outputURL)
            console.report(result.warnings)
            let milliseconds = (DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000
            console.line("Publish plan: \(publish.summary)")
            console.line("Planned \(files.count) files for bucket \(planner.names.bucket) in \(milliseconds) ms -> \(outputURL.path)")
        } catch {
            console.report(error.diagnostics)
            throw BuildFailure()
        }
    }

    /// The previous deploy's manifest; none when no file was named or it does not exist.
    func readPrevious() throws(DiagnosticError) -> Manifest? {
        guard let previous, FileManager.default.fileExists(atPath: previous) else { return nil }
        let data: Data
        do {
            data = try DiskFileSystem.readFile(atPath: previous)
        } catch {
            throw DiagnosticError(error.diagnostic)
        }
        do {
            return try Manifest.decode(data)
        } catch {
            throw DiagnosticError(
                .error(
                    SourceLocation(file: previous), "not a site manifest: \(error)",
                    hint: "pass the file previous-manifest.sh downloaded, or nothing for a first deploy"))
        }
    }

    /// `to` relative to the folder `from` (`../dist` for infra/ and dist/ side by side).
    static func relativePath(from: URL, to: URL) -> String {
        let base = from.standardizedFileURL.pathComponents
        let target = to.standardizedFileURL.pathComponents
        var common = 0
        while common < min(base.count, target.count), base[common] == target[common] { common += 1 }
        let ups = Array(repeating: "..", count: base.count - common)
        return (ups + target[common...]).joined(separator: "/")
    }
}
