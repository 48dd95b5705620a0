import Foundation
import SiteKit

/// Where diagnostics and progress go, and how they look.
struct Console {
    var quiet: Bool
    var format: DiagnosticRenderer.Format
    /// Shown before every diagnostic path, so paths are relative to the working directory.
    var pathPrefix: String

    /// When the command started, for ``elapsed``.
    let start = DispatchTime.now()

    /// The time since the command started, as `N ms`.
    var elapsed: String {
        "\((DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000) ms"
    }

    init(quiet: Bool, format: DiagnosticRenderer.Format?, pathPrefix: String) {
        self.quiet = quiet
        let environment = ProcessInfo.processInfo.environment
        self.format = format ?? (environment["GITHUB_ACTIONS"] == "true" ? .github : .text)
        self.pathPrefix = pathPrefix
    }

    func progress(_ index: Int, _ total: Int, _ name: String) {
        guard !quiet, format != .json else { return }
        Self.write("[\(index)/\(total)] \(name)\n")
    }

    func line(_ text: String) {
        guard !quiet, format != .json else { return }
        Self.write(text + "\n")
    }

    /// Writes to standard output at once (no buffering), so progress shows as it happens.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Prints the diagnostics of a failed command, naming the step that failed, and gives the
    /// error that ends the command with exit status 1.
    func failure(_ error: DiagnosticError) -> BuildFailure {
        report(error.diagnostics, step: error.step)
        return BuildFailure()
    }

    /// Prints diagnostics to standard error (JSON to standard output).
    func report(_ diagnostics: [Diagnostic], step: String? = nil) {
        let located = diagnostics.map { diagnostic -> Diagnostic in
            var diagnostic = diagnostic
            if !diagnostic.location.file.hasPrefix("/") { diagnostic.location.file = pathPrefix + diagnostic.location.file }
            return diagnostic
        }
        let colour = format == .text && isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let renderer = DiagnosticRenderer(format: format, colour: colour)
        if format == .json {
            Self.write(renderer.render(located, step: step) + "\n")
        } else if !located.isEmpty {
            FileHandle.standardError.write(Data((renderer.render(located, step: step) + "\n").utf8))
        }
    }
}

/// Where the project is: the folder of the config file, seen from the working directory.
struct ProjectLocation {
    var root: URL
    var configName: String
    /// `""` when the project is the working directory, else `path/to/project/`.
    var displayPrefix: String
    /// The environment asked for with `--env`; nil: the config's default.
    var environment: String?

    /// The pipeline's options for this project's config and environment.
    func buildOptions(includeDrafts: Bool = false, strict: Bool = false) -> BuildPipeline.Options {
        var options = BuildPipeline.Options(configPath: configName, includeDrafts: includeDrafts, strict: strict)
        options.environment = environment
        return options
    }

    /// The default output folders of the environment the command works on.
    var folders: ProjectFolders { ProjectFolders.resolve(root: root, configName: configName, requested: environment) }

    init(configPath: String, environment: String? = nil) {
        self.environment = environment
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL
        let config = URL(fileURLWithPath: configPath, relativeTo: cwd).standardizedFileURL
        root = config.deletingLastPathComponent()
        configName = config.lastPathComponent
        if root.path == cwd.path {
            displayPrefix = ""
        } else if root.path.hasPrefix(cwd.path + "/") {
            displayPrefix = String(root.path.dropFirst(cwd.path.count + 1)) + "/"
        } else {
            displayPrefix = root.path + "/"
        }
    }
}
