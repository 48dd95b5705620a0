import FlyingFox
import FlyingSocks
import Foundation

/// One line of the request log.
public struct PreviewLogEntry: Sendable, Equatable {
    /// The request method, such as `GET`.
    public var method: String
    /// The path without the query (OAuth codes stay out of the terminal).
    public var path: String
    /// The HTTP status code of the answer.
    public var status: Int
    /// The rule that answered.
    public var rule: PreviewRule
    /// How long the answer took, in milliseconds.
    public var milliseconds: Double
    /// Extra words for the log line, such as why the backend failed; nil when there are none.
    public var detail: String?
    /// Answered from the last good build while the latest one failed.
    public var stale: Bool

    /// `GET /terms 200 object 0.4 ms`.
    public var line: String {
        var text = "\(method) \(path) \(status) \(rule.rawValue) \(String(format: "%.1f", milliseconds)) ms"
        if let detail { text += " (\(detail))" }
        if stale { text += " [last good build]" }
        return text
    }
}

/// What a build of the preview produced.
public struct PreviewBuildSummary: Sendable, Equatable {
    /// How many HTML pages were built: content pages, the 404 page and the app's shell, if any.
    public var pages: Int
    /// How many objects the bucket would hold, the manifest included.
    public var files: Int
    /// The bytes of every object and of the manifest.
    public var bytes: Int
    /// How long the build took, in milliseconds.
    public var milliseconds: Int
    /// The warnings of the build.
    public var warnings: [Diagnostic]
    /// What differs between this configuration and one `plan-infra` accepts, in words.
    public var notes: [String]
}

/// Why the preview could not start.
public struct PreviewServerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in words.
    public var message: String
    /// The diagnostics of a failed first build (already reported through events).
    public var diagnostics: [Diagnostic]

    /// The message alone, without the diagnostics.
    public var description: String { message }
}

