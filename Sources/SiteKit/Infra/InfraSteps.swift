import Foundation

/// What `site plan-infra` made after the build's steps.
public struct PlannedInfra: Sendable {
    /// The files of the infra folder, by path below it.
    public var files: [String: Data]
    /// What the deploy uploads, deletes and invalidates.
    public var publish: PublishPlan
    /// The S3 bucket the plan is for.
    public var bucket: String
}

/// The steps `site check` and `site plan-infra` run after ``BuildPipeline/steps``.
extension BuildStep {
    /// What a deploy would refuse (AWS limits, the host the distribution must answer), as errors.
    public static let checkDeployment = BuildStep("Check AWS limits") { context throws(DiagnosticError) in
        let refusals = InfraPlanner.deploymentFindings(
            config: try context.needed(context.config, "config"), manifest: try context.needed(context.manifest, "manifest"))
        guard refusals.isEmpty else { throw DiagnosticError(context.warnings + refusals) }
    }

    /// Plans the S3 and CloudFront configuration, the deploy script and the backend's values, and
    /// the publish plan against `previous`, the manifest of the last deploy (nil: none, or a file
    /// that does not exist, for a first deploy). The deploy script, in the folder `infra`, finds
    /// the output folder `dist` by its path relative to it.
    public static func planInfra(previous: String?, infra: URL, dist: URL, allowMassDelete: Bool) -> BuildStep {
        let dist = String.relativePath(from: infra.path, to: dist.path)
        return
            BuildStep("Plan infrastructure") { context throws(DiagnosticError) in
                let config = try context.needed(context.config, "config")
                let manifest = try context.needed(context.manifest, "manifest")
                let notFound = context.objects.first { $0.key == manifest.routes.notFound }.map { String(decoding: $0.data, as: UTF8.self) }
                let planner = try InfraPlanner(config: config, manifest: manifest, notFoundPage: notFound)
                let previousManifest = try readManifest(previous)
                let publish: PublishPlan
                do throws(PublishPlanner.Refusal) {
                    publish = try PublishPlanner.plan(
                        current: manifest, previous: previousManifest, settings: config.infra, allowMassDelete: allowMassDelete,
                        store: planner.routeStore)
                } catch {
                    throw DiagnosticError(.error(SourceLocation(file: previous ?? config.file), error.message, hint: error.hint))
                }
                var files: [String: Data]
                do {
                    files = try planner.files()
                    files.merge(try PublishFiles.files(for: publish, dist: dist, encoded: (manifest, context.manifestData))) { first, _ in
                        first
                    }
                } catch {
                    throw DiagnosticError(.error(SourceLocation(file: InfraLayout.names), "cannot encode the plan: \(error)"))
                }
                context.infra = PlannedInfra(files: files, publish: publish, bucket: planner.names.bucket)
            }
    }

    /// Writes the planned files into `folder`, replacing it at once; the scripts are executable.
    public static func writeInfra(to folder: URL) -> BuildStep {
        BuildStep("Write \(folder.lastPathComponent)") { context throws(DiagnosticError) in
            let infra = try context.needed(context.infra, "infrastructure plan")
            try OutputWriter.write(
                files: infra.files, executable: [InfraLayout.deployScript, InfraLayout.previousManifestScript], to: folder)
        }
    }

    /// The manifest at `path`; nil when no path is given or nothing is there.
    static func readManifest(_ path: String?) throws(DiagnosticError) -> Manifest? {
        guard let path, FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do {
            data = try DiskFileSystem.readFile(atPath: path)
        } catch {
            throw DiagnosticError(error.diagnostic)
        }
        do {
            return try Manifest.decode(data)
        } catch {
            throw DiagnosticError(
                .error(
                    SourceLocation(file: path), "not a site manifest: \(error)",
                    hint: "pass the file previous-manifest.sh downloaded, or nothing for a first deploy"))
        }
    }
}
