import Foundation
import Testing

@testable import SiteKit

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The preview as a real server: sockets, watching, the command line.
@Suite("site serve: the server", .serialized)
struct ServeServerTests {
    /// Events reported by a server, for assertions.
    final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [PreviewServer.Event] = []

        func record(_ event: PreviewServer.Event) {
            lock.lock()
            stored.append(event)
            lock.unlock()
        }

        var events: [PreviewServer.Event] {
            lock.lock()
            defer { lock.unlock() }
            return stored
        }

        var requestLines: [String] {
            events.compactMap { if case .request(let entry) = $0 { entry.line } else { nil } }
        }
    }

    /// The test project's config with `api.dev_origin`.
    static func config(backend: String) -> String {
        TestProject.config.replacingOccurrences(
            of: "  origin: https://api.acme.example", with: "  origin: https://api.acme.example\n  dev_origin: \(backend)")
    }

    static func get(_ port: UInt16, _ target: String, method: String = "GET") async throws -> BackendResponse {
        try await BackendClient(origin: "http://127.0.0.1:\(port)", timeout: .seconds(10))
            .send(BackendRequest(method: method, target: target))
    }

    static func text(_ port: UInt16, _ target: String) async throws -> String {
        String(decoding: try await get(port, target).body, as: UTF8.self)
    }

    /// Waits until `condition` holds, up to `seconds`.
    static func eventually(seconds: Double = 10, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    @Test("a server on an ephemeral port answers real HTTP requests and logs one line each")
    func realRequests() async throws {
        let backend = try await TestBackend.shared.start()
        let project = try TemporaryProject(TestProject.with(["site.yml": Self.config(backend: backend)]))
        let log = EventLog()
        let server = PreviewServer(options: .init(root: project.root, port: 0, watch: false), events: log.record)
        let port = try await server.start()
        #expect(port != 0)

        // An independent client first: URLSession.
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/terms"))
        let (data, response) = try await URLSession.shared.data(from: url)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 200)
        #expect(http.value(forHTTPHeaderField: "Content-Type") == "text/html; charset=utf-8")
        #expect(http.value(forHTTPHeaderField: "X-Frame-Options") == "DENY")
        #expect(String(decoding: data, as: UTF8.self).contains("<h1>Terms of Service</h1>"))

        let redirect = try await Self.get(port, "/terms/?from=mail")
        #expect(redirect.status == 301)
        #expect(redirect.headers.value(of: "Location") == "/terms?from=mail")

        let callback = try await Self.get(port, "/auth/callback?code=abc&state=xyz")
        #expect(callback.status == 200)
        #expect(String(decoding: callback.body, as: UTF8.self).contains("<div id=\"root\"></div>"))

        let missing = try await Self.get(port, "/assets/gone-12345678.js")
        #expect(missing.status == 404)
        #expect(missing.headers.value(of: "Content-Type") == "application/xml")

        let api = try await Self.get(port, "/api/health?x=1")
        #expect(api.status == 200)
        #expect(String(decoding: api.body, as: UTF8.self) == #"{"ok":true,"query":"x=1"}"#)
        #expect(api.headers.value(of: "Content-Security-Policy") == nil)

        let apiMissing = try await Self.get(port, "/api/nothing")
        #expect(apiMissing.status == 404)

        let head = try await Self.get(port, "/privacy", method: "HEAD")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(Int(head.headers.value(of: "Content-Length") ?? "") ?? 0 > 0)

        await server.stop()
        await #expect(throws: (any Error).self) { _ = try await Self.get(port, "/terms") }

        let lines = log.requestLines
        #expect(lines.count == 7)
        #expect(lines.contains { $0.hasPrefix("GET /terms 200 object ") && $0.hasSuffix(" ms") })
        #expect(lines.contains { $0.hasPrefix("GET /terms/ 301 redirect ") })
        #expect(lines.contains { $0.hasPrefix("GET /auth/callback 200 spa-route ") })
        #expect(lines.contains { $0.hasPrefix("GET /assets/gone-12345678.js 404 missing-file ") })
        #expect(lines.contains { $0.hasPrefix("GET /api/health 200 api-proxy ") })
        #expect(lines.contains { $0.hasPrefix("HEAD /privacy 200 object ") })
        #expect(!lines.contains { $0.contains("code=abc") }, "queries stay out of the log")
    }

    @Test("watching: a change is served on the next request; a failed rebuild keeps the last good build and lists its errors")
    func watching() async throws {
        let project = try TemporaryProject()
        let log = EventLog()
        let server = PreviewServer(
            options: .init(root: project.root, port: 0, watch: true, pollInterval: .milliseconds(50)), events: log.record)
        let port = try await server.start()

        let original = try await Self.get(port, "/privacy")
        #expect(String(decoding: original.body, as: UTF8.self).contains("Privacy Policy"))

        var privacy = try #require(TestProject.files["content/privacy.md"])
        privacy = privacy.replacingOccurrences(of: "title: Privacy Policy", with: "title: Privacy Notice")
        try project.write(["content/privacy.md": privacy])
        #expect(try await Self.eventually { try await Self.text(port, "/privacy").contains("Privacy Notice") })

        try project.write(["content/privacy.md": privacy + "\nSee {{site.nmae}}.\n"])
        #expect(try await Self.eventually { try await Self.text(port, PreviewServer.errorsPath).contains("Build failed") })
        let stale = try await Self.get(port, "/privacy")
        #expect(stale.status == 200)
        #expect(String(decoding: stale.body, as: UTF8.self).contains("Privacy Notice"))
        #expect(stale.headers.value(of: "X-Site-Build")?.contains(PreviewServer.errorsPath) == true)
        let errors = try await Self.text(port, PreviewServer.errorsPath)
        #expect(errors.contains("content/privacy.md:"))
        #expect(errors.contains("site.nmae"))
        #expect(errors.contains("http-equiv=\"refresh\""))

        try project.write(["content/privacy.md": privacy])
        #expect(try await Self.eventually { try await Self.get(port, "/privacy").headers.value(of: "X-Site-Build") == nil })
        #expect(try await Self.text(port, PreviewServer.errorsPath).contains("No build errors"))

        let events = log.events
        #expect(events.contains { if case .changed(let files) = $0 { files == ["content/privacy.md"] } else { false } })
        #expect(events.contains { if case .buildFailed(_, keepsServing: true) = $0 { true } else { false } })
        await server.stop()
    }

    @Test("until a first build succeeds, every page shows the errors with status 500; fixing them serves the site")
    func firstBuildFails() async throws {
        let project = try TemporaryProject(TestProject.with(["content/terms.md": "---\ntitle: Terms\n---\nHello {{site.nope}}\n"]))
        let server = PreviewServer(options: .init(root: project.root, port: 0, watch: true, pollInterval: .milliseconds(50)))
        let port = try await server.start()
        let broken = try await Self.get(port, "/terms")
        #expect(broken.status == 500)
        #expect(String(decoding: broken.body, as: UTF8.self).contains("site.nope"))
        try project.write(["content/terms.md": try #require(TestProject.files["content/terms.md"])])
        #expect(try await Self.eventually { try await Self.get(port, "/terms").status == 200 })
        await server.stop()
    }

    @Test("without watching, a failing first build stops with its diagnostics")
    func noWatchFailure() async throws {
        let project = try TemporaryProject(TestProject.with(["content/terms.md": "---\ntitle: Terms\n---\nHello {{site.nope}}\n"]))
        let server = PreviewServer(options: .init(root: project.root, port: 0, watch: false))
        do {
            _ = try await server.start()
            Issue.record("the server started")
            await server.stop()
        } catch let error as PreviewServerError {
            #expect(error.diagnostics.contains { $0.message.contains("site.nope") })
        }
    }

    @Test("a port in use is a clear error")
    func portInUse() async throws {
        let project = try TemporaryProject()
        let first = PreviewServer(options: .init(root: project.root, port: 0, watch: false))
        let port = try await first.start()
        let second = PreviewServer(options: .init(root: project.root, port: port, watch: false))
        do {
            _ = try await second.start()
            Issue.record("two servers on one port")
            await second.stop()
        } catch let error as PreviewServerError {
            #expect(error.message.contains("in use"))
        }
        await first.stop()
    }

    @Test("site serve from the command line logs each request and stops cleanly on SIGINT")
    func commandLine() async throws {
        let project = try TemporaryProject()
        let output = project.root.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = SiteExecutable.url
        process.arguments = ["serve", "--config", project.root.appendingPathComponent("site.yml").path, "--port", "0", "--no-watch"]
        process.currentDirectoryURL = project.root
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var port: UInt16?
        _ = try await Self.eventually {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Serving http://127.0.0.1:") }) {
                port = UInt16(line.dropFirst("Serving http://127.0.0.1:".count).prefix { $0.isNumber })
            }
            return port != nil
        }
        let listening = try #require(port)
        #expect(try await Self.get(listening, "/terms").status == 200)
        #expect(try await Self.get(listening, "/nowhere").status == 404)

        process.interrupt()
        #expect(try await Self.eventually { !process.isRunning })
        #expect(process.terminationStatus == 0)
        let text = try String(contentsOf: output, encoding: .utf8)
        #expect(text.contains("Built 4 pages"))
        #expect(text.contains("GET /terms 200 object"))
        #expect(text.contains("GET /nowhere 404 not-found-page"))
        #expect(text.contains("Stopped."))
    }
}
