import ArgumentParser
import SiteKit

/// How findings are reported, shared by `build` and `check`.
struct ReportingOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print only errors and warnings.")
    var quiet = false

    @Flag(name: .long, help: "Treat warnings as errors.")
    var strict = false

    @Option(name: .long, help: "How to print findings: text, json or github (default: github when GITHUB_ACTIONS=true).")
    var format: DiagnosticRenderer.Format?

    /// Where the command's findings and progress go, with paths shown from the working directory.
    func console(for project: ProjectLocation) -> Console {
        Console(quiet: quiet, format: format, pathPrefix: project.displayPrefix)
    }
}
