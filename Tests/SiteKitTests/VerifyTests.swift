import Foundation
import Testing

@testable import SiteKit

/// `site verify` against answers made in the test: the preview's own, and ways a deploy goes wrong.
@Suite("site verify")
struct VerifyTests {
    /// The test project's build and its plan.
    static func plan() throws -> (VerifyPlan, BuildPipeline.Result) {
        let result = try BuildPipeline(options: .init()).run(fileSystem: MemoryFileSystem(TestProject.files))
        return (SiteVerifier.plan(for: result), result)
    }

    static func verifier() throws -> SiteVerifier {
        var options = SiteVerifier.Options(base: try #require(URL(string: "https://test.invalid")))
        options.api = URL(string: "https://api.test.invalid")
        options.firstWait = .milliseconds(1)
        return SiteVerifier(options: options)
    }

    /// How the fake API answers a CORS preflight.
    enum CORS {
        /// Without CORS headers.
        case none
        /// With the request's `Origin` when it is one of these, else without CORS headers.
        case allowing([String])
        /// With whatever `Origin` the request has.
        case echoing
        /// With one fixed `Access-Control-Allow-Origin`, whoever asks.
        case always(String)

        func allowedOrigin(for origin: String?) -> String? {
            switch self {
            case .none: return nil
            case .allowing(let origins): return origin.flatMap { origins.contains($0) ? $0 : nil }
            case .echoing: return origin
            case .always(let value): return value
            }
        }
    }

    /// The test project's own origin and its extra allowed origin.
    static let origins = ["https://d111111abcdef8.cloudfront.net", "http://localhost:5173"]

    /// The site as planned, an API that answers 204 to a preflight as `cors` says, and plain http
    /// redirected to https.
    static func deployed(_ plan: VerifyPlan, cors: CORS = .allowing(origins), apiAnsweredBySite: Bool = false) -> FakeClient {
        FakeClient(site: { request in
            if request.method == "OPTIONS" {
                var headers = [HeaderField("Access-Control-Allow-Methods", "GET, POST")]
                if let allowed = cors.allowedOrigin(for: request.headers.value(of: "Origin")) {
                    headers.append(HeaderField("Access-Control-Allow-Origin", allowed))
                }
                return PreviewResponse(status: 204, headers: headers, rule: .apiProxy)
            }
            if request.path.hasPrefix("/api/") {
                if apiAnsweredBySite, case .response(let shell) = plan.router.respond(PreviewRequest(path: "/app/x")) { return shell }
                return PreviewResponse(
                    status: 404, headers: [HeaderField("Content-Type", "application/json")], body: Data("{}".utf8), rule: .apiProxy)
            }
            return Self.planned(plan, request)
        })
    }

    /// Answers as a given function does.
    struct FakeClient: VerifyClient {
        var answer: @Sendable (PreviewRequest, URL) -> PreviewResponse

        init(_ answer: @escaping @Sendable (PreviewRequest, URL) -> PreviewResponse) {
            self.answer = answer
        }

        init(site answer: @escaping @Sendable (PreviewRequest) -> PreviewResponse) {
            self.answer = { request, base in
                // Plain http is redirected to https, as CloudFront's viewer protocol policy does.
                guard base.scheme == "https" else {
                    return PreviewResponse(
                        status: 301, headers: [HeaderField("Location", "https://\(base.host ?? "")\(request.target)")], rule: .redirect)
                }
                return answer(request)
            }
        }

        func send(_ request: PreviewRequest, to base: URL) async throws -> PreviewResponse {
            answer(request, base)
        }
    }

    /// The preview's answer, as the deployed site must give it.
    static func planned(_ plan: VerifyPlan, _ request: PreviewRequest) -> PreviewResponse {
        guard case .response(let response) = plan.router.respond(request) else { return PreviewResponse(status: 502, rule: .apiProxy) }
        return response
    }

    @Test("the probes come from the routing table: every page, each redirect with a query, each SPA route, the callback, the misses")
    func probes() throws {
        let (plan, result) = try Self.plan()
        let planned = plan.probes.filter { $0.expectation == .planned }
        let targets = Set(planned.map(\.request.target))
        for entry in result.manifest.routes.entries where ["terms", "privacy", "index.html"].contains(entry.key) {
            #expect(targets.contains(entry.path))
        }
        for redirect in result.manifest.routes.redirects { #expect(targets.contains(redirect.from + "?site-verify=1")) }
        #expect(targets.contains("/auth/callback?code=site-verify&state=site-verify"))
        #expect(targets.contains(VerifyPlan.missingPage) && targets.contains(VerifyPlan.missingAsset))
        #expect(targets.contains("/_site/manifest.json"))
        #expect(!targets.contains { $0.hasPrefix("/api/") }, "the API's paths are the backend's")
        #expect(targets.count == planned.count, "each request once")
        #expect(
            plan.probes.map(\.expectation).filter { $0 != .planned } == [
                .notTheSite, .corsAllowed(origin: "https://d111111abcdef8.cloudfront.net"),
                .corsAllowed(origin: "http://localhost:5173"), .corsRefused(origin: "https://site-verify.invalid"), .upgradeToHTTPS,
            ])
    }

    @Test("a site that answers as the preview does verifies clean")
    func clean() async throws {
        let (plan, _) = try Self.plan()
        let report = try await Self.verifier().run(plan, client: Self.deployed(plan))
        #expect(report.findings.isEmpty, "\(report.findings.map(\.message))")
        #expect(report.passed == report.probes && report.probes > 15)
    }

    @Test("a plain file server of dist/ is caught: wrong types, no redirects, deep links that 404, no security headers")
    func plainFiles() async throws {
        let (plan, result) = try Self.plan()
        let objects = Dictionary(uniqueKeysWithValues: result.objects.map { ($0.key, $0.data) })
        let report = try await Self.verifier().run(
            plan,
            client: FakeClient { request, _ in
                let key = request.path == "/" ? "index.html" : String(request.path.dropFirst())
                guard let data = objects[key] else {
                    return PreviewResponse(status: 404, headers: [HeaderField("Content-Type", "text/html")], rule: .missingFile)
                }
                return PreviewResponse(
                    status: 200, headers: [HeaderField("Content-Type", "application/octet-stream")], body: data, rule: .object)
            })
        let messages = Set(report.findings.map { "\($0.location.file) \($0.message)" })
        let expected = [
            "https://test.invalid/terms page /terms: Content-Type 'application/octet-stream', expected 'text/html; charset=utf-8'",
            "https://test.invalid/terms page /terms: Cache-Control missing, expected 'public, max-age=0, s-maxage=86400, must-revalidate'",
            "https://test.invalid/terms/?site-verify=1 redirect /terms/: status 404, expected 301",
            "https://test.invalid/terms/?site-verify=1 redirect /terms/: Location missing, expected '/terms?site-verify=1'",
            "https://test.invalid/auth/callback?code=site-verify&state=site-verify OAuth callback: status 404, expected 200",
        ]
        for message in expected { #expect(messages.contains(message), "\(message)") }
        #expect(messages.contains { $0.hasPrefix("https://test.invalid/terms page /terms: no Strict-Transport-Security") })
        #expect(report.passed < report.probes / 4)
    }

    @Test("the API: a backend without CORS, one that allows another origin, and a site that answers the API's paths itself")
    func api() async throws {
        let (plan, _) = try Self.plan()
        func messages(_ client: FakeClient) async throws -> [String] {
            try await Self.verifier().run(plan, client: client).findings.map { "\($0.location.file) \($0.message)" }
        }
        let preflight = "https://api.test.invalid/api/site-verify CORS preflight from "
        let fix = "(CORS_ALLOWED_ORIGINS in infra/backend/backend.env)"
        #expect(
            try await messages(Self.deployed(plan, cors: .none)) == [
                preflight + "http://localhost:5173: no Access-Control-Allow-Origin: the backend must allow http://localhost:5173 \(fix)",
                preflight
                    + "https://d111111abcdef8.cloudfront.net: no Access-Control-Allow-Origin: the backend must allow https://d111111abcdef8.cloudfront.net \(fix)",
            ])
        // Only the site's own origin: the development server's is missing.
        #expect(
            try await messages(Self.deployed(plan, cors: .allowing([Self.origins[0]]))) == [
                preflight + "http://localhost:5173: no Access-Control-Allow-Origin: the backend must allow http://localhost:5173 \(fix)"
            ])
        #expect(
            try await messages(Self.deployed(plan, cors: .always("https://elsewhere.example"))) == [
                preflight
                    + "http://localhost:5173: Access-Control-Allow-Origin 'https://elsewhere.example', expected 'http://localhost:5173' \(fix)",
                preflight
                    + "https://d111111abcdef8.cloudfront.net: Access-Control-Allow-Origin 'https://elsewhere.example', expected 'https://d111111abcdef8.cloudfront.net' \(fix)",
            ])
        // Allowing every origin passes each listed one, and is caught by the one no site has.
        let refused = "https://site-verify.invalid: Access-Control-Allow-Origin '"
        let only = "allow only CORS_ALLOWED_ORIGINS from infra/backend/backend.env"
        #expect(
            try await messages(Self.deployed(plan, cors: .echoing)) == [
                preflight + refused
                    + "https://site-verify.invalid' for an origin the site does not list: the backend echoes any Origin; \(only)"
            ])
        #expect(
            try await messages(Self.deployed(plan, cors: .always("*"))) == [
                preflight + refused + "*' for an origin the site does not list: '*' allows every site; \(only)"
            ])
        // The site turns the API's 404 into a 403 page of its own (an error response rule on the
        // distribution): the API origin itself answers 404 JSON.
        let rewritten = FakeClient { request, base in
            let answer = Self.deployed(plan).answer(request, base)
            guard base.host == "test.invalid", request.path.hasPrefix("/api/") else { return answer }
            return PreviewResponse(
                status: 403, headers: [HeaderField("Content-Type", "text/html")], body: Data("denied".utf8), rule: .object)
        }
        #expect(
            try await messages(rewritten) == [
                "https://test.invalid/api/site-verify API path /api/*: Content-Type 'text/html', but the API itself answers 'application/json'",
                "https://test.invalid/api/site-verify API path /api/*: status 403, but the API itself answers 404",
            ])
        #expect(
            try await messages(Self.deployed(plan, apiAnsweredBySite: true)) == [
                "https://test.invalid/api/site-verify API path /api/*: answered by the site (status 200, its own page), not by the API: the API's behavior is missing, or the site's comes first"
            ])
    }

    @Test("a stale copy of a page is named with both digests and the wait; one that catches up passes")
    func stale() async throws {
        let (plan, _) = try Self.plan()
        let old = Data("<!DOCTYPE html><title>Old terms</title>".utf8)
        let asked = Counter()
        let site = Self.deployed(plan)
        let staleForever = FakeClient { request, base in
            var answer = site.answer(request, base)
            if request.path == "/terms" { answer.body = old }
            return answer
        }
        let report = try await Self.verifier().run(plan, client: staleForever)
        #expect(report.findings.count == 1)
        let finding = try #require(report.findings.first)
        #expect(finding.location.file == "https://test.invalid/terms")
        #expect(finding.message.hasPrefix("page /terms: body with MD5 \(Digest.md5(old)) (\(old.count) bytes), expected "))
        #expect(finding.hint?.hasPrefix("still so after 4 requests over") == true)

        let catchesUp = FakeClient { request, base in
            var answer = site.answer(request, base)
            if request.path == "/terms", asked.next() < 2 { answer.body = old }
            return answer
        }
        let caughtUp = try await Self.verifier().run(plan, client: catchesUp)
        #expect(caughtUp.findings.isEmpty)
        #expect(caughtUp.passedAfterRetry == 1)
    }

    /// Counts calls from any thread.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0

        /// The number of calls before this one.
        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            count += 1
            return count - 1
        }
    }

    @Test("the preview verifies clean over real HTTP, through URLSession")
    func overHTTP() async throws {
        let project = try TemporaryProject(TestProject.files)
        let server = PreviewServer(options: .init(root: project.root, port: 0, watch: false), events: { _ in })
        let port = try await server.start()
        defer { Task { await server.stop() } }
        let (plan, _) = try Self.plan()
        let base = try #require(URL(string: "http://127.0.0.1:\(port)"))
        let report = await SiteVerifier(options: .init(base: base)).run(plan, client: URLSessionVerifyClient(timeout: 10))
        #expect(report.findings.isEmpty, "\(report.findings.map(\.message))")
        // The three preflights (two allowed origins, one refused) need an API URL; the preview is not https.
        #expect(report.passed == report.probes && report.skipped == 4)
    }
}