/// `site serve`: builds the project in memory, answers HTTP requests through ``PreviewRouter``,
/// forwards the API to the development backend, and rebuilds when an input changes.
///
/// When a rebuild fails, the last good build keeps answering and the errors are listed at
/// `/_site/errors`; until a first build succeeds, every request gets that list with status 500.
public actor PreviewServer {
    /// How the preview builds, where it listens and whether it watches.
    public struct Options: Sendable {
        /// The project folder (where the config file is).
        public var root: URL
        /// How each build runs: the config file, drafts, strictness.
        public var build: BuildPipeline.Options
        /// The address to listen on.
        public var host: String
        /// 0 picks a free port.
        public var port: UInt16
        /// Whether to rebuild when an input changes; without it, a first build that fails makes
        /// ``PreviewServer/start()`` throw.
        public var watch: Bool
        /// How often the inputs are looked at for changes.
        public var pollInterval: Duration
        /// How long the development backend may take to answer.
        public var backendTimeout: Duration

        /// Options that listen on `127.0.0.1:8080`, look for changes every 300 ms and give the
        /// backend 30 s.
        public init(
            root: URL, build: BuildPipeline.Options = .init(), host: String = "127.0.0.1", port: UInt16 = 8080,
            watch: Bool = true, pollInterval: Duration = .milliseconds(300), backendTimeout: Duration = .seconds(30)
        ) {
            self.root = root
            self.build = build
            self.host = host
            self.port = port
            self.watch = watch
            self.pollInterval = pollInterval
            self.backendTimeout = backendTimeout
        }
    }

    /// What the server reports as it runs.
    public enum Event: Sendable {
        /// A build succeeded and its site now answers.
        case built(PreviewBuildSummary)
        /// A build failed; `keepsServing` tells whether an earlier good build still answers.
        case buildFailed([Diagnostic], keepsServing: Bool)
        /// Inputs changed (paths relative to the project folder); a rebuild follows.
        case changed([String])
        /// The server listens at `url`; `api` is the forwarded path pattern and where it goes, nil
        /// when the site has no API.
        case listening(url: String, api: String?)
        /// A request was answered.
        case request(PreviewLogEntry)
        /// A message to show as it is.
        case notice(String)
    }

    /// The path of the preview's page of build errors.
    public static let errorsPath = "/_site/errors"

    /// How the server was set up.
    public let options: Options
    private let events: @Sendable (Event) -> Void
    private let store = Store()
    private var http: HTTPServer?
    private var serveTask: Task<Void, Never>?
    private var watchTask: Task<Void, Never>?
    private var serverFailure: (any Error)?
    private var serverEnded = false
    private var stopping = false
    private var watchedPaths: [String]

    /// A server that reports to `events`; it builds and listens only once started.
    public init(options: Options, events: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.options = options
        self.events = events
        self.watchedPaths = ProjectWatcher.paths(configPath: options.build.configPath, config: nil)
    }

    /// Builds, starts listening and watching; returns the port it listens on.
    public func start() async throws -> UInt16 {
        let built = await rebuild()
        if !built, !options.watch {
            throw PreviewServerError(message: "the site did not build", diagnostics: await store.state.errors)
        }
        let address: any SocketAddress
        do {
            guard let first = try SocketAddresses.resolve(host: options.host, port: options.port).first else {
                throw BackendError("no address for \(options.host)")
            }
            address = first
        } catch {
            throw PreviewServerError(message: "cannot listen on \(options.host): \(error)", diagnostics: [])
        }
        let store = self.store
        let events = self.events
        let timeout = options.backendTimeout
        let server = HTTPServer(
            address: address, timeout: 120, logger: .disabled,
            handler: ClosureHTTPHandler { request in
                await Self.handle(request, store: store, events: events, backendTimeout: timeout)
            })
        http = server
        serveTask = Task {
            do {
                try await server.run()
                self.ended(nil)
            } catch {
                self.ended(error)
            }
        }
        let port = try await waitUntilListening(server)
        let shownHost = options.host.contains(":") ? "[\(options.host)]" : options.host
        let api = await store.state.router.flatMap { router -> String? in
            guard let api = router.site.api else { return nil }
            return "\(api.pathPattern) -> \(api.developmentOrigin ?? "no api.dev_origin: answers 502 until one is set")"
        }
        events(.listening(url: "http://\(shownHost):\(port)", api: api))
        if options.watch {
            watchTask = Task { await self.watch() }
        }
        return port
    }

    /// Serves until ``stop()`` is called or the listening socket fails.
    public func run() async throws {
        _ = try await start()
        await serveTask?.value
        watchTask?.cancel()
        if let serverFailure, !stopping {
            throw PreviewServerError(message: "the server stopped: \(serverFailure.localizedDescription)", diagnostics: [])
        }
    }

    /// Stops listening, lets open requests finish (up to a second) and stops watching.
    public func stop() async {
        stopping = true
        watchTask?.cancel()
        await http?.stop(timeout: 0)
        await serveTask?.value
    }

    private func ended(_ error: (any Error)?) {
        serverEnded = true
        serverFailure = error
    }

    private func waitUntilListening(_ server: HTTPServer) async throws -> UInt16 {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if serverEnded {
                let reason = serverFailure.map { Self.describe($0) } ?? "it stopped"
                throw PreviewServerError(message: "cannot listen on \(options.host):\(options.port): \(reason)", diagnostics: [])
            }
            if await server.isListening, let address = await server.listeningAddress {
                switch address {
                case .ip4(_, let port), .ip6(_, let port): return port
                case .unix: return options.port
                }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw PreviewServerError(message: "the server did not start listening within 10 s", diagnostics: [])
    }

    private static func describe(_ error: any Error) -> String {
        if case SocketError.failed(_, let code, let message) = error {
            return code == EADDRINUSE ? "the address is in use (another server on that port? pass --port)" : message
        }
        return error.localizedDescription
    }

    // MARK: Building

    /// Builds the project; a good build replaces the served site. Returns whether it succeeded.
    @discardableResult
    func rebuild() async -> Bool {
        let root = options.root
        let buildOptions = options.build
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<BuildOutcome, Never>) in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.build(root: root, options: buildOptions))
            }
        }
        watchedPaths = ProjectWatcher.paths(configPath: buildOptions.configPath, config: outcome.config)
            .filter { !$0.isEmpty }
        switch outcome.result {
        case .success(let site):
            await store.publish(site)
            events(
                .built(
                    PreviewBuildSummary(
                        pages: site.pageCount, files: site.objects.count, bytes: site.totalBytes, milliseconds: outcome.milliseconds,
                        warnings: site.warnings, notes: site.notes)))
            return true
        case .failure(let error):
            let keeps = await store.fail(error.diagnostics)
            events(.buildFailed(error.diagnostics, keepsServing: keeps))
            return false
        }
    }

    struct BuildOutcome: Sendable {
        var result: Result<PreviewSite, DiagnosticError>
        /// The config, when it loaded (it names the folders to watch).
        var config: SiteConfig?
        var milliseconds: Int
    }

    static func build(root: URL, options: BuildPipeline.Options) -> BuildOutcome {
        let start = ContinuousClock.now
        let fileSystem = DiskFileSystem(root: root)
        let result: Result<PreviewSite, DiagnosticError>
        var config: SiteConfig?
        do throws(DiagnosticError) {
            let built = try BuildPipeline(options: options).run(fileSystem: fileSystem)
            config = built.config
            result = .success(PreviewSite(result: built))
        } catch {
            config = try? ConfigLoader.load(options.configPath, from: fileSystem, environment: options.environment)
            result = .failure(error)
        }
        let elapsed = ContinuousClock.now - start
        let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        return BuildOutcome(result: result, config: config, milliseconds: milliseconds)
    }

    // MARK: Watching

    private func watch() async {
        let watcher = ProjectWatcher(root: options.root)
        var last = watcher.snapshot(watchedPaths)
        while !Task.isCancelled {
            try? await Task.sleep(for: options.pollInterval)
            if Task.isCancelled { return }
            var current = watcher.snapshot(watchedPaths)
            guard current != last else { continue }
            // Let a save that writes several files finish before building.
            try? await Task.sleep(for: .milliseconds(100))
            current = watcher.snapshot(watchedPaths)
            let changed = ProjectWatcher.changes(from: last, to: current)
            events(.changed(changed))
            await rebuild()
            // The config may name other folders now.
            last = watcher.snapshot(watchedPaths)
        }
    }

    // MARK: Requests

    private static func handle(
        _ http: HTTPRequest, store: Store, events: @Sendable (Event) -> Void, backendTimeout: Duration
    ) async -> HTTPResponse {
        let start = ContinuousClock.now
        let body = (try? await http.bodyData) ?? Data()
        let request = PreviewRequest(
            method: http.method.rawValue, path: http.target.path(), query: http.target.query(),
            headers: http.headers.map { HeaderField($0.key.rawValue, $0.value) }, body: body)
        let state = await store.state
        var response: PreviewResponse
        let stale = state.router != nil && state.errors.contains { $0.severity == .error }
        if request.path == errorsPath {
            response = PreviewPages.buildErrors(state.errors, status: 200, stale: state.router != nil)
        } else if let router = state.router {
            response = await router.answer(request, timeout: backendTimeout)
        } else {
            response = PreviewPages.buildErrors(state.errors, status: 500, stale: false)
        }
        if request.method == "HEAD", !response.body.isEmpty {
            response.headers.set("Content-Length", String(response.body.count))
            response.body = Data()
        }
        if stale { response.headers.append(HeaderField("X-Site-Build", "failed; errors at \(errorsPath)")) }
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        events(
            .request(
                PreviewLogEntry(
                    method: request.method, path: request.path, status: response.status, rule: response.rule,
                    milliseconds: milliseconds, detail: response.detail, stale: stale)))
        var headers = HTTPHeaders()
        for header in response.headers { headers.addValue(header.value, for: HTTPHeader(header.name)) }
        return HTTPResponse(
            statusCode: HTTPStatusCode(response.status, phrase: response.reason ?? StatusPhrase.phrase(for: response.status)),
            headers: headers, body: response.body)
    }

    /// The served site and the latest build errors.
    actor Store {
        struct State: Sendable {
            var router: PreviewRouter?
            /// The diagnostics of the latest build when it failed, or its warnings.
            var errors: [Diagnostic] = []
        }

        private(set) var state = State()

        func publish(_ site: PreviewSite) {
            state.router = PreviewRouter(site: site)
            state.errors = site.warnings
        }

        /// Records a failed build; returns whether an earlier good build keeps answering.
        func fail(_ diagnostics: [Diagnostic]) -> Bool {
            state.errors = diagnostics
            return state.router != nil
        }
    }
}

/// Reason phrases of the status line.
enum StatusPhrase {
    static func phrase(for status: Int) -> String {
        switch status {
        case 200: "OK"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 504: "Gateway Timeout"
        default: "Status \(status)"
        }
    }
}
