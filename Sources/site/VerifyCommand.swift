import ArgumentParser
import Foundation
import SiteKit

/// `site verify`: requests the deployed site and compares every answer with the plan.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Request the deployed site and check that it answers as the build planned.",
        discussion: """
            Builds the site in memory (with every check), then requests every page and the shell, a \
            sample of the other files, every redirect, each SPA route and the OAuth callback, an unknown \
            page, a missing file and the manifest, and compares status, headers and body with what the \
            emitted CloudFront configuration answers; a path of the API must not be answered by the \
            site, a CORS preflight to the API's origin must allow the site's origin, and an https \
            site must redirect plain http.
            Exit status: 0 the site answers as planned, 1 it does not (or the input has errors), 2 bad arguments.
            """
    )

    @OptionGroup var projectOptions: ProjectOptions

    @Option(name: .long, help: ArgumentHelp("The site to request (default: site.base_url).", valueName: "url"))
    var url: String?

    @Option(
        name: .customLong("api-url"),
        help: ArgumentHelp("The API's own origin for the CORS preflight (default: api.origin, unless --url is given).", valueName: "url"))
    var apiURL: String?

    @Flag(name: .long, help: "Request every file, not a sample of 20.")
    var all = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Give up asking again after this many seconds in all (an edge can lag behind an invalidation).", valueName: "seconds"))
    var deadline = 120

    func validate() throws {
        guard (1...3600).contains(deadline) else { throw ValidationError("--deadline must be between 1 and 3600 seconds") }
    }

    @OptionGroup var reporting: ReportingOptions

    func run() throws {
        let project = projectOptions.location
        let console = reporting.console(for: project)
        var options = project.buildOptions(strict: reporting.strict)
        options.listsExternalLinks = false
        let result: BuildPipeline.Result
        do throws(DiagnosticError) {
            result = try BuildPipeline(options: options).run(fileSystem: DiskFileSystem(root: project.root))
        } catch {
            throw console.failure(error)
        }
        KeptUntilExit.keep(result)
        let address = url ?? result.config.site.baseURL
        guard let base = URL(string: address), base.scheme == "http" || base.scheme == "https", base.host != nil else {
            throw ValidationError("--url must be an http or https URL, such as http://127.0.0.1:8080")
        }
        var verify = SiteVerifier.Options(base: base)
        verify.deadline = .seconds(deadline)
        verify.api = (apiURL ?? (url == nil ? result.config.api?.origin : nil)).flatMap(URL.init(string:))
        let plan = SiteVerifier.plan(for: result, allFiles: all)
        let report = SiteVerifier(options: verify).runBlocking(plan, client: URLSessionVerifyClient())
        console.report(report.findings)
        var notes: [String] = []
        if report.passedAfterRetry > 0 { notes.append("\(report.passedAfterRetry) after waiting") }
        if verify.api == nil, result.config.api != nil { notes.append("the CORS preflights not sent: pass --api-url") }
        let retried = notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"
        console.line(
            "Verified \(base.absoluteString)\(result.config.environment.map { " (\($0))" } ?? ""): \(report.passed) of \(report.probes) requests answered as planned\(retried) in \(console.elapsed)"
        )
        if !report.findings.isEmpty { throw BuildFailure() }
    }
}
