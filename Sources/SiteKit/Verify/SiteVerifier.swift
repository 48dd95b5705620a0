import Foundation

/// `site verify`: sends every probe of a ``VerifyPlan`` to the deployed site and compares each
/// answer with the planned one.
///
/// A few probes at a time (``Options/concurrency``), all within one deadline. An answer that
/// differs in status or body may be an edge that has not caught up with an invalidation yet: it
/// is asked again after 1, 2, 4, … seconds (``Options/retries`` times, within the deadline), and
/// a finding that remains says how long it waited.
public struct SiteVerifier: Sendable {
    /// How to verify.
    public struct Options: Sendable {
        /// The deployed site: scheme, host and port (`site.base_url`, or `--url`).
        public var base: URL
        /// The API's own origin, for the CORS preflight (`api.origin`, or `--api-url`); nil skips it.
        public var api: URL?
        /// How many requests are in flight at once.
        public var concurrency = 8
        /// How long the whole verification may take.
        public var deadline: Duration = .seconds(120)
        /// How many times an answer that differs in status or body is asked for again.
        public var retries = 3
        /// The wait before the first retry; each next one waits twice as long.
        public var firstWait: Duration = .seconds(1)

        /// Options for the site at `base`.
        public init(base: URL) {
            self.base = base
        }
    }

    /// What a verification found.
    public struct Report: Sendable {
        /// One error per difference, at the URL requested, sorted.
        public var findings: [Diagnostic]
        /// How many probes were sent.
        public var probes: Int
        /// How many answered as planned.
        public var passed: Int
        /// How many answered as planned only when asked again.
        public var passedAfterRetry: Int
        /// How many were not sent: the CORS preflight without an API URL, plain http to a site
        /// requested over http.
        public var skipped = 0
    }

    /// How to verify.
    public var options: Options

    /// A verifier with `options`.
    public init(options: Options) {
        self.options = options
    }

    /// Sends every probe of `plan` through `client` and compares the answers.
    public func run(_ plan: VerifyPlan, client: some VerifyClient) async -> Report {
        let start = ContinuousClock.now
        let deadline = start + options.deadline
        let probes = plan.probes
        var outcomes = [Outcome?](repeating: nil, count: probes.count)
        await withTaskGroup(of: (Int, Outcome).self) { group in
            var next = 0
            func startNext() {
                guard next < probes.count else { return }
                let index = next
                next += 1
                group.addTask { (index, await self.verify(probes[index], plan: plan, client: client, deadline: deadline)) }
            }
            for _ in 0..<Swift.max(1, options.concurrency) { startNext() }
            for await (index, outcome) in group {
                outcomes[index] = outcome
                startNext()
            }
        }
        var findings: [Diagnostic] = []
        var passed = 0
        var retried = 0
        var skipped = 0
        for outcome in outcomes.compactMap({ $0 }) {
            findings += outcome.findings
            if outcome.tries == 0 {
                skipped += 1
            } else if outcome.findings.isEmpty {
                passed += 1
                if outcome.tries > 1 { retried += 1 }
            }
        }
        return Report(
            findings: findings.sorted(), probes: probes.count - skipped, passed: passed, passedAfterRetry: retried, skipped: skipped)
    }

    private struct Outcome: Sendable {
        var findings: [Diagnostic]
        var tries: Int
    }

    /// Where `probe` goes: nil when it has nowhere to go (no API URL).
    private func base(of probe: VerifyProbe) -> URL? {
        switch probe.base {
        case .site: return options.base
        case .api: return options.api
        case .plainHTTP:
            guard options.base.scheme == "https", var components = URLComponents(url: options.base, resolvingAgainstBaseURL: false) else {
                return nil
            }
            components.scheme = "http"
            components.port = nil
            return components.url
        }
    }

    private func verify(_ probe: VerifyProbe, plan: VerifyPlan, client: some VerifyClient, deadline: ContinuousClock.Instant) async
        -> Outcome
    {
        let expected = plan.expected(probe)
        guard let base = base(of: probe), expected != nil || probe.expectation != .planned else { return Outcome(findings: [], tries: 0) }
        let url = base.address(of: probe.request.target)
        let policy = plan.router.site.securityHeaders
        var wait = options.firstWait
        var waited: Duration = .zero
        var tries = 0
        while true {
            tries += 1
            let differences: [String]
            var retryable = true
            do {
                let got = try await client.send(probe.request, to: base)
                switch probe.expectation {
                case .planned:
                    guard let expected else { return Outcome(findings: [], tries: 0) }
                    differences = VerifyComparison.differences(got: got, expected: expected, policy: policy)
                    retryable = got.status != expected.status || (got.body != expected.body && !expected.body.isEmpty)
                case .notTheSite:
                    // With the API's own origin known, the answer through the site must be its answer.
                    var direct: PreviewResponse?
                    if let api = options.api { direct = try? await client.send(probe.request, to: api) }
                    differences = VerifyComparison.apiDifferences(got: got, siteBodies: plan.siteBodies, direct: direct)
                    retryable = false
                case .corsAllowed(let origin):
                    differences = VerifyComparison.corsDifferences(got: got, origin: origin, backendEnv: plan.backendEnvFile)
                    retryable = false
                case .corsRefused(let origin):
                    differences = VerifyComparison.corsRefusalDifferences(got: got, origin: origin, backendEnv: plan.backendEnvFile)
                    retryable = false
                case .upgradeToHTTPS:
                    differences = VerifyComparison.upgradeDifferences(got: got, httpsBase: options.base, target: probe.request.target)
                    retryable = false
                }
            } catch {
                // Nothing answered: no edge lagging behind an invalidation, asking again only waits.
                differences = ["no answer: \(error.localizedDescription)"]
                retryable = false
            }
            if differences.isEmpty { return Outcome(findings: [], tries: tries) }
            let late = ContinuousClock.now + wait > deadline
            if !retryable || tries > options.retries || late {
                let hint = tries > 1 ? "still so after \(tries) requests over \(Self.seconds(waited)) s" : nil
                return Outcome(
                    findings: differences.map { .error(SourceLocation(file: url), "\(probe.purpose): \($0)", hint: hint) }, tries: tries)
            }
            try? await Task.sleep(for: wait)
            waited += wait
            wait *= 2
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f", Double(seconds) + Double(attoseconds) / 1e18)
    }
}

extension SiteVerifier {
    /// The plan for the site `result` built: what its deploy put in place.
    public static func plan(for result: BuildPipeline.Result, allFiles: Bool = false) -> VerifyPlan {
        VerifyPlan(site: PreviewSite(result: result), manifest: result.manifest, config: result.config, assets: allFiles ? nil : 20)
    }

    /// ``run(_:client:)``, blocking the calling thread until the report is ready.
    public func runBlocking(_ plan: VerifyPlan, client: some VerifyClient) -> Report {
        waitFor { await self.run(plan, client: client) }
    }
}
