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

    @Option(name: .long, help: ArgumentHelp("The config file; its folder is the project root.", valueName: "path"))
    var config = "site.yml"

    @Option(name: .long, help: ArgumentHelp("The port to listen on (0 picks a free one).", valueName: "port"))
    var port: UInt16 = 8080

    @Option(
        name: .long, help: ArgumentHelp("The address to listen on; keep 127.0.0.1 unless others must reach the preview.", valueName: "host")
    )
    var host = "127.0.0.1"

    @Flag(name: .customLong("no-watch"), help: "Build once; do not rebuild when inputs change.")
    var noWatch = false

    func run() throws {
        let project = ProjectLocation(configPath: config)
        let console = Console(quiet: false, format: .text, pathPrefix: project.displayPrefix)
        let output = ServeOutput(console: console, watching: !noWatch)
        let server = PreviewServer(
            options: .init(
                root: project.root, build: .init(configPath: project.configName), host: host, port: port, watch: !noWatch),
            events: output.show)

        if !["127.0.0.1", "localhost", "::1"].contains(host) {
            console.line("note: listening on \(host): other machines that can reach this address can see the preview")
        }

        let stopper = SignalStopper()
        stopper.install { Task { await server.stop() } }
        defer { stopper.remove() }

        let finished = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task.detached {
            do {
                try await server.run()
            } catch {
                failure.set(error)
            }
            finished.signal()
        }
        finished.wait()

        if let error = failure.error {
            if let error = error as? PreviewServerError {
                if error.diagnostics.isEmpty { Self.fail("error: \(error.message)") }
            } else {
                Self.fail("error: \(error)")
            }
            throw BuildFailure()
        }
        console.line("Stopped.")
    }

    private static func fail(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

/// Prints the preview's events: build summaries and diagnostics, the address, one line per request.
struct ServeOutput: Sendable {
    var console: Console
    var watching: Bool

    func show(_ event: PreviewServer.Event) {
        switch event {
        case .built(let summary):
            console.report(summary.warnings)
            for note in summary.notes { console.line("note: \(note)") }
            console.line(
                "Built \(summary.pages) pages, \(summary.files) files, \(summary.bytes) bytes in \(summary.milliseconds) ms")
        case .buildFailed(let diagnostics, let keepsServing):
            console.report(diagnostics)
            if keepsServing {
                console.line("Build failed: still serving the last good build; the errors are also at \(PreviewServer.errorsPath)")
            } else if watching {
                console.line("Build failed: every page shows the errors until the site builds; waiting for changes")
            }
        case .changed(let files):
            let shown = files.prefix(3).joined(separator: ", ")
            console.line("Changed: \(shown)\(files.count > 3 ? " and \(files.count - 3) more" : ""); rebuilding")
        case .listening(let url, let api):
            console.line("Serving \(url) (Ctrl-C to stop)")
            if let api { console.line("API \(api)") }
            console.line(watching ? "Watching for changes; build errors: \(url)\(PreviewServer.errorsPath)" : "Not watching for changes")
        case .request(let entry):
            console.line(entry.line)
        case .notice(let text):
            console.line(text)
        }
    }
}

/// Turns SIGINT and SIGTERM into a clean stop; a second signal exits at once.
final class SignalStopper: @unchecked Sendable {
    private let lock = NSLock()
    private var sources: [any DispatchSourceSignal] = []
    private var received = 0

    func install(_ stop: @escaping @Sendable () -> Void) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                lock.lock()
                received += 1
                let count = received
                lock.unlock()
                if count == 1 {
                    FileHandle.standardOutput.write(Data("\nStopping...\n".utf8))
                    stop()
                } else {
                    Foundation.exit(130)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    func remove() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// The error a background task ended with.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?

    func set(_ error: any Error) {
        lock.lock()
        stored = error
        lock.unlock()
    }

    var error: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
