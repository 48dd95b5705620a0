import SiteKit

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
