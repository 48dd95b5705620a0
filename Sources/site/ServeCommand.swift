import ArgumentParser
import Dispatch
import Foundation
import SiteKit

/// `site serve`: a local preview that answers like the CloudFront distribution will.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Build in memory and serve the site locally, answering like the CloudFront distribution will.",
        discussion: """
            Serves pages, files, redirects (301, query kept), SPA routes and 404s from the same routing \
            table plan-infra turns into CloudFront configuration, with the manifest's Content-Type and \
            Cache-Control and the security headers of the response headers policy. Requests under \
            api.path_pattern are forwarded to api.dev_origin (502 with an explanation when it is not set \
            or does not answer). With watching on (the default), a change to the config, content/, \
            templates/ or the app bundle rebuilds; a failed rebuild keeps the last good build answering \
            and lists the errors at /_site/errors. One log line per request: method, path, status, the \
            rule that answered, milliseconds. Ctrl-C stops.
            Exit status: 0 stopped with Ctrl-C, 1 the site did not build (with --no-watch) or the server \
            could not start, 2 bad arguments.
            """
    )

    @OptionGroup var projectOptions: ProjectOptions

    @Option(name: .long, help: ArgumentHelp("The port to listen on (0 picks a free one).", valueName: "port"))
    var port: UInt16 = 8080

    @Option(
        name: .long, help: ArgumentHelp("The address to listen on; keep 127.0.0.1 unless others must reach the preview.", valueName: "host")
    )
    var host = "127.0.0.1"

    @Flag(name: .customLong("no-watch"), help: "Build once; do not rebuild when inputs change.")
    var noWatch = false

    func run() throws {
        let project = projectOptions.location
        let console = Console(quiet: false, format: .text, pathPrefix: project.displayPrefix)
        let output = ServeOutput(console: console, watching: !noWatch)
        let server = PreviewServer(
            options: .init(
                root: project.root, build: project.buildOptions(), host: host, port: port, watch: !noWatch),
            events: output.show)

        if !["127.0.0.1", "localhost", "::1"].contains(host) {
            console.line("note: listening on \(host): other machines that can reach this address can see the preview")
        }

        do {
            try server.runUntilInterrupted { console.line("\nStopping...") }
        } catch let error as PreviewServerError {
            if error.diagnostics.isEmpty { Self.fail("error: \(error.message)") }
            throw BuildFailure()
        } catch {
            Self.fail("error: \(error)")
            throw BuildFailure()
        }
        console.line("Stopped.")
    }

    private static func fail(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
